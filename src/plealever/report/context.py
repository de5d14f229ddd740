"""The memo's single context: a list of blocks (headings, paragraphs, bullets, tables, images) with
numbered references in order of first citation. Every renderer reads the same blocks, so the numbers
are the same in every format. Prose is the project's; case-specific sentences come from the analysis.

The context is built from an `Analysis` and computes nothing: no calculation, assessment or
simulation runs here (a test holds it to that)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plealever.analysis import Analysis
from plealever.guidelines.trace import NOTICE, Range
from plealever.law.rulebook import Rulebook
from plealever.mitigation.assess import CIRCUIT_NAMES
from plealever.report import views

BANDS = ["absent", "weak", "moderate", "strong"]


@dataclass
class Block:
    kind: str  # heading | para | bullets | table | image
    level: int = 0
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    alt: str = ""
    draw: Callable[[], bytes] | None = field(default=None, repr=False)  # an image block's chart
    _png: bytes | None = field(default=None, repr=False)

    @property
    def png(self) -> bytes:
        """The chart as PNG, drawn the first time a renderer asks (Markdown never does)."""
        if self._png is None:
            self._png = self.draw() if self.draw is not None else b""
        return self._png


@dataclass
class Reference:
    number: int
    id: str
    cite: str
    url: str
    verified: bool


@dataclass
class MemoContext:
    title: str
    question: str
    notice: str
    blocks: list[Block]
    references: list[Reference]
    bottom_line: str
    case_name: str = ""
    date: dt.date | None = None  # the memo's date (the day the analysis was run for)


APPLIED_MANUAL = "manual-applied"


class _Refs:
    def __init__(self, book: Rulebook, edition: dt.date | None = None, edition_verified: bool = True) -> None:
        self.book = book
        self.order: list[str] = []
        self.edition = edition
        self.edition_verified = edition_verified

    def mark(self, ids: list[str]) -> str:
        nums = []
        for a in ids:
            if self.edition is not None and a.startswith("manual-20"):
                # The text a rule was read from (e.g. the 2025 Manual) is cited as the edition applied,
                # with where its text comes from: a 2026 worksheet cites the 2026 Manual.
                a = APPLIED_MANUAL
            elif a not in self.book.authorities:
                continue
            if a not in self.order:
                self.order.append(a)
            n = self.order.index(a) + 1
            if n not in nums:
                nums.append(n)
        return "".join(f" [{n}]" for n in nums)

    def references(self) -> list[Reference]:
        out = []
        for i, a in enumerate(self.order, 1):
            if a == APPLIED_MANUAL:
                out.append(self._applied(i))
                continue
            auth = self.book.authorities[a]
            out.append(Reference(i, a, auth.cite, auth.url, auth.verified))
        return out

    def _applied(self, number: int) -> Reference:
        year = self.edition.year
        own = self.book.authorities.get(f"manual-{year}")
        cite = f"U.S. Sentencing Commission, Guidelines Manual (Nov. 1, {year})"
        if not self.edition_verified:
            cite += (
                " — not fully verified in the law data: its provisions are carried forward from the "
                "latest Manual read in full unless a dated version says otherwise"
            )
        if own is not None:
            url = own.url
        elif year < 2025:
            url = self.book.authorities["manual-archive"].url
        else:
            url = "https://www.ussc.gov/guidelines"
        return Reference(number, APPLIED_MANUAL, cite, url, self.edition_verified and own is not None)


def _range(r: dict[str, Any] | Range) -> str:
    if isinstance(r, Range):
        return r.text()
    return Range(r["min"], r["max"]).text()


def build_context(analysis: Analysis, *, charts: bool = True) -> MemoContext:
    """The memo's blocks for a complete analysis (analyse(..., upto="scenarios"))."""
    analysis.require("scenarios")
    case, book = analysis.case, analysis.book
    charged = analysis.result.calculation if analysis.result is not None else None
    refs = _Refs(
        book,
        charged.edition if charged is not None else None,
        charged.edition_verified if charged is not None else True,
    )
    blocks: list[Block] = []
    add = blocks.append
    name = analysis.name
    result, assessment, comparison = analysis.result, analysis.assessment, analysis.comparison
    calc_error = analysis.error.one_line() if analysis.error is not None else None
    factors = {f.factor: f for f in assessment.factors}
    rows = {r["id"]: r for r in comparison.rows} if comparison else {}

    # --- caveats, first: what the reader must know before relying on any figure -----------------
    if result is not None:
        from plealever.report.caveats import caveats

        notes = caveats(result.calculation, analysis.warnings)
        if notes:
            add(Block("heading", 2, "Before relying on these figures"))
            add(Block("bullets", items=notes))

    # --- executive summary ---------------------------------------------------------------------
    add(Block("heading", 2, "Executive summary"))
    as_charged = rows.get("plea-as-charged")
    best = _best_plea(rows)
    if result is None:
        add(
            Block(
                "para",
                text=f"The exposure could not be computed from the case file: {calc_error}. The sections "
                "that depend on it say so.",
            )
        )
    else:
        c = result.calculation
        add(
            Block(
                "para",
                text=(
                    f"As charged, the guidelines give a total offense level of {c.total_offense_level} in criminal history "
                    f"category {c.criminal_history_category}: {c.guideline_range.text()}, within a statutory range of "
                    f"{c.statutory_range.text()}, so an effective range of {c.effective_range.text()} under the "
                    f"Nov. 1, {c.edition.year} Manual." + refs.mark(["ussg-5A", "ussg-5G1.1", "ussg-1B1.11"])
                ),
            )
        )
    if result is not None:
        c = result.calculation
        if c.effective_range.key()[0] > c.guideline_range.key()[1]:
            add(
                Block(
                    "para",
                    text=(
                        f"The mandatory minimum of {c.statutory_range.min} months is above the guideline range, so no "
                        "variance can go below it: only a plea to a count without that minimum, or a government motion "
                        "under 18 U.S.C. § 3553(e), can." + refs.mark(["ussg-5G1.1", "usc-18-3553e"])
                    ),
                )
            )
    if as_charged and best and as_charged["outcome"]["mean"] - best["outcome"]["mean"] < 1:
        add(
            Block(
                "para",
                text="No plea the government could agree to improves on pleading as charged in this "
                "model; the gain from mitigation here lies in the levers below, not in a modelled plea.",
            )
        )
        best = None
    if as_charged and best:
        saved = as_charged["outcome"]["mean"] - best["outcome"]["mean"]
        add(
            Block(
                "para",
                text=(
                    f'The best plea the model finds that the government could agree to is "{best["label"]}" '
                    f"({best['availability'].replace('_', ' ')}; agreement likelihood about "
                    f"{best['agreement_probability']:.0%}): effective range {_range(best['effective_range'])}, expected "
                    f"sentence about {best['outcome']['mean']:.0f} months against {as_charged['outcome']['mean']:.0f} for a "
                    f"plea as charged, about {saved:.0f} months less. These are estimates with the uncertainty shown in "
                    "the appendix, not predictions."
                ),
            )
        )
    open_levers = sorted({lv.label for f in assessment.factors for lv in f.levers if lv.status != "closed"})
    closed = [k.replace("_", " ") for k, v in assessment.levers.items() if v.status == "closed"]
    if assessment.empty:
        add(
            Block(
                "para",
                text="No mitigation evidence is recorded yet, so mitigation buys nothing now; section 1 "
                "lists what to look for.",
            )
        )
    else:
        add(
            Block(
                "para",
                text=(
                    "What the mitigation can buy here: "
                    + ("; ".join(open_levers) if open_levers else "nothing yet")
                    + ". What it cannot: "
                    + (
                        "; ".join(closed) + " (closed by office policy)"
                        if closed
                        else "no lever is closed by policy, but none is promised"
                    )
                    + "."
                ),
            )
        )

    # --- 1. package ----------------------------------------------------------------------------
    add(Block("heading", 2, "1. Mitigation as bargaining currency"))
    p = assessment.package
    add(Block("para", text=f"The mitigation package meets {p['complete']} of {p['of']} checklist items."))
    add(
        Block(
            "bullets",
            items=[
                f"{'In hand' if r['complete'] else 'Missing'}: {r['label']}"
                + (f" (have: {', '.join(r['have'])})" if r["have"] else "")
                + (f"; sought: {', '.join(r['sought'])}" if r["sought"] else "")
                for r in p["checklist"]
            ],
        )
    )
    first = [s["item"] for s in assessment.plan if s["status"] == "sought"][:3] or p["next"][:3]
    add(Block("para", text="Obtain first: " + ("; ".join(first) if first else "nothing outstanding") + "."))
    others = [f for f in assessment.factors if f.factor in ("knowledge", "cooperation", "personal_history")]
    for f in others:
        if f.items:
            add(
                Block(
                    "para",
                    text=f"{f.title}: {f.band}. "
                    + " ".join(r.text + refs.mark(r.authorities) for r in f.reasons[:3]),
                )
            )

    # --- 2-4. the three factors ----------------------------------------------------------------
    for number, key in ((2, "mental_health"), (3, "coercion_duress"), (4, "entrapment")):
        f = factors[key]
        title = {
            "mental_health": "Mental-health evidence",
            "coercion_duress": "Coercion and duress",
            "entrapment": "Entrapment",
        }[key]
        add(Block("heading", 2, f"{number}. {title}"))
        _factor(add, refs, f)

    # --- 5. constraints ------------------------------------------------------------------------
    add(Block("heading", 2, "5. Procedural and policy constraints"))
    era = next(
        (lv.reasons for k, lv in assessment.levers.items() if k == "count_reduction" and lv.reasons), []
    )
    policy = book_policy(book, case)
    add(Block("para", text=policy + refs.mark(_era_authorities(assessment))))
    if era:
        add(Block("para", text="Charge concessions: " + "; ".join(era) + "."))
    lever_lines = [
        f"{k.replace('_', ' ')}: {v.status.replace('_', ' ')}"
        + (f" ({'; '.join(v.reasons)})" if v.reasons else "")
        + refs.mark(v.authorities)
        for k, v in assessment.levers.items()
    ]
    add(Block("bullets", items=lever_lines))
    if case.prosecutor.public_safety:
        add(
            Block(
                "para",
                text="Public-safety concerns the government will raise, fairly weighed: "
                + ", ".join(s.replace("_", " ") for s in case.prosecutor.public_safety)
                + ". They limit how far the recommendation and a variance can move, whatever the mitigation.",
            )
        )
    else:
        add(
            Block(
                "para",
                text="No public-safety concern is recorded in the case file; the government will still "
                "weigh protection of the public and deterrence under § 3553(a)."
                + refs.mark(["usc-18-3553a"]),
            )
        )
    court = case.court
    add(
        Block(
            "para",
            text=(
                f"Court: {'the ' + CIRCUIT_NAMES[court.circuit] + ' Circuit' if court.circuit else 'circuit not given'}"
                + (f", {court.district}" if court.district else "")
                + "."
            ),
        )
    )

    # --- 6. timing -----------------------------------------------------------------------------
    add(Block("heading", 2, "6. Risks, tradeoffs and timing"))
    if assessment.plan:
        add(
            Block(
                "table",
                caption="Disclosure plan",
                header=["When", "Deadline", "Item", "Action", "Protection"],
                rows=[
                    [
                        s["when"] or "not dated",
                        s["deadline"] or "",
                        s["item"],
                        s["action"],
                        s["protection"] + refs.mark(s["authorities"]),
                    ]
                    for s in assessment.plan
                ],
            )
        )
        lost = [f"{s['item']}: {flag}" for s in assessment.plan for flag in s["lost_value"]]
        if lost:
            add(Block("bullets", items=["Value at risk — " + x for x in lost]))
    else:
        add(
            Block("para", text="There is nothing to disclose yet; the plan fills in as evidence is recorded.")
        )
    for w in assessment.warnings:
        add(Block("para", text=w))

    # --- 7. bottom line ------------------------------------------------------------------------
    add(Block("heading", 2, "7. Bottom line"))
    bottom = _bottom_line(as_charged, best, rows.get("trial-all"), assessment)
    add(Block("para", text=bottom))

    # --- appendix ------------------------------------------------------------------------------
    add(Block("heading", 2, "Appendix"))
    if result is not None:
        add(Block("heading", 3, "A. Exposure worksheet, counts as charged"))
        add(_worksheet_table(result, refs))
    if best is not None and comparison is not None and as_charged is not None:
        add(Block("heading", 3, f"B. Exposure worksheet, {best['label']}"))
        scenario = analysis.scenario(best["id"])
        if scenario is not None and scenario.result is not None:
            add(_worksheet_table(scenario.result, refs))
    if comparison is not None:
        add(Block("heading", 3, "C. Scenario comparison"))
        add(
            Block(
                "table",
                caption="Scenarios (months; trial means include acquittals as 0)",
                header=list(views.SCENARIO_HEADER),
                rows=views.scenario_rows(comparison.rows),
            )
        )
        notes = views.scenario_notes(comparison.rows)
        if notes:
            add(Block("bullets", items=notes))
        assumptions = [q.replace("_", " ") for q in views.assumptions(comparison.parameters)]
        add(
            Block(
                "para",
                text="The sentence model is fitted to the Sentencing Commission's offender records for these "
                "offenses (" + comparison.practice_basis["note"] + ")"
                + refs.mark(["ussc-individual"])
                + "; a government motion's reduction comes from its FY2014-2015 supplemental files"
                + refs.mark(["ussc-sup"])
                + "; these parameters are assumptions layered on top, not measurements: "
                + ", ".join(assumptions)
                + ".",
            )
        )
        if charts:
            add(Block("heading", 3, "D. Charts"))
            add(
                Block(
                    "image",
                    draw=lambda: _chart(analysis, "distribution"),
                    caption="Simulated sentence by scenario",
                    alt="Box plots of the simulated sentence in months for each scenario",
                )
            )
            if comparison.sensitivity:
                add(
                    Block(
                        "image",
                        draw=lambda: _chart(analysis, "tornado"),
                        caption="Sensitivity of the expected sentence (plea as charged)",
                        alt="Horizontal bars showing how many months "
                        "each stipulation or mitigation item changes the expected sentence",
                    )
                )
    if result is not None:
        from plealever.report.similar_section import similar_blocks

        blocks.extend(similar_blocks(analysis, refs, Block))
    return MemoContext(
        title=f"Plea negotiation memo: {name}",
        question="How can the available mitigation move the plea negotiation in this case?",
        notice=NOTICE,
        blocks=blocks,
        references=refs.references(),
        bottom_line=bottom,
        case_name=name,
        date=analysis.today,
    )


