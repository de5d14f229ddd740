"""One evaluator per mitigation factor: which rubric criteria the evidence meets, and on what facts;
for the trial defenses, each element of the defense as the governing law states it.

Evaluators only read the case file; weights, caps, bands, provability levels and the element lists
live in law data (mitigation-rubric.yaml, circuit-law.yaml). Evidence still being sought is not
scored: it is listed as pending corroboration instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

from plealever.case.evidence import PROFESSIONAL, History
from plealever.case.model import Case
from plealever.law.rulebook import Rulebook

LEVELS = ["absent", "weak", "moderate", "strong"]
SERIOUS_THREATS = ("death_or_serious_injury", "sexual_violence")
# Control over these leaves no easy way out; the others (employment) bear on fear only through violence.
CONFINING = {"devices", "accounts", "money", "movement", "housing", "communications", "documents"}


@dataclass
class Hit:
    """A criterion met: `count` for per-item criteria, `facts` the items or facts that met it."""

    criterion: str
    facts: list[str]
    count: int = 1


@dataclass
class Element:
    """One element of a trial defense: met (True), defeated (False) or unknown (None), how provable
    the evidence makes it, why, and the items it rests on."""

    element: str
    label: str
    met: bool | None
    provability: str
    reasons: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)

    @property
    def level(self) -> int:
        return LEVELS.index(self.provability)


@dataclass
class Findings:
    hits: list[Hit] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # every item that bears on the factor
    pending: list[str] = field(default_factory=list)  # items still sought
    flags: set[str] = field(default_factory=set)
    elements: list[Element] = field(default_factory=list)
    candidates: list[list[Element]] = field(default_factory=list)  # whole episodes, judged one by one
    notes: list[str] = field(default_factory=list)  # facts the factor explains outside the criteria

    def add(self, criterion: str, *facts: str, count: int = 1) -> None:
        self.hits.append(Hit(criterion, list(facts), count))


@dataclass
class Context:
    """What every evaluator needs beyond the case: the law data and facts found across the file."""

    book: Rulebook
    source_level: dict[str, int]
    duress_elements: list[str]
    admissions: dict[str, list[str]]  # admission -> labels of in-hand or disclosed items recording it

    @classmethod
    def build(cls, book: Rulebook, case: Case) -> Context:
        rub = book.documents["mitigation-rubric"]
        elements, _ = book.circuit_law.duress_elements(case.court.circuit)
        admissions: dict[str, list[str]] = {}
        for item in case.mitigation:
            if item.status != "sought":
                for a in item.admissions:
                    admissions.setdefault(a, []).append(item.label)
        return cls(
            book=book,
            source_level={k: LEVELS.index(v) for k, v in rub["provability"]["source"].items()},
            duress_elements=elements,
            admissions=admissions,
        )

    def element(self, defense: str, name: str, met: bool | None, level: int, reasons, items) -> Element:
        spec = self.book.circuit_law.elements[defense][name]
        level = max(0, min(3, level)) if met is not False else 0
        return Element(
            name,
            spec.label,
            met,
            LEVELS[level],
            list(reasons),
            list(dict.fromkeys(items)),
            list(spec.authorities),
        )


EVALUATORS: dict[str, Callable[[Case, Context], Findings]] = {}

FACTOR_KINDS = {
    "mental_health": {
        "psych_evaluation",
        "treatment_records",
        "risk_assessment",
        "sex_offense_treatment",
        "lay_account",
    },
    "coercion_duress": {"coercion_duress", "coercive_control"},
    "entrapment": {"entrapment"},
    "knowledge": {"knowledge_forensic"},
    "cooperation": {"cooperation"},
    # Letters plus every history kind the evidence model defines, so a new kind cannot be forgotten here.
    "personal_history": {"support_letter", *get_args(History.model_fields["kind"].annotation)},
}


def bears_on(item: Any, factor: str) -> bool:
    """Whether an item counts for a factor. A support letter that describes a condition is also lay
    mental-health evidence."""
    if item.kind in FACTOR_KINDS[factor]:
        return True
    return factor == "mental_health" and item.kind == "support_letter" and bool(item.describes_condition)


def evaluator(factor: str):
    def register(fn: Callable[[Case, Context], Findings]) -> Callable[[Case, Context], Findings]:
        EVALUATORS[factor] = fn
        return fn

    return register


def _split(case: Case, factor: str) -> tuple[Findings, list]:
    f = Findings()
    usable = []
    for item in case.mitigation:
        if not bears_on(item, factor):
            continue
        f.items.append(item.label)
        if item.status == "sought":
            f.pending.append(item.label)
        else:
            usable.append(item)
    return f, usable


def _corroboration_steps(n: int) -> int:
    """One independent source raises provability a level, two or more raise it two."""
    return 0 if n == 0 else 1 if n == 1 else 2


# --- mental health -----------------------------------------------------------------------------


@evaluator("mental_health")
def mental_health(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "mental_health")
    for item in items:
        if item.kind == "psych_evaluation":
            if item.source in PROFESSIONAL:
                f.add("professional_evaluation", f"{item.label} ({item.source.replace('_', ' ')})")
            if item.nexus_to_conduct == "explained":
                f.add("nexus_explained", item.label)
            elif item.nexus_to_conduct == "asserted":
                f.add("nexus_asserted", item.label)
            if item.recidivism_opinion == "low":
                f.add("favorable_prognosis", item.label)
            if item.insanity_opinion:
                f.flags.add("insanity_opinion")
        elif item.kind == "treatment_records":
            if item.period == "before_arrest":
                f.add("pre_arrest_corroboration", item.label)
            else:
                f.add("treatment_engaged", f"{item.label} (treatment after arrest)")
        elif item.kind == "risk_assessment" and item.validated_for_offense:
            score = f" {item.score:g}" if item.score is not None else ""
            if item.risk_band == "low":
                f.add("validated_low_risk", f"{item.label}: {item.instrument}{score} low")
            elif item.risk_band == "moderate":
                f.add("validated_moderate_risk", f"{item.label}: {item.instrument}{score} moderate")
        elif item.kind == "sex_offense_treatment" and item.progress in ("engaged", "completed"):
            f.add("treatment_engaged", f"{item.label} ({item.progress})")
        elif item.kind == "lay_account":
            fact = f"{item.label}: {item.relationship} describes {item.condition}"
            if item.first_hand and item.observed == "before_arrest":
                f.add("lay_account_contemporaneous", fact + " before the arrest")
            else:
                f.add(
                    "lay_account",
                    fact + (" after the arrest" if item.observed == "after_arrest" else ", second-hand"),
                )
        elif item.kind == "support_letter":  # a letter that describes a condition
            f.add("lay_account", f"{item.label}: {item.relationship} describes {item.describes_condition}")
    _once(f)
    f.elements = _insanity(items, ctx)
    return f


def _insanity(items: list, ctx: Context) -> list[Element]:
    evals = [i for i in items if i.kind == "psych_evaluation" and i.source in PROFESSIONAL]
    severe = [e for e in evals if e.insanity_opinion or e.severe_disease_at_offense]
    opinions = [e for e in evals if e.insanity_opinion]
    records = [i for i in items if i.kind == "treatment_records" and i.period == "before_arrest"]
    lay = [i for i in items if i.kind in ("lay_account", "support_letter")]
    out = []
    if severe:
        level = 2 + (1 if records or len(severe) >= 2 else 0)
        why = [
            f"{e.label} finds a severe mental disease or defect at the time of the offense" for e in severe
        ]
        if records:
            why.append(
                f"corroborated by records made before the arrest ({', '.join(r.label for r in records)})"
            )
        out.append(
            ctx.element(
                "insanity",
                "severe_disease",
                True,
                level,
                why,
                [e.label for e in severe] + [r.label for r in records],
            )
        )
    else:
        some = [i.label for i in records + lay]
        why = ["no professional evaluation finds a severe mental disease or defect"]
        if some:
            why.append(
                f"records or accounts of a condition ({', '.join(some)}) do not establish its severity"
            )
        out.append(ctx.element("insanity", "severe_disease", None, 1 if some else 0, why, some))
    if opinions:
        level = 2 + (1 if len(opinions) >= 2 else 0)
        why = [f"{e.label} opines he could not appreciate the wrongfulness of his acts" for e in opinions]
        if len(opinions) < 2:
            why.append("one opinion; the defense must prove it by clear and convincing evidence")
        out.append(
            ctx.element("insanity", "unable_to_appreciate", True, level, why, [e.label for e in opinions])
        )
    else:
        why = ["no evaluation opines that he could not appreciate the nature or wrongfulness of his acts"]
        out.append(ctx.element("insanity", "unable_to_appreciate", None, 0, why, []))
    return out


# --- coercion and duress -----------------------------------------------------------------------


def _same_person(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def _control_level(c, ctx: Context) -> int:
    return min(
        3,
        ctx.source_level[c.source]
        + _corroboration_steps(len(c.independent_corroboration))
        + (1 if c.reported_at_the_time else 0),
    )


def _control_fact(c) -> str:
    months = c.duration_months()
    how_long = f" for {months} months" if months is not None else ""
    corr = (
        f" (corroborated by {', '.join(c.independent_corroboration)})" if c.independent_corroboration else ""
    )
    return f"{c.label}: {c.controller} controlled his {', '.join(c.over)}{how_long}{corr}"


@evaluator("coercion_duress")
def coercion(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "coercion_duress")
    episodes = [i for i in items if i.kind == "coercion_duress"]
    controls = [i for i in items if i.kind == "coercive_control"]
    for c in controls:
        f.notes.append(_control_fact(c) + (", with violence or threats of it" if c.violence else ""))
    if not items:
        f.elements = [
            ctx.element("duress", e, None, 0, ["nothing in hand for this element"], [])
            for e in ctx.duress_elements
        ]
        return f
    # Each threat episode is judged with the control its maker exercised; control by someone who made
    # no recorded threat is judged on its own. The best-supported candidate is the factor's.
    candidates = [
        _episode(e, [c for c in controls if _same_person(c.controller, e.made_by)], ctx) for e in episodes
    ]
    matched = {c.label for e in episodes for c in controls if _same_person(c.controller, e.made_by)}
    unmatched = [c for c in controls if c.label not in matched]
    if unmatched:
        candidates.append(_control_only(unmatched, ctx))
    f.candidates = candidates
    f.elements = candidates[0]
    return f


def _episode(item, controls: list, ctx: Context) -> list[Element]:
    base = ctx.source_level[item.source]
    corr = _corroboration_steps(len(item.independent_corroboration))
    reported = 1 if item.reported_at_the_time else 0
    label = item.label
    corr_why = (
        f"corroborated by {', '.join(item.independent_corroboration)}"
        if item.independent_corroboration
        else f"rests on the {item.source.replace('_', ' ')}'s account without independent corroboration"
    )
    ctrl_labels = [c.label for c in controls]
    ctrl_level = max((_control_level(c, ctx) for c in controls), default=0)
    out = []
    for name in ctx.duress_elements:
        if name == "threat":
            kind = item.threat.replace("_", " ")
            if item.threat not in SERIOUS_THREATS:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [
                            f"{label}: a threat of {kind} by {item.made_by} is not a threat of death or serious bodily injury; "
                            "duress fails, the coercion remains a sentencing argument"
                        ],
                        [label],
                    )
                )
            elif not item.immediate:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [
                            f"{label}: the threat of {kind} by {item.made_by} was not present, immediate or impending when "
                            "the conduct occurred"
                        ],
                        [label],
                    )
                )
            else:
                why = [f"{label}: an immediate threat of {kind} by {item.made_by}", corr_why]
                if item.threat == "sexual_violence":
                    why.append("sexual violence is treated as serious bodily injury")
                if reported:
                    why.append("reported to someone at the time")
                out.append(ctx.element("duress", name, True, base + corr + reported, why, [label]))
        elif name == "fear":
            violent = [c for c in controls if c.violence]
            if item.maker_capable is False:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [
                            f"{label}: the maker had shown neither the will nor the means to carry the threat out"
                        ],
                        [label],
                    )
                )
            elif item.maker_capable or violent:
                why = (
                    [f"{label}: {item.made_by} had shown the will and means to carry it out"]
                    if item.maker_capable
                    else []
                )
                why += [f"{c.label}: the controller used or threatened violence" for c in violent]
                level = max(
                    base + corr + reported if item.maker_capable else 0,
                    max((_control_level(c, ctx) for c in violent), default=0),
                )
                out.append(
                    ctx.element("duress", name, True, level, why, [label] + [c.label for c in violent])
                )
            else:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        None,
                        0,
                        [
                            f"{label}: not stated whether {item.made_by} had shown the will and means to carry the threat "
                            "out (maker_capable)"
                        ],
                        [label],
                    )
                )
        elif name == "no_alternative":
            if item.reasonable_escape:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [f"{label}: he had a reasonable opportunity to escape the threat or report it"],
                        [label],
                    )
                )
            else:
                confining = [c for c in controls if CONFINING & set(c.over)]
                why = [f"{label}: no reasonable opportunity to escape or report", corr_why]
                why += [
                    f"{c.label}: control over his {', '.join(sorted(CONFINING & set(c.over)))}"
                    for c in confining
                ]
                level = max(base + corr, max((_control_level(c, ctx) for c in confining), default=0))
                out.append(
                    ctx.element("duress", name, True, level, why, [label] + [c.label for c in confining])
                )
        elif name == "not_reckless":
            if item.placed_self_in_danger:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [
                            f"{label}: he recklessly or negligently placed himself where the threat was probable"
                        ],
                        [label],
                    )
                )
            elif item.placed_self_in_danger is False:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        True,
                        base + corr,
                        [f"{label}: he did not place himself in the situation", corr_why],
                        [label],
                    )
                )
            else:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        None,
                        0,
                        [f"{label}: not stated how he came to be in the situation (placed_self_in_danger)"],
                        [label],
                    )
                )
        elif name == "causation":
            if item.threat_compelled_the_conduct:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        True,
                        base + corr,
                        [f"{label}: the threat was made to compel the charged conduct", corr_why],
                        [label],
                    )
                )
            elif item.threat_compelled_the_conduct is False:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        False,
                        0,
                        [f"{label}: the threat was not aimed at the charged conduct"],
                        [label],
                    )
                )
            else:
                out.append(
                    ctx.element(
                        "duress",
                        name,
                        None,
                        0,
                        [
                            f"{label}: not stated whether the threat was made to compel the conduct "
                            "(threat_compelled_the_conduct)"
                        ],
                        [label],
                    )
                )
    if ctrl_labels and ctrl_level:
        for e in out:
            if e.met and e.element in ("fear", "no_alternative"):
                e.items = list(dict.fromkeys(e.items + ctrl_labels))
    return out


def _control_only(controls: list, ctx: Context) -> list[Element]:
    """Coercive control without a recorded threat of death or injury: it can show fear and the lack
    of a way out, never the threat itself."""
    out = []
    for name in ctx.duress_elements:
        if name == "fear" and any(c.violence for c in controls):
            violent = [c for c in controls if c.violence]
            out.append(
                ctx.element(
                    "duress",
                    name,
                    True,
                    max(_control_level(c, ctx) for c in violent),
                    [f"{c.label}: the controller used or threatened violence" for c in violent],
                    [c.label for c in violent],
                )
            )
        elif name == "no_alternative" and any(CONFINING & set(c.over) for c in controls):
            confining = [c for c in controls if CONFINING & set(c.over)]
            out.append(
                ctx.element(
                    "duress",
                    name,
                    True,
                    max(_control_level(c, ctx) for c in confining),
                    [_control_fact(c) for c in confining],
                    [c.label for c in confining],
                )
            )
        elif name == "threat":
            out.append(
                ctx.element(
                    "duress",
                    name,
                    None,
                    0,
                    ["no threat of death or serious bodily injury is recorded; control alone is not duress"],
                    [],
                )
            )
        else:
            out.append(ctx.element("duress", name, None, 0, ["not shown by the control evidence"], []))
    return out


# --- entrapment --------------------------------------------------------------------------------


@evaluator("entrapment")
def entrapment(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "entrapment")
    if not items:
        f.elements = [
            ctx.element("entrapment", e, None, 0, ["nothing in hand for this element"], [])
            for e in ("inducement", "no_predisposition")
        ]
        return f
    f.elements = [_inducement(items, ctx), _predisposition(items, ctx)]
    approaches = max(i.government_approaches for i in items)
    if approaches:
        f.notes.append(f"{approaches} government approaches before he agreed")
    return f


def _inducement(items: list, ctx: Context) -> Element:
    gov = [i for i in items if i.initiated_by == "government"]
    labels = [i.label for i in items]
    if not gov:
        if all(i.initiated_by == "defendant" for i in items):
            return ctx.element(
                "entrapment",
                "inducement",
                False,
                0,
                ["the defendant first proposed the crime (initiated_by: defendant)"],
                labels,
            )
        return ctx.element(
            "entrapment", "inducement", None, 0, ["who first proposed the crime is not established"], labels
        )
    kinds = sorted({k for i in gov for k in i.inducements})
    approaches = max(i.government_approaches for i in gov)
    strength = len(kinds) + (1 if approaches >= 3 else 0)
    gl = [i.label for i in gov]
    if strength == 0:
        return ctx.element(
            "entrapment",
            "inducement",
            False,
            0,
            [
                "the government first proposed it but offered only an opportunity: no persuasion, persistence or "
                "appeal is recorded"
            ],
            gl,
        )
    source = max(ctx.source_level[i.source] for i in gov)
    why = [f"the government first proposed the crime ({', '.join(gl)})"]
    if kinds:
        why.append("inducements: " + ", ".join(k.replace("_", " ") for k in kinds))
    if approaches >= 3:
        why.append(f"{approaches} approaches (persistence)")
    why.append(f"shown by the {', '.join(sorted({i.source.replace('_', ' ') for i in gov}))}")
    return ctx.element("entrapment", "inducement", True, min(1 + strength, source), why, gl)


def _predisposition(items: list, ctx: Context) -> Element:
    refuting = []
    for i in items:
        facts = [
            name
            for name, on in (
                ("interest in or collection of such material before contact", i.prior_interest_or_collection),
                ("a prior related conviction", i.prior_related_conviction),
                ("a ready response to the first approach", i.ready_response),
                ("a device search showing earlier interest", i.devices_clean is False),
            )
            if on
        ]
        if facts:
            refuting.append((i.label, facts))
    labels = [i.label for i in items]
    if refuting:
        return ctx.element(
            "entrapment",
            "no_predisposition",
            False,
            0,
            [f"{lab}: {', '.join(fs)} (predisposition)" for lab, fs in refuting],
            [lab for lab, _ in refuting],
        )
    reluctant = [i for i in items if i.defendant_reluctance]
    clean = [i for i in items if i.devices_clean]
    support = (1 if reluctant else 0) + (1 if clean else 0)
    why = ["no interest, material, prior conviction or ready response before government contact is recorded"]
    if reluctant:
        why.append(f"reluctance shown in {', '.join(i.label for i in reluctant)}")
    if clean:
        why.append(f"a device search found no earlier interest ({', '.join(i.label for i in clean)})")
    if not support:
        why.append("only the absence of evidence: no reluctance or clean device search is recorded")
    source = max(ctx.source_level[i.source] for i in (reluctant + clean or items))
    level = min(1 + support, max(source, 1))
    if ctx.admissions.get("sexual_interest_in_minors"):
        level = max(1, level - 1)
        why.append(
            "lowered: "
            + ", ".join(ctx.admissions["sexual_interest_in_minors"])
            + " records a sexual interest in minors, which the government will offer as predisposition"
        )
    return ctx.element(
        "entrapment", "no_predisposition", True, level, why, [i.label for i in reluctant + clean] or labels
    )


# --- knowledge ---------------------------------------------------------------------------------


@evaluator("knowledge")
def knowledge(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "knowledge")
    if not items:
        f.elements = [
            ctx.element("knowledge", e, None, 0, ["nothing in hand for this element"], [])
            for e in ("innocent_explanation", "no_knowing_act")
        ]
        return f
    issues = sorted({x for i in items for x in i.issues})
    inculpatory = sorted({x for i in items for x in (i.inculpatory or [])})
    examined = [i for i in items if i.defense_examiner]
    looked = [i for i in items if i.inculpatory is not None]
    admitted = ctx.admissions.get("the_charged_conduct", [])
    with_issues = [i for i in items if i.issues]
    els = []
    if issues:
        level = min(1 + (1 if len(issues) >= 2 else 0) + (1 if examined else 0), 3 if examined else 2)
        why = ["exculpatory forensic facts: " + ", ".join(x.replace("_", " ") for x in issues)]
        why.append(
            "reviewed by a defense examiner"
            if examined
            else "no defense examiner has reviewed the images, so it cannot be more than moderate"
        )
        if inculpatory:
            level -= len(inculpatory)
            why.append(
                "lowered by the inculpatory facts: " + ", ".join(x.replace("_", " ") for x in inculpatory)
            )
        met = level > 0
        if not met:
            why.append("the inculpatory facts leave no innocent explanation standing")
        els.append(
            ctx.element("knowledge", "innocent_explanation", met, level, why, [i.label for i in with_issues])
        )
    else:
        els.append(
            ctx.element(
                "knowledge", "innocent_explanation", None, 0, ["no exculpatory forensic fact is recorded"], []
            )
        )
    if inculpatory or admitted:
        why = []
        if inculpatory:
            why.append(
                "forensic facts showing knowledge: " + ", ".join(x.replace("_", " ") for x in inculpatory)
            )
        if admitted:
            why.append(f"{', '.join(admitted)} records an admission of the charged conduct")
        els.append(
            ctx.element(
                "knowledge",
                "no_knowing_act",
                False,
                0,
                why,
                [i.label for i in items if i.inculpatory] + admitted,
            )
        )
    elif looked:
        level = (
            3 if any(i.defense_examiner for i in looked) else max(ctx.source_level[i.source] for i in looked)
        )
        els.append(
            ctx.element(
                "knowledge",
                "no_knowing_act",
                True,
                level,
                [
                    f"{', '.join(i.label for i in looked)} found no user-created folders, organisation, repeated access, "
                    "search terms or admissions"
                ],
                [i.label for i in looked],
            )
        )
    else:
        els.append(
            ctx.element(
                "knowledge",
                "no_knowing_act",
                None,
                0,
                [
                    "no examination has reported whether folders, organisation, repeated access or search terms show "
                    "knowledge (inculpatory not stated)"
                ],
                [],
            )
        )
    f.elements = els
    return f


# --- cooperation and personal history ----------------------------------------------------------


@evaluator("cooperation")
def cooperation(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "cooperation")
    for item in items:
        if item.value == "high":
            f.add("valuable_information", item.label)
        elif item.value == "moderate":
            f.add("moderate_information", item.label)
        if item.early:
            f.add("early", item.label)
        if not item.safety_risk:
            f.add("safe", item.label)
    _once(f)
    return f


@evaluator("personal_history")
def personal_history(case: Case, ctx: Context) -> Findings:
    f, items = _split(case, "personal_history")
    letters = [i.label for i in items if i.kind == "support_letter" and i.knows_of_offense]
    if letters:
        f.add("support_letters", *letters, count=len(letters))
    history = [
        i.label
        for i in items
        if i.kind not in ("support_letter", "post_offense_rehabilitation") and i.corroborated_by_records
    ]
    if history:
        f.add("corroborated_history", *history, count=len(history))
    rehab = [i.label for i in items if i.kind == "post_offense_rehabilitation" and i.corroborated_by_records]
    if rehab:
        f.add("rehabilitation", *rehab)
    return f


# Where two criteria grade the same thing, the better one replaces the lesser.
SUPERSEDES = {
    "nexus_explained": "nexus_asserted",
    "validated_low_risk": "validated_moderate_risk",
    "valuable_information": "moderate_information",
    "lay_account_contemporaneous": "lay_account",
}


def _once(f: Findings) -> None:
    """A boolean criterion counts once however many items meet it; keep every item as a fact."""
    merged: dict[str, Hit] = {}
    for hit in f.hits:
        if hit.criterion in merged and hit.count == 1:
            merged[hit.criterion].facts += hit.facts
        else:
            merged.setdefault(hit.criterion, hit)
    for better, lesser in SUPERSEDES.items():
        if better in merged:
            merged.pop(lesser, None)
    f.hits = list(merged.values())
