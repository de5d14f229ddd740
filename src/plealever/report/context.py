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
from plealever.report import casefacts, views
from plealever.report.checklist import checklist
from plealever.report.letter import letter, reading_grade

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


TITLES = {
    "mental_health": "Mental-health evidence",
    "coercion_duress": "Coercion and duress",
    "entrapment": "Entrapment",
}


def build_context(analysis: Analysis, *, charts: bool = True) -> MemoContext:
    """The memo's blocks for a complete analysis (analyse(..., upto="scenarios")).

    The body names this case's facts: the counts, each item and what it shows, each defense element
    by element, the dated disclosure steps, the requests to make and a letter to the client. General
    law and guidance appear once, in the appendix (F and G), not in every section."""
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
    by_label = {i.label: i for i in case.mitigation}
    law = book.circuit_law
    circuit = case.court.circuit
    where = (f"the {CIRCUIT_NAMES[circuit]} Circuit" if circuit else "a circuit the file does not name") + (
        f" ({case.court.district})" if case.court.district else ""
    )

    # --- caveats, first: what the reader must know before relying on any figure -----------------
    if result is not None:
        from plealever.report.caveats import caveats

        notes = caveats(result.calculation, analysis.warnings)
        if notes:
            add(Block("heading", 2, "Before relying on these figures"))
            add(Block("bullets", items=notes))

    # --- executive summary ---------------------------------------------------------------------
    add(Block("heading", 2, "Executive summary"))
    add(
        Block(
            "para",
            text=f"{name}: {casefacts.counts_text(book, case)}, in {where}, criminal history category "
            f"{_category(case, result)}.",
        )
    )
    as_charged = rows.get("plea-as-charged")
    best = _best_plea(rows)
    recommended = rows.get(comparison.recommended) if comparison and comparison.recommended else None
    robust = views.robust_text(comparison.rows, comparison.recommended, comparison.robust) if comparison else ""
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
        if c.effective_range.key()[0] > c.guideline_range.key()[1]:
            add(
                Block(
                    "para",
                    text=(
                        f"The mandatory minimum of {c.statutory_range.min} months is above the guideline range of "
                        f"{c.guideline_range.text()}, so no variance can go below it: only a plea to a count without "
                        "that minimum, or a government motion under 18 U.S.C. § 3553(e), can."
                        + refs.mark(["ussg-5G1.1", "usc-18-3553e"])
                    ),
                )
            )
    if as_charged and best and as_charged["outcome"]["mean"] - best["outcome"]["mean"] < 1:
        add(
            Block(
                "para",
                text=f"No plea the government could agree to improves on pleading as charged (expected about "
                f"{as_charged['outcome']['mean']:.0f} months) in this model"
                + (
                    "; closed or unlikely here: "
                    + "; ".join(
                        f"{r['label']} ({r['availability'].replace('_', ' ')})"
                        for r in rows.values()
                        if r["kind"] == "plea"
                        and r["id"] != "plea-as-charged"
                        and r["availability"] == "closed"
                    )
                    if any(r["kind"] == "plea" and r["availability"] == "closed" for r in rows.values())
                    else ""
                )
                + ".",
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
                    f"plea as charged, about {saved:.0f} months less; estimates with the uncertainty in Appendix C."
                ),
            )
        )
    if recommended:
        add(
            Block(
                "para",
                text="Weighing each option's sentence by the chance the government agrees (and the plea as charged "
                "if it does not) and trial by the chance of conviction, the option with the fewest expected months is: "
                + views.recommended_text(comparison.rows, comparison.recommended)
                + f"; {robust}. Expected months treat a month of risk like a month of certainty; a client who "
                "weighs certainty more will lean toward the plea.",
            )
        )
    evidenced = [f for f in assessment.factors if f.items]
    for f in evidenced:
        add(Block("para", text=casefacts.factor_summary(f, case) + "."))
        d = casefacts.defense_summary(f)
        if d and (f.factor != "mental_health" or any(e.met for e in f.elements)):
            add(Block("para", text=d))
    if assessment.empty:
        add(
            Block(
                "para",
                text=f"No mitigation evidence is recorded yet for {name}; section 7 lists what to request.",
            )
        )
    else:
        missing = [f.title.lower() for f in assessment.factors if not f.items]
        if missing:
            add(
                Block(
                    "para",
                    text=f"Nothing in the file of {name} yet bears on " + casefacts._words(missing) + ".",
                )
            )
    moved: dict[str, list[str]] = {}
    for f in assessment.factors:
        for lv in f.levers:
            if lv.status != "closed":
                moved.setdefault(f"{lv.lever.replace('_', ' ')} ({lv.status.replace('_', ' ')})", []).append(
                    f.title.lower()
                )
    if moved:
        add(
            Block(
                "para",
                text="What this evidence can move: "
                + "; ".join(f"{lever}, through the {casefacts._words(by)}" for lever, by in moved.items())
                + ".",
            )
        )
    upcoming = [s for s in assessment.plan if s["when"] and s["status"] != "disclosed"][:3]
    if upcoming:
        add(
            Block(
                "para",
                text="Next dated steps: "
                + "; ".join(
                    f"{s['when']} ({s['deadline']}): {s['action']} — {s['item']}"
                    + (" (PAST DUE)" if s["past_due"] else "")
                    for s in upcoming
                )
                + ".",
            )
        )

    # --- 1. the evidence -----------------------------------------------------------------------
    add(Block("heading", 2, "1. Mitigation as bargaining currency"))
    if case.mitigation:
        add(
            Block(
                "table",
                caption=f"The evidence in {name}",
                header=["Item", "Status", "What it shows", "Bears on"],
                rows=[
                    [
                        i.label,
                        casefacts.status_text(i),
                        casefacts.item_facts(i),
                        ", ".join(f.title.lower() for f in assessment.factors if i.label in f.items),
                    ]
                    for i in case.mitigation
                ],
            )
        )
    p = assessment.package
    missing_rows = [r["label"] for r in p["checklist"] if not r["complete"]]
    add(
        Block(
            "para",
            text=f"The package for {name} meets {p['complete']} of {p['of']} checklist items"
            + (f"; missing: {'; '.join(missing_rows)}" if missing_rows else "")
            + ".",
        )
    )
    investigation = analysis.investigation
    if investigation:
        add(
            Block(
                "table",
                caption="What to investigate first: the expected months each missing piece could save "
                "(the chance it comes back favourable, an assumption, times the saving in the best option)",
                header=list(views.INVESTIGATION_HEADER),
                rows=views.investigation_rows(investigation),
            )
        )
        top = [r["what"] for r in investigation if r["expected_saving"] > 0][:3]
        add(
            Block(
                "para",
                text="Obtain first: " + ("; ".join(top) if top else "no missing piece moves the best option on these numbers")
                + ".",
            )
        )
    for f in assessment.factors:
        if f.factor in ("knowledge", "cooperation", "personal_history") and f.items:
            add(Block("heading", 3, f.title))
            _factor(add, refs, f, case, law, circuit)

    # --- 2-4. the three factors ----------------------------------------------------------------
    for number, key in ((2, "mental_health"), (3, "coercion_duress"), (4, "entrapment")):
        f = factors[key]
        add(Block("heading", 2, f"{number}. {TITLES[key]}"))
        if not f.items:
            add(Block("para", text=f"{name}: " + _nothing(key, case, book)))
            continue
        _factor(add, refs, f, case, law, circuit)

    # --- 5. constraints ------------------------------------------------------------------------
    add(Block("heading", 2, "5. Procedural and policy constraints"))
    policy = book_policy(book, case).removesuffix(".")
    groups = casefacts.lever_groups(
        {k: v for k, v in assessment.levers.items() if not (k == "policy_variance" and v.status == "closed")}
    )
    add(
        Block(
            "para",
            text=policy
            + "; under this profile the levers are "
            + "; ".join(f"{st.replace('_', ' ')}: {', '.join(names)}" for st, names in groups.items())
            + "."
            + refs.mark(_era_authorities(assessment)),
        )
    )
    examples = _lever_examples(rows)
    if result is not None and result.calculation.statutory_range.min and "count_reduction" not in examples:
        examples["count_reduction"] = (
            f"a count without the {result.calculation.statutory_range.min}-month minimum"
        )
    reasons = [
        f"{k.replace('_', ' ')}"
        + (f" (here: {examples[k]})" if k in examples else "")
        + f" — {'; '.join(v.reasons)}"
        + refs.mark(v.authorities)
        for k, v in assessment.levers.items()
        if v.reasons and not (k == "policy_variance" and v.status == "closed")
    ]
    if reasons:
        add(Block("bullets", items=reasons))
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
                text=f"No public-safety concern is recorded in {name}; the government will still weigh protection "
                "of the public and deterrence under § 3553(a)." + refs.mark(["usc-18-3553a"]),
            )
        )
    for s in assessment.frame:
        if _is_circuit_specific(s, law, circuit):
            add(Block("para", text=_sentence(s.text) + refs.mark(s.authorities)))

    # --- 6. timing -----------------------------------------------------------------------------
    add(Block("heading", 2, "6. Risks, tradeoffs and timing"))
    if assessment.plan:
        add(
            Block(
                "table",
                caption="Disclosure plan",
                header=["When", "Deadline", "Item", "Stage", "What disclosing it exposes", "Protect under"],
                rows=[
                    [
                        (s["when"] or "not dated") + (" PAST DUE" if s["past_due"] else ""),
                        s["deadline"] or "",
                        s["item"],
                        s["stage_label"],
                        ("; ".join(s["exposes"]) or "little legal risk") + refs.mark(s["authorities"]),
                        casefacts.PROTECTIONS.get(s["protect_under"], s["protect_under"]),
                    ]
                    for s in assessment.plan
                ],
            )
        )
        for s in assessment.plan:
            if s["status"] == "disclosed":
                add(
                    Block(
                        "para",
                        text=f"{s['item']} was {casefacts.status_text(by_label[s['item']])}: "
                        + "; ".join(s.get("cost", []) or ["no cost recorded"])
                        + ". Still protected: "
                        + "; ".join(s.get("still_protected", []))
                        + ".",
                    )
                )
            elif s["stage"] == "withhold":
                add(Block("para", text=f"Hold {s['item']}: {s['why_this_stage']}."))
        lost = [f"{s['item']}: {flag}" for s in assessment.plan for flag in s["lost_value"]]
        if lost:
            add(Block("bullets", items=["Value at risk — " + x for x in lost]))
    else:
        add(
            Block(
                "para",
                text=f"There is nothing to disclose yet in {name}; the plan fills in as evidence is recorded.",
            )
        )
    for w in assessment.warnings:
        add(Block("para", text=w))

    # --- 7. checklist --------------------------------------------------------------------------
    add(Block("heading", 2, "7. Discovery and investigation checklist"))
    requests = checklist(book, case, assessment)
    if requests:
        add(
            Block(
                "table",
                caption=f"Requests for {name}",
                header=["Request", "From", "Why"],
                rows=[[r["request"], r["from"], r["why"] + refs.mark(r["authorities"])] for r in requests],
            )
        )
    else:
        add(Block("para", text="No request is outstanding on this file."))

    # --- 8. bottom line ------------------------------------------------------------------------
    add(Block("heading", 2, "8. Bottom line"))
    bottom = _bottom_line(as_charged, best, rows.get("trial-all"), assessment, recommended, robust, comparison)
    add(Block("para", text=bottom))

    # --- 9. letter -----------------------------------------------------------------------------
    add(Block("heading", 2, "9. Letter to the client (draft)"))
    paras = letter(analysis, rows, best)
    grade = reading_grade(" ".join(paras))
    add(
        Block(
            "para",
            text=f"Reading level: about grade {grade:g} (Flesch-Kincaid; syllables counted by hyphenation, so "
            "the true grade may be a little higher).",
        )
    )
    for para in paras:
        add(Block("para", text=para))

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
        if comparison.offers:
            add(
                Block(
                    "table",
                    caption="Offers on file (negotiation.offers): an expired offer is history, not an option",
                    header=list(views.OFFER_HEADER),
                    rows=views.offer_rows(comparison.offers),
                )
            )
        add(Block("para", text="Trial: " + "; ".join(comparison.conviction.get("basis", [])) + "."))
        groups = views.grouped_assumptions([a for a in comparison.assumptions if a["used"]])
        cited = sorted({a for item in comparison.assumptions for a in item["authorities"]})
        add(
            Block(
                "para",
                text="The sentence model is fitted to the Sentencing Commission's offender records for these "
                "offenses (" + comparison.practice_basis["note"] + ")"
                + refs.mark(["ussc-individual"])
                + "; a government motion's reduction comes from its FY2014-2015 supplemental files"
                + refs.mark(["ussc-sup"])
                + ". Measured from the Commission's records: "
                + ", ".join(groups["measured"])
                + ". Published figures: "
                + ", ".join(groups["published"])
                + ". Assumed, each with a central value and a range the bottom line is tested over: "
                + ", ".join(groups["assumed"])
                + "."
                + refs.mark(cited),
            )
        )
        add(
            Block(
                "table",
                caption="What the model measures and what it assumes (a parameter this case does not use says why)",
                header=list(views.ASSUMPTION_HEADER),
                rows=views.assumption_rows(comparison.assumptions),
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
    add(Block("heading", 3, "F. The law that frames these factors"))
    general = _general_frames(book, assessment)
    add(Block("bullets", items=[_sentence(s.text) + refs.mark(s.authorities) for s in general]))
    add(Block("heading", 3, "G. General guidance"))
    add(Block("bullets", items=_guidance(book, assessment, refs)))
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


def _lever_examples(rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    """This case's own example of each lever: the first modelled plea that uses it, with its expected sentence."""
    out: dict[str, str] = {}
    for r in rows.values():
        for lever in r.get("levers", []):
            mean = f", expected about {r['outcome']['mean']:.0f} months" if "outcome" in r else ""
            out.setdefault(lever, r["label"] + mean)
    return out


def _category(case, result) -> str:
    if result is not None:
        return result.calculation.criminal_history_category
    return case.criminal_history.category or "not computed"


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _nothing(key: str, case, book) -> str:
    """The one line a factor without evidence gets, in this case's terms."""
    what = casefacts.plain_offense(book, case)
    return {
        "mental_health": "nothing in the file describes a mental-health condition; section 7 says what to request.",
        "coercion_duress": "nothing in the file shows a threat or a controlling third party behind the conduct.",
        "entrapment": (
            f"no sting record is in the file; in a case of {what} the chat logs from the first contact decide entrapment."
            if any(
                c in ("enticement", "travel", "transportation") for c in casefacts.offense_classes(book, case)
            )
            else "entrapment does not arise on this record: no government agent proposed the conduct."
        ),
    }[key]


def _factor(add, refs: _Refs, f, case, law, circuit) -> None:
    """A factor with evidence: its band and points, its elements, its levers and gaps, and the rule of
    the case's circuit; the general law is in Appendix F."""
    add(Block("para", text=f"Strength: {f.band} (score {f.score}), from " + ", ".join(f.items) + "."))
    add(Block("bullets", items=[r.text + refs.mark(r.authorities) for r in f.reasons]))
    if f.elements and f.factor != "mental_health":
        d = casefacts.defense_summary(f)
        if d:
            add(Block("para", text=d))
    elif f.elements and f.complete_defense:
        add(Block("para", text=casefacts.defense_summary(f)))
    if f.levers:
        add(
            Block(
                "para",
                text=casefacts._words(f.items)
                + " can move: "
                + "; ".join(
                    f"{lv.lever.replace('_', ' ')} ({lv.status.replace('_', ' ')})"
                    + refs.mark(lv.authorities)
                    for lv in f.levers
                )
                + ".",
            )
        )
    gaps = [m.text.removeprefix("next step: ").removeprefix("not shown: ") for m in f.missing]
    if gaps:
        add(Block("para", text=f"Still to do for {f.title.lower()}: " + "; ".join(gaps) + "."))
    own = [s for s in f.frame if _is_circuit_specific(s, law, circuit)]
    for s in own:
        add(Block("para", text=_sentence(s.text) + refs.mark(s.authorities)))


def _is_circuit_specific(s, law, circuit) -> bool:
    """Frames that name the case's circuit, its offense's mental state, or say no circuit rule was found."""
    general = {getattr(law.general, n).text for n in type(law.general).model_fields}
    return s.text not in general


def _general_frames(book, assessment) -> list:
    seen: list = []
    texts = set()
    law = book.circuit_law
    general = {getattr(law.general, n).text for n in type(law.general).model_fields}
    for f in assessment.factors:
        for s in f.frame:
            if s.text in general and s.text not in texts:
                texts.add(s.text)
                seen.append(s)
    for s in assessment.frame:
        if s.text in general and s.text not in texts:
            texts.add(s.text)
            seen.append(s)
    return seen


def _guidance(book, assessment, refs: _Refs) -> list[str]:
    """What disclosing each kind of evidence risks and how to protect it, the protections' terms, and
    the levers' meaning: once, for every memo, instead of in each section."""
    rub = book.documents["mitigation-rubric"]
    out = []
    for f in assessment.factors:
        d = rub["disclosure"]["factors"][f.factor]
        out.append(
            f"{f.title}: the risk — {d['risk']}; the protection — {d['protection']}."
            + refs.mark(d["authorities"])
        )
    for key, p in rub["disclosure"]["protections"].items():
        if key != "none":
            out.append(_sentence(p["text"]) + refs.mark(p.get("authorities", [])))
    used = {lv.lever for f in assessment.factors for lv in f.levers}
    for f in assessment.factors:
        for lv in f.levers:
            if lv.lever in used:
                out.append(f"{lv.label[0].upper() + lv.label[1:]}: {lv.how}." + refs.mark(lv.authorities))
                used.discard(lv.lever)
    return out


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


def _bottom_line(as_charged, best, trial, assessment, recommended=None, robust="", comparison=None) -> str:
    parts = []
    if as_charged is None:
        return (
            "Bottom line: the exposure could not be computed, so no plea can be weighed yet; complete the "
            "case file first. Nothing here promises an outcome."
        )
    if recommended is not None and comparison is not None:
        parts.append("the recommended course: " + views.recommended_text(comparison.rows, recommended["id"]))
        if robust:
            parts.append(robust)
    if best is not None and (recommended is None or best["id"] != recommended["id"]):
        parts.append(
            f'if the government agrees to "{best["label"]}" (about {best["agreement_probability"]:.0%} likely on '
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
            f"going to trial beats the plea as charged on these numbers only if the chance of conviction is below "
            f"about {be:.0%} (the model puts it at about {1 - trial['outcome']['p_acquittal']:.0%})"
        )
    strong = [f.title.lower() for f in assessment.factors if f.band in ("moderate", "strong")]
    if strong:
        parts.append("the mitigation worth pressing now is the " + " and the ".join(strong))
    else:
        parts.append("the mitigation on file is not yet strong enough to move the government by itself")
    return (
        "Bottom line: " + "; ".join(parts) + " (each figure depends on the facts as entered and on stated "
        "assumptions; none is a promise of an outcome)."
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
