"""The probability of conviction at trial, defense by defense, without double counting.

It starts from a published base rate (the share of tried federal defendants who are convicted) moved
by the strength of the government's evidence. Each trial defense the assessment finds counts through
its elements: a defense succeeds only if every element is met, and only as well as its weakest
element is provable; a defense missing an element keeps a small residual. Defenses resting on the
same evidence items are one line of defense (the stronger counts, never both); independent lines
combine, and all of them together are capped. Every number is a named parameter of
law/data/outcome-model.yaml, so the robustness check can vary it.

The elements come from the mitigation assessment (a trial-defense Factor's `elements`: each with
`element`, `met`, `provability` and `items`). Where the assessment gives none, they are read from the
evidence items themselves (`_fallback_elements`), in the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("absent", "weak", "moderate", "strong")
# The factor whose elements are a trial defense, and the defense's name.
TRIAL_DEFENSES = {
    "entrapment": "entrapment",
    "coercion_duress": "duress",
    "knowledge": "knowledge",
    "mental_health": "insanity",
}
PARAMETERS = (
    "trial_conviction_rate",
    "evidence_odds_strong",
    "evidence_odds_weak",
    "defense_success_strong",
    "defense_success_moderate",
    "defense_success_weak",
    "missing_element_residual",
    "defense_acquittal_cap",
)


@dataclass(frozen=True)
class ElementView:
    """One element as the odds read it."""

    element: str
    met: bool | None
    provability: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Defense:
    """A trial defense: its elements, the level its weakest element reaches (None if one is missing),
    and the evidence items it rests on."""

    name: str
    factor: str
    elements: tuple[ElementView, ...]
    items: frozenset[str]
    source: str  # "elements" (from the assessment) or "evidence" (read from the items)

    @property
    def missing(self) -> list[str]:
        return [e.element for e in _merged(self.elements) if not _present(e)]

    @property
    def level(self) -> str | None:
        merged = _merged(self.elements)
        if not merged or any(not _present(e) for e in merged):
            return None
        return min((e.provability for e in merged), key=LEVELS.index)


@dataclass
class Conviction:
    probability: float
    base: float  # before defenses
    defense_gain: float  # the share of the conviction probability the defenses remove (after the cap)
    lines: list[dict[str, Any]] = field(default_factory=list)  # each independent line of defense
    basis: list[str] = field(default_factory=list)


def _present(e: ElementView) -> bool:
    return e.met is not False and e.provability != "absent"


def _merged(elements: tuple[ElementView, ...]) -> list[ElementView]:
    """One entry per element name: met if any entry is met, defeated only if every entry is; the best
    provability among the entries that are not defeated."""
    out: dict[str, ElementView] = {}
    for e in elements:
        prev = out.get(e.element)
        if prev is None:
            out[e.element] = e
            continue
        met = True if (prev.met or e.met) else (False if prev.met is False and e.met is False else None)
        alive = [x for x in (prev, e) if x.met is not False]
        prov = max((x.provability for x in alive), key=LEVELS.index) if alive else "absent"
        out[e.element] = ElementView(e.element, met, prov, tuple(dict.fromkeys(prev.items + e.items)))
    return list(out.values())


def success(values: Mapping[str, Any], level: str | None) -> float:
    """The chance one line of defense produces an acquittal, by its weakest element's level; never
    lower for a better level, and a missing element never beats a weak one."""
    weak = float(values["defense_success_weak"])
    moderate = max(weak, float(values["defense_success_moderate"]))
    strong = max(moderate, float(values["defense_success_strong"]))
    table = {"weak": weak, "moderate": moderate, "strong": strong}
    if level is None or level == "absent":
        return min(float(values["missing_element_residual"]), weak)
    return table[level]


def base_probability(values: Mapping[str, Any], evidence: str) -> float:
    """The published trial conviction rate, its odds moved by the strength of the evidence."""
    rate = float(values["trial_conviction_rate"])
    odds = rate / (1 - rate)
    if evidence == "strong":
        odds *= float(values["evidence_odds_strong"])
    elif evidence == "weak":
        odds *= float(values["evidence_odds_weak"])
    return odds / (1 + odds)


def lines_of_defense(defenses: list[Defense]) -> list[list[Defense]]:
    """Defenses that share an evidence item are one line (connected through shared items)."""
    groups: list[list[Defense]] = []
    for d in defenses:
        joined = [g for g in groups if any(d.items & other.items for other in g)]
        merged = [d] + [x for g in joined for x in g]
        groups = [g for g in groups if g not in joined] + [merged]
    return groups


def conviction(values: Mapping[str, Any], evidence: str, defenses: list[Defense]) -> Conviction:
    base = base_probability(values, evidence)
    basis = [
        f"base {base:.0%}: the trial conviction rate {float(values['trial_conviction_rate']):.0%} (published: "
        f"federal trials FY2018 and FY2022) with the odds for {evidence} evidence (assumption)"
    ]
    lines = []
    survive = 1.0
    for group in lines_of_defense(defenses):
        scored = [(success(values, d.level), d) for d in group]
        p, best = max(scored, key=lambda pd: pd[0])
        survive *= 1 - p
        names = [d.name for d in group]
        what = (
            f"{best.name}: every element met, weakest {best.level}"
            if best.level
            else f"{best.name}: missing {', '.join(best.missing)}"
        )
        shared = f" (one line with {', '.join(n for n in names if n != best.name)}: the same evidence)" if len(group) > 1 else ""
        basis.append(f"{what}: acquittal chance {p:.0%}{shared}")
        lines.append(
            {
                "defenses": names,
                "counted": best.name,
                "level": best.level,
                "missing": best.missing,
                "success": round(p, 3),
                "items": sorted(set().union(*(d.items for d in group))),
            }
        )
    cap = float(values["defense_acquittal_cap"])
    gain = 1 - survive
    if gain > cap:
        basis.append(f"defenses together capped at removing {cap:.0%} of the conviction probability (assumption)")
        gain = cap
    return Conviction(base * (1 - gain), base, gain, lines, basis)


# --- reading the defenses from the assessment ---------------------------------------------------------


def defenses_from(assessment: Any, case: Any) -> list[Defense]:
    """The trial defenses the assessment's factors raise (those with evidence in hand)."""
    out = []
    for factor in assessment.factors:
        name = TRIAL_DEFENSES.get(factor.factor)
        if name is None:
            continue
        raw = getattr(factor, "elements", None)
        if raw:
            elements = tuple(
                ElementView(
                    _get(e, "element"),
                    _get(e, "met"),
                    _get(e, "provability"),
                    tuple(_get(e, "items") or ()),
                )
                for e in raw
            )
            source = "elements"
        else:
            elements = _fallback_elements(factor.factor, case)
            source = "evidence"
        # A defense is raised only when the evidence affirmatively meets one of its elements (an
        # evaluation that names a condition but gives no insanity opinion raises no insanity defense).
        if not any(e.met is True and _present(e) for e in elements):
            continue
        items = frozenset(i for e in elements for i in e.items) or frozenset(factor.items)
        out.append(Defense(name, factor.factor, elements, items, source))
    return out


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key)


