"""The disclosure plan: for each item, what disclosing it exposes, under which protection, at which
stage, dated from the case's deadlines; what an item already disclosed cost and what is still
protected; past-due steps flagged as past. Texts and rules are in law/data/mitigation-rubric.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plealever.case.evidence import PROFESSIONAL
from plealever.case.model import Case
from plealever.law.rulebook import Rulebook
from plealever.law.statutes import find_statute

DEADLINE_LABELS = {
    "proffer_session": "the proffer session",
    "plea_offer_expires": "the plea offer expires",
    "acceptance_timeliness": "the last timely plea notice (§3E1.1(b))",
    "rule_12_2_notice": "Rule 12.2 notice of mental-condition evidence",
    "pretrial_motions": "pretrial motions",
    "trial": "trial",
    "psr_interview": "the presentence interview",
    "sentencing_memo": "the sentencing memorandum",
}
COVERED_4B1_5 = ("production", "enticement", "transportation", "travel")  # §4B1.5 n.2: covered sex crimes
TREATING = ("treatment_records", "sex_offense_treatment")
ENHANCING = ("uncharged_contact_offense", "additional_images_or_conduct", "distribution")


def disclosure_plan(
    book: Rulebook, case: Case, factors, today: dt.date
) -> tuple[list[dict[str, Any]], list[str]]:
    rub = book.documents["mitigation-rubric"]["disclosure"]
    deadlines = case.deadlines.model_dump()
    if not deadlines.get("plea_offer_expires"):  # the open offer on file sets it when the file does not
        expiries = [o.expires for o in case.negotiation.offers if o.expires and o.status_on(today) == "open"]
        deadlines["plea_offer_expires"] = min(expiries) if expiries else None
    warnings: list[str] = []
    missing_dates: set[str] = set()
    by_label = {i.label: i for i in case.mitigation}
    by_factor = {f.factor: f for f in factors}
    classes = {s.offense_class for c in case.counts if (s := find_statute(book, c.statute)) is not None}
    seen: dict[str, dict[str, Any]] = {}
    plan: list[dict[str, Any]] = []
    for factor in factors:
        for label in factor.items:
            if label in seen:  # an item bearing on two factors is planned once
                seen[label]["factors"].append(factor.factor)
                continue
            item = by_label[label]
            exposes = _exposures(rub, item, factor.factor, classes, by_factor, case)
            stage, protect_under, reason = _stage(rub, item, factor, exposes)
            step = _dated(rub, stage, deadlines, item, today, missing_dates)
            d = rub["factors"][factor.factor]
            entry: dict[str, Any] = {
                "item": label,
                "factor": factor.factor,
                "factors": [factor.factor],
                "status": item.status,
                "privileged": item.privileged,
                "stage": stage,
                "stage_label": rub["stages"][stage]["label"]
                if stage in rub["stages"]
                else "already disclosed",
                "why_this_stage": reason,
                "when": step["when"],
                "deadline": step["deadline"],
                "past_due": step["past_due"],
                "action": _action(item, stage),
                "exposes": [e["text"] for e in exposes],
                "protect_under": protect_under,
                "protection": _protection_text(rub, item, protect_under, d, factor.factor, stage),
                "risk": "; ".join(e["text"] for e in exposes) if exposes else d["risk"],
                "lost_value": step["flags"],
                "authorities": list(
                    dict.fromkeys(
                        [a for e in exposes for a in e["authorities"]]
                        + list(rub["protections"][protect_under].get("authorities", []))
                        + list(d["authorities"])
                    )
                ),
            }
            if item.status == "disclosed":
                entry.update(_disclosed(rub, item, exposes, warnings))
            seen[label] = entry
            plan.append(entry)
    plan.sort(key=lambda p: (p["when"] is None, p["when"] or "", p["item"]))
    if plan and missing_dates:
        names = ", ".join(sorted(f"deadlines.{k}" for k in missing_dates))
        warnings.append(f"Deadlines not given ({names}); the plan cannot date those steps.")
    return plan, warnings


def _exposures(rub, item, factor: str, classes: set[str], by_factor, case: Case) -> list[dict[str, Any]]:
    """What disclosing this item would hand the government, in this case."""
    ex = rub["exposures"]
    out: list[dict[str, Any]] = []
    two_g_two = bool(classes & {"trafficking", "receipt_or_distribution", "possession", "advertising"})
    for a in item.admissions:
        if a == "uncharged_contact_offense":
            if two_g_two:
                out.append(ex["uncharged_contact_offense_2G2_2"])
            if classes & set(COVERED_4B1_5):
                out.append(ex["uncharged_contact_offense_4B1_5"])
        elif a in ("additional_images_or_conduct", "distribution"):
            if a == "additional_images_or_conduct" or two_g_two:
                out.append(ex[a])
        elif a == "sexual_interest_in_minors":
            if by_factor["entrapment"].items:
                out.append(ex[a])
        else:
            out.append(ex[a])
    kind = item.kind
    if kind == "psych_evaluation" and item.recidivism_opinion in ("moderate", "high"):
        out.append(ex["adverse_risk"])
    if kind == "risk_assessment" and item.risk_band in ("moderate", "high"):
        out.append(ex["adverse_risk"])
    if factor == "mental_health" and kind == "psych_evaluation" and item.source in PROFESSIONAL:
        specific = bool(classes & {"enticement", "transportation", "travel", "production"})
        if by_factor["mental_health"].complete_defense or specific or item.insanity_opinion:
            out.append(ex["rule_12_2_exam"])
    if kind in TREATING or (kind == "psych_evaluation" and item.source == "treating_clinician"):
        out.append(ex["reporting_duty"])
    if kind == "cooperation":
        out.append(ex["derivative_use"])
        if item.safety_risk:
            out.append(ex["cooperation_safety"])
    if kind == "entrapment":
        out.append(ex["predisposition_preview"])
    if kind == "knowledge_forensic":
        out.append(ex["examiner_rebuttal"])
        if item.inculpatory:
            out.append(ex["inculpatory_findings"])
    if kind in ("coercion_duress", "coercive_control") and not item.independent_corroboration:
        out.append(ex["uncorroborated_account"])
    if kind == "support_letter":
        out.append(ex["letters_minimize"])
    return out


def _stage(rub, item, factor, exposes: list[dict[str, Any]]) -> tuple[str, str, str]:
    """Which stage and protection fit what the item exposes."""
    d = rub["factors"][factor.factor]
    if item.status == "disclosed":
        return "already_disclosed", item.under or "none", "already disclosed"
    enhancing = [a for a in item.admissions if a in ENHANCING]
    if enhancing:
        return (
            "withhold",
            "kastigar_letter",
            "it records admissions that could prove enhancements or relevant conduct; disclose only under terms "
            "that bar their use (an informal immunity letter, or a cooperation agreement with §1B1.8 protection), "
            "or disclose a summary without them",
        )
    adverse = (item.kind == "risk_assessment" and item.risk_band in ("moderate", "high")) or (
        item.kind == "psych_evaluation" and item.recidivism_opinion in ("moderate", "high")
    )
    if adverse:
        return (
            "withhold",
            "none",
            "its risk finding helps the government; keep it privileged and do not rely on it",
        )
    if factor.factor == "mental_health" and factor.complete_defense and item.kind == "psych_evaluation":
        return (
            "with_rule_12_2_notice",
            "court_order",
            "the insanity defense is complete on the evidence: the report goes with the Rule 12.2 notice, and the "
            "government's examination stays sealed until the defense confirms it (Rule 12.2(c)(2))",
        )
    if item.kind in ("lay_account", "support_letter") or factor.factor == "personal_history":
        return (
            "at_sentencing",
            "none",
            "it serves sentencing; the probation officer and the court are its audience",
        )
    if item.kind in ("coercion_duress", "coercive_control") and not item.independent_corroboration:
        return (
            "withhold",
            "rule_11f_410",
            "an uncorroborated account costs credibility; gather the independent corroboration first",
        )
    return (
        d["stage"],
        d["protect_under"],
        "the default for this factor: " + rub["stages"][d["stage"]]["label"],
    )


def _dated(
    rub, stage: str, deadlines: dict[str, Any], item, today: dt.date, missing: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"when": None, "deadline": None, "past_due": False, "flags": []}
    if stage == "already_disclosed":
        if item.disclosed_on:
            out["when"] = item.disclosed_on.isoformat()
            out["deadline"] = "disclosed"
        return out
    keys = list(rub["stages"][stage]["deadlines"])
    dated = [(k, deadlines[k]) for k in keys if deadlines.get(k)]
    missing |= {k for k in keys if not deadlines.get(k)}
    upcoming = [(k, v) for k, v in dated if v >= today]
    if upcoming:
        target = min(upcoming, key=lambda kv: kv[1])
    elif dated:
        target = max(dated, key=lambda kv: kv[1])
        out["past_due"] = True
        out["flags"].append(f"past: {DEADLINE_LABELS[target[0]]} ({target[1]}) has passed")
    else:
        target = None
    if target:
        out["when"] = target[1].isoformat()
        out["deadline"] = DEADLINE_LABELS[target[0]]
    for k, v in dated:
        if item.status == "sought" and item.date and item.date > v:
            out["flags"].append(
                f"expected {item.date}, after {DEADLINE_LABELS[k]} ({v}): its value there is lost"
            )
        elif item.status == "sought" and v < today and not out["past_due"]:
            out["flags"].append(f"{DEADLINE_LABELS[k]} ({v}) has passed while it is still being sought")
    return out


def _action(item, stage: str) -> str:
    if item.status == "disclosed":
        return "already disclosed"
    if item.status == "sought":
        return "obtain, then decide whether to disclose"
    if stage == "withhold":
        return "hold under privilege; do not disclose until protected"
    return "decide whether to disclose"


# The factor's own protection advice fits its primary evidence; lay accounts, letters and history take the
# advice for sentencing material, and treatment records only the protection's terms.
OWN_ADVICE = {
    "mental_health": ("psych_evaluation", "risk_assessment"),
    "coercion_duress": ("coercion_duress", "coercive_control"),
    "entrapment": ("entrapment",),
    "knowledge": ("knowledge_forensic",),
    "cooperation": ("cooperation",),
}


def _protection_text(rub, item, protect_under: str, d: dict[str, Any], factor: str, stage: str) -> str:
    terms = rub["protections"][protect_under]["text"]
    if item.status == "disclosed":
        return terms
    if stage == "at_sentencing":
        return f"{terms}; {rub['factors']['personal_history']['protection']}"
    if factor == "personal_history" or item.kind in OWN_ADVICE.get(factor, ()):
        return f"{terms}; {d['protection']}"
    return terms


def _disclosed(rub, item, exposes: list[dict[str, Any]], warnings: list[str]) -> dict[str, Any]:
    """What an item already disclosed cost and what its terms still protect."""
    under = item.under or "none"
    spec = rub["protections"][under]
    assumed = item.derivative_use is None
    derivative = item.derivative_use or spec["derivative_use"]
    cost = [e["text"] for e in exposes]
    still = [spec["still_protected"]]
    if derivative == "permitted":
        cost.append(
            "the government may follow leads derived from it"
            + (" (assumed from the usual terms)" if assumed else "")
        )
    elif derivative == "barred":
        still.append(
            "leads derived from it may not be used" + (" (assumed from the usual terms)" if assumed else "")
        )
    if item.to_whom == "law_enforcement_agent" and under == "rule_11f_410":
        cost.append(
            "Rule 410 covers plea discussions with an attorney for the government, not statements to agents"
        )
        warnings.append(
            f"{item.label}: disclosed to an agent under Rule 11(f) / FRE 410, which protects only plea discussions "
            "with an attorney for the government; check the terms."
        )
    if under == "kastigar_letter" and item.derivative_use == "permitted":
        warnings.append(
            f"{item.label}: a Kastigar letter that permits derivative use is unusual; check the letter's terms."
        )
    if item.privileged:
        warnings.append(
            f"{item.label}: marked privileged but disclosed to the government; disclosure ordinarily waives the "
            "privilege for what was disclosed."
        )
    return {
        "disclosed": {
            "on": item.disclosed_on.isoformat() if item.disclosed_on else None,
            "to_whom": item.to_whom,
            "under": under,
            "derivative_use": derivative,
            "derivative_use_assumed": assumed,
        },
        "cost": cost,
        "still_protected": still,
    }
