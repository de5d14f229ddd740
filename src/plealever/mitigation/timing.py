"""The disclosure plan: what to disclose, when, and under what protection, against the case's deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plealever.case.model import Case
from plealever.law.rulebook import Rulebook

DEADLINE_LABELS = {
    "plea_offer_expires": "the plea offer expires",
    "acceptance_timeliness": "the last timely plea notice (§3E1.1(b))",
    "rule_12_2_notice": "Rule 12.2 notice of mental-condition evidence",
    "pretrial_motions": "pretrial motions",
    "trial": "trial",
    "psr_interview": "the presentence interview",
    "sentencing_memo": "the sentencing memorandum",
}


def disclosure_plan(
    book: Rulebook, case: Case, factors, today: dt.date
) -> tuple[list[dict[str, Any]], list[str]]:
    rub = book.documents["mitigation-rubric"]
    deadlines = case.deadlines.model_dump()
    if not deadlines.get("plea_offer_expires"):  # the open offer on file sets it when the file does not
        expiries = [o.expires for o in case.negotiation.offers if o.expires and o.status_on(today) == "open"]
        deadlines["plea_offer_expires"] = min(expiries) if expiries else None
    warnings: list[str] = []
    missing_dates = set()
    plan: list[dict[str, Any]] = []
    by_label = {i.label: i for i in case.mitigation}
    for factor in factors:
        if not factor.items:
            continue
        d = rub["disclosure"][factor.factor]
        serves = list(d["serves"])
        if factor.factor == "mental_health" and any(lv.lever == "acquittal_risk" for lv in factor.levers):
            serves.insert(0, d["trial_deadline"])
        for label in factor.items:
            item = by_label[label]
            dated = [(k, deadlines[k]) for k in serves if deadlines.get(k)]
            missing_dates |= {k for k in serves if not deadlines.get(k)}
            upcoming = [(k, v) for k, v in dated if v >= today]
            target = (
                min(upcoming, key=lambda kv: kv[1])
                if upcoming
                else (max(dated, key=lambda kv: kv[1]) if dated else None)
            )
            flags = []
            for k, v in dated:
                if item.status == "sought" and item.date and item.date > v:
                    flags.append(
                        f"expected {item.date}, after {DEADLINE_LABELS[k]} ({v}): its value there is lost"
                    )
                elif item.status == "sought" and v < today:
                    flags.append(f"{DEADLINE_LABELS[k]} ({v}) has passed while it is still being sought")
            action = (
                "already disclosed"
                if item.status == "disclosed"
                else "obtain, then decide whether to disclose"
                if item.status == "sought"
                else "decide whether to disclose"
            )
            # Every deadline this item serves has passed: the step is shown as past, not as a target.
            past = target is not None and target[1] < today
            if past:
                flags.append(f"{DEADLINE_LABELS[target[0]]} ({target[1]}) has passed: this step is past, not a target")
            plan.append(
                {
                    "item": label,
                    "factor": factor.factor,
                    "status": item.status,
                    "privileged": item.privileged,
                    "when": target[1].isoformat() if target else None,
                    "deadline": DEADLINE_LABELS[target[0]] if target else None,
                    "past": past,
                    "action": action,
                    "protection": d["protection"],
                    "risk": d["risk"],
                    "lost_value": flags,
                    "authorities": list(d["authorities"]),
                }
            )
    plan.sort(key=lambda p: (p["when"] is None, p["when"] or "", p["item"]))
    if plan and missing_dates:
        names = ", ".join(sorted(f"deadlines.{k}" for k in missing_dates))
        warnings.append(f"Deadlines not given ({names}); the plan cannot date those steps.")
    return plan, warnings
