"""The value of investigation: which missing piece of mitigation is worth developing first.

For each piece the assessment lists as missing (a professional evaluation, treatment records from
before the arrest, a validated risk assessment, a defense forensic review, the support letters and
history of the package checklist, and every item still being sought), the case is re-assessed as if
the piece came back favourable; the best available outcome (the recommended option's expected months)
is priced again; and the saving is weighted by a stated chance that the piece does come back
favourable (a named assumption of law/data/outcome-model.yaml). Time and money limit how much
mitigation can be developed before plea pressure mounts, so the ranking says where to start.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter, ValidationError

from plealever.case.evidence import EvidenceItem
from plealever.case.model import Case
from plealever.law.rulebook import Rulebook
from plealever.mitigation.assess import Assessment, assess
from plealever.negotiation import odds

_ITEM = TypeAdapter(EvidenceItem)
HYPOTHETICAL = "(if obtained)"

# Checklist row -> what a favourable result would add, and the assumption giving its chance.
CANDIDATES: dict[str, tuple[str, list[dict[str, Any]], str]] = {
    "evaluations": (
        "a professional psychological or psychosexual evaluation",
        [
            {
                "kind": "psych_evaluation",
                "source": "licensed_psychologist",
                "nexus_to_conduct": "explained",
                "recidivism_opinion": "low",
            }
        ],
        "favourable_evaluation",
    ),
    "records": (
        "treatment or diagnosis records from before the arrest",
        [{"kind": "treatment_records", "source": "records_custodian", "period": "before_arrest"}],
        "favourable_records",
    ),
    "risk": (
        "a validated risk assessment (CPORT)",
        [
            {
                "kind": "risk_assessment",
                "source": "licensed_psychologist",
                "instrument": "CPORT",
                "risk_band": "low",
                "validated_for_offense": True,
            }
        ],
        "favourable_risk_assessment",
    ),
    "treatment": (
        "enrollment in sex-offense-specific treatment",
        [{"kind": "sex_offense_treatment", "source": "treating_clinician", "progress": "engaged"}],
        "favourable_other",
    ),
    "letters": (
        "support letters from people who know of the offense",
        [
            {"kind": "support_letter", "source": "family", "relationship": "family", "knows_of_offense": True},
            {"kind": "support_letter", "source": "employer", "relationship": "employer", "knows_of_offense": True},
            {"kind": "support_letter", "source": "friend", "relationship": "friend", "knows_of_offense": True},
        ],
        "favourable_other",
    ),
    "social_history": (
        "a documented social history",
        [
            {"kind": "employment", "source": "records_custodian", "corroborated_by_records": True},
            {"kind": "education", "source": "records_custodian", "corroborated_by_records": True},
        ],
        "favourable_other",
    ),
}


def _items(raw: list[dict[str, Any]], what: str) -> list | None:
    out = []
    for i, fields in enumerate(raw):
        try:
            out.append(_ITEM.validate_python({**fields, "label": f"{what} {HYPOTHETICAL} {i + 1}", "status": "in_hand"}))
        except ValidationError:  # the evidence model changed shape: this candidate cannot be priced
            return None
    return out


def candidates(case: Case, assessment: Assessment) -> list[tuple[str, str, list, str]]:
    """(id, what, the items a favourable result adds or replaces, the chance parameter) for each gap."""
    out = []
    sought = [i for i in case.mitigation if i.status == "sought"]
    sought_kinds = {i.kind for i in sought}
    for row in assessment.package["checklist"]:
        if row["complete"] or row["id"] not in CANDIDATES:
            continue
        what, raw, chance = CANDIDATES[row["id"]]
        if any(k in sought_kinds for k in row.get("kinds", [])):
            continue  # the item being sought is priced itself, below
        items = _items(raw, what)
        if items is not None:
            out.append((f"obtain:{row['id']}", what, items, chance))
    forensic = [i for i in case.mitigation if i.kind == "knowledge_forensic" and not i.defense_examiner and i.status != "sought"]
    if forensic:
        reviewed = [i.model_copy(update={"defense_examiner": True}) for i in forensic]
        out.append(("obtain:forensic_review", "a defense forensic review of the device images", reviewed, "favourable_forensic_review"))
    for item in sought:
        chance = {
            "psych_evaluation": "favourable_evaluation",
            "treatment_records": "favourable_records",
            "risk_assessment": "favourable_risk_assessment",
            "knowledge_forensic": "favourable_forensic_review",
        }.get(item.kind, "favourable_other")
        out.append((f"item:{item.label}", f"{item.label} (being sought)", [item.model_copy(update={"status": "in_hand"})], chance))
    return out


def rank(case: Case, assessment: Assessment, pricer, *, book: Rulebook, today: dt.date) -> list[dict[str, Any]]:
    """Every candidate with its chance, the best outcome if it comes back favourable, and the expected
    saving in months (chance x saving), highest first."""
    from plealever.negotiation.compare import cooperation_band, profile

    best, expected = pricer.choose()
    now = expected[best]
    out = []
    for cid, what, items, chance_name in candidates(case, assessment):
        replaced = {i.label for i in items}
        mitigation = [i for i in case.mitigation if i.label not in replaced] + items
        hypothetical = case.model_copy(update={"mitigation": mitigation})
        after = assess(hypothetical, book=book, today=today)
        band, _, _ = profile(after)
        then_best, then = pricer.choose(
            band=band,
            cooperation_band=cooperation_band(after),
            defenses=odds.defenses_from(after, hypothetical),
        )
        saving = max(0.0, now - then[then_best])
        chance = float(pricer.params[chance_name])
        out.append(
            {
                "id": cid,
                "what": what,
                "chance_favourable": chance,
                "chance_parameter": chance_name,
                "band_if_favourable": band,
                "best_now": best,
                "best_if_favourable": then_best,
                "expected_months_now": round(now, 1),
                "expected_months_if_favourable": round(then[then_best], 1),
                "expected_saving": round(chance * saving, 1),
            }
        )
    out.sort(key=lambda r: (-r["expected_saving"], r["id"]))
    return out