def _chart(analysis: Analysis, name: str) -> bytes:
    from plealever.report import charts  # matplotlib loads only for a format that shows charts

    return charts.chart(analysis, name) or b""


def book_policy(book: Rulebook, case) -> str:
    era = case.prosecutor.policy_era
    if era is None:
        return "Charging policy: the Attorney General's memorandum in force today applies (no era was given)."
    label = book.documents["negotiation-policy"]["eras"][era]["label"]
    return f"Charging policy: {label}."


def _era_authorities(assessment) -> list[str]:
    return list(assessment.era["authorities"]) if assessment.era else []


def _factor(add, refs: _Refs, f) -> None:
    if f.band == "absent" and not f.items:
        add(
            Block(
                "para",
                text="No evidence of this factor is recorded. Look for: "
                + "; ".join(m.text.removeprefix("look for ") for m in f.missing)
                + ".",
            )
        )
    else:
        add(Block("para", text=f"Strength: {f.band} (score {f.score}), from: " + ", ".join(f.items) + "."))
        add(Block("bullets", items=[r.text + refs.mark(r.authorities) for r in f.reasons]))
        if f.levers:
            add(Block("para", text="Levers it can move:"))
            add(
                Block(
                    "bullets",
                    items=[
                        f"{lv.label} — {lv.status.replace('_', ' ')}: {lv.how}"
                        + (f" ({'; '.join(lv.why)})" if lv.why else "")
                        + refs.mark(lv.authorities)
                        for lv in f.levers
                    ],
                )
            )
        gaps = [m.text + refs.mark(m.authorities) for m in f.missing]
        if gaps:
            add(Block("para", text="Corroboration missing and next steps:"))
            add(Block("bullets", items=gaps))
        if f.risks:
            add(Block("bullets", items=[r.text + refs.mark(r.authorities) for r in f.risks]))
    if f.frame:
        add(
            Block(
                "para",
                text="The law: "
                + " ".join(
                    fr.text[0].upper() + fr.text[1:] + "." + refs.mark(fr.authorities) for fr in f.frame
                ),
            )
        )


