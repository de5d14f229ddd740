"""The one orchestrator: ``analyse(case) -> Analysis``.

Everything the faces show (the CLI's worksheets and tables, the memo in every format, the web pages
and their charts) is read from one ``Analysis``; nothing downstream calls an engine. The analysis runs
the guideline calculation once per Manual compared for the charges, once per scenario and once per
sensitivity variant; the mitigation assessment once for the case (the sensitivity rows re-assess the
case "without item X"); and the scenario comparison once.

``upto`` stops early for the commands that need less: ``"exposure"`` (calc, history) computes only
the charged calculation, ``"assessment"`` adds the mitigation assessment, ``"scenarios"`` (the default)
everything. A renderer that needs a part the analysis lacks refuses rather than computing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from plealever.errors import PlealeverError, RenderError

if TYPE_CHECKING:  # pragma: no cover
    from plealever.case.model import Case
    from plealever.guidelines.trace import Result
    from plealever.law.rulebook import Rulebook
    from plealever.mitigation.assess import Assessment
    from plealever.negotiation.compare import Comparison
    from plealever.negotiation.scenarios import Scenario

Upto = Literal["exposure", "assessment", "scenarios"]
_ORDER = ("exposure", "assessment", "scenarios")


@dataclass(frozen=True)
class Analysis:
    """Everything computed about one version of a case, computed once."""

    case: Case
    book: Rulebook = field(repr=False)
    source: str
    today: dt.date
    upto: Upto
    result: Result | None  # the charges as filed, §1B1.11 applied; None if they cannot be computed
    error: PlealeverError | None  # why `result` is None
    assessment: Assessment | None
    comparison: Comparison | None  # every scenario with its Result, outcomes, sensitivity, parameters
    calculations: int  # per-Manual guideline calculations this analysis ran
    # What happened to offenders with the same ranges (negotiation/similar.py), computed here so that no
    # face queries the records or runs the practice model; {"error": ...} when it cannot be had.
    similar: dict | None = None
    # Drawings made from this analysis (chart PNGs), kept so a page, its charts and every memo format
    # draw each chart once. A cache of derived images, not part of the value.
    drawings: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.case.name or self.source

    @property
    def scenarios(self) -> list[dict]:
        """The scenario rows (the `scenarios --json` contract), in the comparison's order."""
        return self.comparison.rows if self.comparison else []

    @property
    def investigation(self) -> list[dict]:
        """The missing mitigation evidence ranked by the expected months it could save (needs scenarios)."""
        return self.comparison.investigation if self.comparison else []

    @property
    def offers(self) -> list[dict]:
        """Every offer on file with its status today, exposure and the recommended option beside it."""
        return self.comparison.offers if self.comparison else []

    def scenario(self, scenario_id: str) -> Scenario | None:
        """A scenario with its own calculation, by id."""
        return self.comparison.scenarios.get(scenario_id) if self.comparison else None

    @property
    def warnings(self) -> list[str]:
        """Every warning of the analysis, once each: the calculation's, the assessment's, the comparison's."""
        out: list[str] = []
        if self.result is not None:
            out += self.result.warnings + self.result.calculation.warnings
        if self.error is not None:
            out.append(f"The exposure could not be computed: {self.error.one_line()}")
        if self.assessment is not None:
            out += self.assessment.warnings
        if self.comparison is not None:
            out += self.comparison.warnings
        return list(dict.fromkeys(out))

    def require(self, part: Upto) -> None:
        """Refuse (RenderError) when this analysis stopped before `part`."""
        if _ORDER.index(self.upto) < _ORDER.index(part):
            raise RenderError(
                f"this analysis stopped at {self.upto!r}; {part!r} is needed (analyse(upto={part!r}))"
            )


def analyse(
    case: Case,
    *,
    book: Rulebook | None = None,
    today: dt.date | None = None,
    draws: int | None = None,
    seed: int | None = None,
    source: str | None = None,
    upto: Upto = "scenarios",
) -> Analysis:
    """Analyse `case` under the law data `book` (the bundled rulebook if omitted).

    `today` fixes the date the analysis is made on (the Manual in force, deadlines passed); `draws` and
    `seed` fix the simulation (defaults from law/data/outcome-model.yaml or the case's overrides), so
    the same case version, date, draws and seed give the same analysis. Errors in the charged
    calculation are kept (`error`) so the assessment and the memo can still be produced; a case file
    that cannot be read at all fails earlier, in the loader."""
    if upto not in _ORDER:
        raise PlealeverError(f"unknown analysis part {upto!r}; expected one of {', '.join(_ORDER)}")
    from plealever.guidelines import calculate
    from plealever.law.rulebook import rulebook

    book = book if book is not None else rulebook()
    today = today or dt.date.today()
    source = source or "case"
    result = error = assessment = comparison = None
    calculations = 0
    try:
        result = calculate(case, book=book, source=source, today=today)
        calculations += result.calculations
    except PlealeverError as exc:
        if upto == "exposure":
            raise
        error = exc
    if upto != "exposure":
        from plealever.mitigation import assess

        assessment = assess(case, book=book, today=today)
    if upto == "scenarios" and result is not None:
        from plealever.negotiation.compare import compare

        comparison = compare(
            case, assessment=assessment, charged=result, book=book, today=today, draws=draws, seed=seed
        )
        calculations += comparison.calculations
    similar = None
    if comparison is not None:
        from plealever.negotiation.similar import panel

        try:
            similar = panel(case, result, comparison, today=today)
        except PlealeverError as exc:  # no offender rows to read: the rest of the analysis stands
            similar = {"error": exc.one_line()}
    return Analysis(
        case, book, source, today, upto, result, error, assessment, comparison, calculations, similar=similar
    )
