"""Contradictions and gaps in a case file. Each is flagged as a warning; none is resolved quietly.

Image-count contradictions depend on the edition's per-video rule and are checked with the count
itself (guidelines/images.py)."""

from __future__ import annotations

from plealever.case.model import Case


def contradictions(case: Case, *, possession_only: bool) -> list[str]:
    """Warnings about facts that cannot all be true, or that pull against each other."""
    f = case.facts
    out: list[str] = []
    distributes = f.distribution not in (None, "none")
    if possession_only and distributes:
        out.append(
            f"Contradiction: every count is a possession-type offense, but facts.distribution is "
            f"{f.distribution!r}. Distribution still counts as relevant conduct under §2G2.2(b)(3) if "
            "proven; check the facts."
        )
    if f.receipt_only_no_intent_to_distribute and distributes:
        out.append(
            "Contradiction: facts.receipt_only_no_intent_to_distribute is true but facts.distribution "
            f"is {f.distribution!r}; §2G2.2(b)(1) cannot apply where the defendant distributed."
        )
    if f.infant_or_toddler and f.prepubescent is False:
        out.append(
            "Contradiction: facts.infant_or_toddler is true but facts.prepubescent is false; an infant "
            "or toddler is necessarily a minor under 12."
        )
    if f.distribution_knowing is not None and f.distribution in (None, "none"):
        out.append(
            f"facts.distribution_knowing is {f.distribution_knowing} but facts.distribution is "
            f"{f.distribution!r}; it is not used."
        )
    for i, count in enumerate(case.counts):
        if count.prong == "distribution" and f.distribution == "none":
            out.append(
                f"Contradiction: counts[{i}] is a conviction on the distribution prong, but facts.distribution is "
                "'none'; §2G2.2(b)(3) follows the facts as stated. Check them."
            )
    if f.distribution_retail_value and f.distribution != "pecuniary":
        out.append(
            "facts.distribution_retail_value is given but facts.distribution is not 'pecuniary'; the value "
            "is not used."
        )
    if f.obstruction and case.acceptance in ("two_level", "three_level"):
        out.append(
            "Obstruction (§3C1.1) and acceptance are both claimed; obstruction ordinarily means the "
            "defendant has not accepted responsibility (§3E1.1 n.4). Both are applied as stated."
        )
    for pin in set(case.findings) & set(case.not_applicable):
        out.append(f"Contradiction: {pin} is listed both in findings and in not_applicable.")
    return out