def _best_plea(rows: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    pleas = [
        r
        for r in rows.values()
        if r["kind"] == "plea"
        and "outcome" in r
        and r["availability"] != "closed"
        and r["id"] != "plea-as-charged"
    ]
    if not pleas:
        return None
    return min(pleas, key=lambda r: r["outcome"]["mean"])


def _bottom_line(as_charged, best, trial, assessment) -> str:
    parts = []
    if as_charged is None:
        return (
            "Bottom line: the exposure could not be computed, so no plea can be weighed yet; complete the "
            "case file first. Nothing here promises an outcome."
        )
    if best is not None:
        parts.append(
            f'If the government agrees to "{best["label"]}" (about {best["agreement_probability"]:.0%} likely on '
            f"the stated assumptions), the expected sentence falls from about {as_charged['outcome']['mean']:.0f} to "
            f"about {best['outcome']['mean']:.0f} months"
        )
    be = as_charged.get("break_even_conviction_probability")
    if trial is not None and be is not None and be >= 0.95:
        parts.append(
            "a conviction at trial would cost about what a plea costs (the statutory minimum binds both), so the "
            f"choice turns on the acquittal risk, which the model puts at about {trial['outcome']['p_acquittal']:.0%} "
            "on stated assumptions, weighed against the certainty a plea gives"
        )
    elif trial is not None and be is not None:
        parts.append(
            f"going to trial makes sense on these numbers only if the chance of conviction is below about "
            f"{as_charged['break_even_conviction_probability']:.0%} (the model puts acquittal at about "
            f"{trial['outcome']['p_acquittal']:.0%})"
        )
    strong = [f.title.lower() for f in assessment.factors if f.band in ("moderate", "strong")]
    if strong:
        parts.append("the mitigation worth pressing now is the " + " and the ".join(strong))
    else:
        parts.append("the mitigation on file is not yet strong enough to move the government by itself")
    return (
        "Bottom line: " + "; ".join(parts) + ". Each figure depends on the facts as entered and on stated "
        "assumptions; none is a promise of an outcome."
    )


def _worksheet_table(result, refs: _Refs) -> Block:
    c = result.calculation
    rows = [
        [r.pin, r.levels, r.total, r.status, r.reason, refs.mark(list(r.authorities)).strip()]
        for r in views.worksheet_rows(c)
    ]
    rows.append(
        [
            "Total",
            "",
            str(c.total_offense_level),
            "",
            f"category {c.criminal_history_category}; guideline "
            f"{c.guideline_range.text()}; statutory {c.statutory_range.text()}; effective "
            f"{c.effective_range.text()}",
            "",
        ]
    )
    return Block(
        "table",
        caption=f"Worksheet, Nov. 1, {c.edition.year} Manual"
        + ("" if c.edition_verified else " (an edition not fully verified: every step is marked)"),
        header=["Pin", "Levels", "Total", "Status", "Reason", "Sources"],
        rows=rows,
    )
