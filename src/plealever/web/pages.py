"""What the mitigation and scenario pages show beyond the tables: every statement with its numbered
citation (as the command line prints it), the law each factor turns on, risks, consequences, and a
sentence instead of an empty chart. Formatting only; the numbers come from the Analysis."""

from __future__ import annotations

from typing import Any


class Citations:
    """Numbers authorities in order of first citation, like the terminal and the memo."""

    def __init__(self, book) -> None:
        self.book = book
        self.order: list[str] = []

    def __call__(self, ids: list[str] | tuple[str, ...]) -> str:
        marks = []
        for a in ids or []:
            if a not in self.book.authorities:
                continue
            if a not in self.order:
                self.order.append(a)
            marks.append(str(self.order.index(a) + 1))
        return f" [{', '.join(marks)}]" if marks else ""

    def references(self) -> list[dict[str, Any]]:
        out = []
        for i, a in enumerate(self.order, 1):
            auth = self.book.authorities[a]
            out.append({"number": i, "cite": auth.cite, "url": auth.url, "verified": auth.verified})
        return out


def assessment_view(a: dict[str, Any], book) -> dict[str, Any]:
    """The assessment's factors with citation marks on every reason, lever, gap, risk and legal frame."""
    cite = Citations(book)
    factors = []
    for f in a["factors"]:
        factors.append(
            {
                **f,
                "reasons": [r["text"] + cite(r.get("authorities", [])) for r in f["reasons"]],
                "levers": [
                    {
                        **lv,
                        "why": "; ".join(lv.get("why") or []),
                        "cite": cite(lv.get("authorities", [])),
                    }
                    for lv in f["levers"]
                ],
                "missing": [m["text"] + cite(m.get("authorities", [])) for m in f["missing"]],
                "risks": [_cap(r["text"]) + cite(r.get("authorities", [])) for r in f["risks"]],
                "frame": [_cap(fr["text"]) + "." + cite(fr.get("authorities", [])) for fr in f["frame"]],
            }
        )
    plan = [{**s, "cite": cite(s.get("authorities", []))} for s in a["disclosure_plan"]]
    levers = [
        {
            "name": k.replace("_", " "),
            "status": v["status"].replace("_", " "),
            "reasons": "; ".join(v.get("reasons") or []),
            "cite": cite(v.get("authorities", [])),
        }
        for k, v in a["levers"].items()
    ]
    return {"factors": factors, "plan": plan, "levers": levers, "references": cite.references()}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def consequences(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per scenario, what a conviction carries besides prison: assessments, restitution, forfeiture,
    registration, supervised release, appeal."""
    out = []
    for r in rows:
        c = r.get("consequences")
        if not c:
            continue
        lines = []
        if c.get("special_assessment_3013") is not None:
            lines.append(f"Special assessment (18 U.S.C. § 3013): ${c['special_assessment_3013']:,}")
        extra = c.get("additional_assessment_3014")
        if isinstance(extra, dict):
            lines.append(
                f"Additional assessment (§ 3014), if not indigent: ${extra.get('amount_if_non_indigent', 0):,}"
                + (f" — {extra['status']}" if extra.get("status") else "")
                + (f" ({extra['certainty']})" if extra.get("certainty") not in (None, "verified") else "")
            )
        if c.get("avaa_assessment_2259A_max") is not None:
            lines.append(f"AVAA assessment (§ 2259A): up to ${c['avaa_assessment_2259A_max']:,}")
        if c.get("restitution_note"):
            floor = c.get("restitution_minimum_per_victim")
            lines.append(
                "Restitution: " + c["restitution_note"] + (f" (at least ${floor:,} per victim)" if floor else "")
            )
        if c.get("forfeiture"):
            lines.append("Forfeiture: " + c["forfeiture"])
        reg = c.get("registration")
        if isinstance(reg, dict) and reg.get("tier"):
            lines.append(
                f"Sex-offender registration: tier {reg['tier']}, {reg.get('years')} years"
                + (f" ({reg['note']})" if reg.get("note") else "")
            )
        sr = r.get("supervised_release")
        if isinstance(sr, dict):
            lo, hi = sr.get("min"), sr.get("max")
            lines.append(f"Supervised release: {lo}" + (f" to {hi}" if hi is not None and hi != lo else "") + " months")
        if c.get("appeal"):
            lines.append("Appeal: " + c["appeal"])
        out.append({"label": r["label"], "lines": lines})
    return out


def sensitivity_note(comparison: dict[str, Any]) -> str:
    """Why the sensitivity chart would be empty, in a sentence; empty when the chart has something."""
    items = comparison.get("sensitivity") or []
    if items and any(abs(s["delta_mean"]) >= 0.5 for s in items):
        return ""
    base = next((r for r in comparison["scenarios"] if r.get("id") == "plea-as-charged"), None)
    minimum = base.get("mandatory_minimum") if base else None
    if not items:
        return "No stipulation or mitigation item to vary is recorded, so there is no sensitivity to show."
    if minimum:
        return (
            f"No stipulation or mitigation item moves the expected sentence of a plea as charged by as much as "
            f"half a month: the {minimum}-month mandatory minimum binds, so only a plea to a count without it "
            "(or a government motion under 18 U.S.C. § 3553(e)) changes the outcome."
        )
    return "No stipulation or mitigation item moves the expected sentence of a plea as charged by as much as half a month."
