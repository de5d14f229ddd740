"""The mitigation assessment: per-factor strength and reasons, levers (after the profile), gaps, risks,
the package's completeness and a disclosure plan. Pure function of the case file and the law data."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from plealever.case.model import Case
from plealever.errors import EditionError
from plealever.guidelines.trace import NOTICE
from plealever.law.editions import edition_in_force
from plealever.law.rulebook import Rulebook, rulebook
from plealever.mitigation.evaluators import EVALUATORS, Findings
from plealever.mitigation.levers import LeverStatus, era, lever_statuses, sentencing_entrapment_stance
from plealever.mitigation.timing import disclosure_plan

BANDS = ["absent", "weak", "moderate", "strong"]
CIRCUIT_NAMES = {
    "1": "First",
    "2": "Second",
    "3": "Third",
    "4": "Fourth",
    "5": "Fifth",
    "6": "Sixth",
    "7": "Seventh",
    "8": "Eighth",
    "9": "Ninth",
    "10": "Tenth",
    "11": "Eleventh",
    "DC": "D.C.",
}


@dataclass
class Statement:
    """A sentence of the assessment and the registry ids that support it."""

    text: str
    authorities: list[str] = field(default_factory=list)


@dataclass
class Lever:
    lever: str
    label: str
    how: str
    status: str
    why: list[str]
    authorities: list[str]


@dataclass
class Factor:
    factor: str
    title: str
    band: str
    score: int
    reasons: list[Statement]
    levers: list[Lever]
    missing: list[Statement]
    risks: list[Statement]
    frame: list[Statement]
    items: list[str]

    @property
    def authorities(self) -> list[str]:
        ids: list[str] = []
        for group in (self.reasons, self.missing, self.risks, self.frame):
            for s in group:
                ids += [a for a in s.authorities if a not in ids]
        for lever in self.levers:
            ids += [a for a in lever.authorities if a not in ids]
        return ids


@dataclass
class Assessment:
    factors: list[Factor]
    package: dict[str, Any]
    levers: dict[str, LeverStatus]
    plan: list[dict[str, Any]]
    warnings: list[str]
    edition: dt.date | None
    empty: bool
    era: dict[str, Any] | None = None  # the charging memorandum in force (negotiation-policy.yaml)
    book: Rulebook = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        book = self.book
        cited = []
        for f in self.factors:
            cited += [a for a in f.authorities if a not in cited]
        for s in self.levers.values():
            cited += [a for a in s.authorities if a not in cited]
        return {
            "edition": self.edition.isoformat() if self.edition else None,
            "empty": self.empty,
            "factors": [{**asdict(f), "authorities": f.authorities} for f in self.factors],
            "package": self.package,
            "levers": {k: asdict(v) for k, v in self.levers.items()},
            "disclosure_plan": self.plan,
            "warnings": self.warnings,
            "authorities": {
                a: {
                    "cite": book.authorities[a].cite,
                    "url": book.authorities[a].url,
                    "verified": book.authorities[a].verified,
                }
                for a in cited
            },
            "notice": NOTICE,
        }


def score(
    rubric: dict[str, Any], bands: dict[str, int], findings: Findings
) -> tuple[int, str, list[Statement]]:
    """Weights from the rubric applied to the criteria met; caps applied; reasons for every point."""
    criteria = rubric["criteria"]
    met = {h.criterion: h for h in findings.hits}
    total = 0
    reasons: list[Statement] = []
    for name, hit in met.items():
        spec = criteria[name]
        weight = spec["weight"]
        points = min(weight * hit.count, spec["max"]) if spec.get("per_item") else weight
        total += points
        sign = "+" if points >= 0 else ""
        reasons.append(
            Statement(f"{sign}{points}: {spec['label']} ({'; '.join(hit.facts)})", list(spec["authorities"]))
        )
    total = max(0, min(100, total))
    if not findings.items or len(findings.pending) == len(findings.items):
        band = "absent"
    else:
        band = "strong" if total >= bands["strong"] else "moderate" if total >= bands["moderate"] else "weak"
    if band == "absent":
        reasons.append(
            Statement(
                "absent: nothing in hand for this factor"
                + (f" (still sought: {', '.join(findings.pending)})" if findings.pending else "")
            )
        )
    elif not met:
        reasons.append(
            Statement(
                f"the items in hand ({', '.join(i for i in findings.items if i not in findings.pending)}) "
                "meet no criterion of the rubric"
            )
        )
    for cap in rubric.get("caps", []):
        applies = ("unless" in cap and cap["unless"] not in met) or (
            "if_any" in cap and any(c in met for c in cap["if_any"])
        )
        if applies and BANDS.index(band) > BANDS.index(cap["max_band"]):
            band = cap["max_band"]
            reasons.append(
                Statement(f"capped at {band}: {cap['reason']}", list(_cap_authorities(rubric, cap)))
            )
    return total, band, reasons


def _cap_authorities(rubric: dict[str, Any], cap: dict[str, Any]) -> list[str]:
    names = [cap["unless"]] if "unless" in cap else cap["if_any"]
    out: list[str] = []
    for n in names:
        out += [a for a in rubric["criteria"][n]["authorities"] if a not in out]
    return out


def _edition(book: Rulebook, case: Case, today: dt.date) -> dt.date | None:
    day = case.manual or case.sentencing_date or today
    try:
        return edition_in_force(book, day, field="manual")
    except EditionError:  # an edition outside the data only drops the edition-specific frame
        return None


def assess(case: Case, *, book: Rulebook | None = None, today: dt.date | None = None) -> Assessment:
    """The mitigation assessment of `case` under the law data `book` (the bundled rulebook if omitted)."""
    book = book if book is not None else rulebook()
    today = today or dt.date.today()
    rub = book.documents["mitigation-rubric"]
    levers = lever_statuses(book, case, today)
    edition = _edition(book, case, today)
    factors: list[Factor] = []
    warnings: list[str] = []
    for name, fn in EVALUATORS.items():
        spec = rub["factors"][name]
        findings = fn(case)
        total, band, reasons = score(spec, rub["bands"], findings)
        factor = Factor(
            factor=name,
            title=spec["title"],
            band=band,
            score=total,
            reasons=reasons,
            levers=_levers(rub, name, band, findings, levers),
            missing=_missing(spec, findings),
            risks=_risks(rub, name) if findings.items else [],
            frame=_frame(book, case, name, edition),
            items=findings.items,
        )
        factors.append(factor)
    package = _package(rub, case)
    empty = not case.mitigation
    if empty:
        warnings.append(
            "No mitigation evidence is recorded. Nothing is scored; each factor lists what to look for."
        )
    plan, plan_warnings = disclosure_plan(book, case, factors, today)
    warnings += plan_warnings
    return Assessment(factors, package, levers, plan, warnings, edition, empty, era(book, case, today)[1], book)


def _levers(rub, name: str, band: str, findings: Findings, statuses: dict[str, LeverStatus]) -> list[Lever]:
    out: list[Lever] = []
    for spec in rub["factor_levers"].get(name, []):
        if BANDS.index(band) < BANDS.index(spec["min_band"]):
            continue
        if spec.get("requires") and spec["requires"] not in findings.flags:
            continue
        st = statuses[spec["lever"]]
        out.append(
            Lever(
                lever=spec["lever"],
                label=rub["levers"][spec["lever"]],
                how=spec["how"],
                status=st.status,
                why=list(st.reasons),
                authorities=list(dict.fromkeys(spec["authorities"] + st.authorities)),
            )
        )
    return out


def _missing(spec: dict[str, Any], findings: Findings) -> list[Statement]:
    met = {h.criterion for h in findings.hits}
    out = [Statement(f"still being sought: {label}") for label in findings.pending]
    if len(findings.pending) == len(findings.items):
        return out + [Statement(f"look for {what}") for what in spec["look_for"]]
    for name, c in spec["criteria"].items():
        if c["weight"] > 0 and name not in met and "alternative_of" not in c:
            out.append(Statement(f"not shown: {c['label']}", list(c["authorities"])))
    out += [Statement(f"next step: {what}") for what in spec["look_for"][:2]]
    return out


def _risks(rub, name: str) -> list[Statement]:
    d = rub["disclosure"][name]
    return [
        Statement(f"disclosing it risks: {d['risk']}", list(d["authorities"])),
        Statement(f"protection: {d['protection']}", list(d["authorities"])),
    ]


def _frame(book: Rulebook, case: Case, name: str, edition: dt.date | None) -> list[Statement]:
    """The legal frame for the factor at trial and at sentencing, by the edition in use."""
    out: list[Statement] = []
    post_2025 = edition is not None and book.at("5K2.0", edition) is None
    if name in ("mental_health", "personal_history", "coercion_duress"):
        if post_2025:
            out.append(
                Statement(
                    "sentencing: since the Nov. 2025 Manual removed departures, this is argued as a "
                    "variance under § 3553(a)",
                    ["am-836", "usc-18-3553a"],
                )
            )
        else:
            out.append(
                Statement(
                    "sentencing: under this Manual the PROTECT Act limits downward departures in "
                    "child-crime cases to grounds Chapter 5, Part K names (§5K2.0(b)); argue a "
                    "variance under § 3553(a) after Booker",
                    ["pl-108-21", "ussg-5K", "booker"],
                )
            )
    if name == "mental_health":
        out.append(
            Statement(
                "trial: insanity needs a severe mental disease leaving the defendant unable to "
                "appreciate wrongfulness, proved by clear and convincing evidence, with Rule 12.2 "
                "notice",
                ["usc-18-17", "frcrp-12.2"],
            )
        )
        out.append(
            Statement(
                "trial: mental-condition evidence may be offered only to negate the required mental "
                "state; these offenses require only knowledge, so it rarely helps",
                ["pohlot", "cameron"],
            )
        )
    if name == "coercion_duress":
        out.append(
            Statement(
                "trial: duress is a complete defense the defendant must prove by a preponderance",
                ["dixon", "ca9-duress-instr"],
            )
        )
    if name == "entrapment":
        out.append(
            Statement(
                "trial: once raised, the government must prove beyond a reasonable doubt that the "
                "defendant was predisposed before government contact",
                ["jacobson", "mathews"],
            )
        )
        stance, cites = sentencing_entrapment_stance(book, case)
        circuit = case.court.circuit
        text = {
            "accepted": "recognizes",
            "rejected": "rejects",
            "unsettled": "has no settled rule found here on",
        }[stance]
        where = f"the {CIRCUIT_NAMES[circuit]} Circuit" if circuit else "the circuit (not given)"
        out.append(Statement(f"sentencing: {where} {text} sentencing entrapment or manipulation", cites))
    if name == "cooperation":
        out.append(
            Statement(
                "only the government can move for a substantial-assistance reduction; below a "
                "mandatory minimum it needs a § 3553(e) motion",
                ["usc-18-3553e", "ussg-5K"],
            )
        )
    return out


def _package(rub, case: Case) -> dict[str, Any]:
    usable = [i for i in case.mitigation if i.status != "sought"]
    rows = []
    for row in rub["package"]["checklist"]:
        have = [i.label for i in usable if i.kind in row["kinds"]]
        sought = [i.label for i in case.mitigation if i.kind in row["kinds"] and i.status == "sought"]
        rows.append(
            {
                "id": row["id"],
                "label": row["label"],
                "complete": len(have) >= row["at_least"],
                "have": have,
                "sought": sought,
                "need": row["at_least"],
            }
        )
    done = sum(r["complete"] for r in rows)
    return {
        "complete": done,
        "of": len(rows),
        "checklist": rows,
        "next": [r["label"] for r in rows if not r["complete"]],
    }