def _fallback_elements(factor: str, case: Any) -> tuple[ElementView, ...]:
    """The elements of a defense read from the evidence items when the assessment lists none."""
    items = [i for i in case.mitigation if i.status != "sought"]
    if factor == "coercion_duress":
        out = []
        for i in (x for x in items if x.kind == "coercion_duress"):
            corroborated = bool(i.independent_corroboration)
            level = "strong" if corroborated and i.reported_at_the_time else "moderate" if corroborated else "weak"
            serious = i.threat in ("death_or_serious_injury", "sexual_violence")
            out += [
                # Duress needs a present, immediate or impending threat of death or serious injury.
                ElementView("threat", serious and i.immediate, level if serious and i.immediate else "absent", (i.label,)),
                ElementView("no_alternative", not i.reasonable_escape, level if not i.reasonable_escape else "absent", (i.label,)),
                ElementView("fear", None, level, (i.label,)),
            ]
        return tuple(out)
    if factor == "entrapment":
        out = []
        for i in (x for x in items if x.kind == "entrapment"):
            induced = i.initiated_by == "government" and (bool(i.inducements) or i.government_approaches >= 3)
            record = "strong" if i.source == "government_discovery" else "moderate"
            predisposed = i.prior_interest_or_collection or i.prior_related_conviction or i.ready_response
            out += [
                ElementView("inducement", induced, record if induced else "absent", (i.label,)),
                ElementView(
                    "no_predisposition",
                    not predisposed,
                    "absent" if predisposed else ("moderate" if i.defendant_reluctance else "weak"),
                    (i.label,),
                ),
            ]
        return tuple(out)
    if factor == "knowledge":
        out = []
        for i in (x for x in items if x.kind == "knowledge_forensic"):
            level = "moderate" if i.defense_examiner else "weak"
            out.append(ElementView("innocent_explanation", True, level, (i.label,)))
        return tuple(out)
    if factor == "mental_health":
        from plealever.case.evidence import PROFESSIONAL

        opinions = [x for x in items if x.kind == "psych_evaluation" and x.insanity_opinion]
        if not opinions:
            return ()
        level = "moderate" if any(x.source in PROFESSIONAL for x in opinions) else "weak"
        labels = tuple(x.label for x in opinions)
        return (
            ElementView("severe_disease", True, level, labels),
            ElementView("unable_to_appreciate", True, level, labels),
        )
    return ()

