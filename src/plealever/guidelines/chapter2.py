"""Chapter Two: base offense level, specific offense characteristics and cross references.

Provisions are walked in the Manual's order. Simple ones (a fixed number of levels when a fact has a
value, or when found) are decided from their data; the few that need logic are registered below by
pin. Every provision considered leaves a Step, applied or not, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from plealever.errors import CaseFileError, LawDataError, NotModelledError
from plealever.guidelines import images
from plealever.guidelines.context import Ctx, Scope
from plealever.guidelines.trace import Step
from plealever.law.rulebook import Provision, Statute, Version

Rule = Callable[["Walk", Provision, Version], "Decision"]
RULES: dict[str, Rule] = {}


def rule(pin: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if pin in RULES:
            raise RuntimeError(f"two rules for {pin}")
        RULES[pin] = fn
        return fn

    return register


class Decision:
    """Whether a provision applies, at which pin (a limb), by how many levels, and why."""

    __slots__ = ("applies", "pin", "levels", "reason", "certainty", "authorities")

    def __init__(
        self,
        applies: bool,
        pin: str,
        levels: int,
        reason: str,
        certainty: str | None = None,
        authorities: list[str] | None = None,
    ):
        self.applies, self.pin, self.levels, self.reason = applies, pin, levels, reason
        self.certainty = certainty
        self.authorities = authorities or []


class Walk:
    """One pass through one guideline for one group and one statute of conviction."""

    def __init__(self, ctx: Ctx, guideline: str, statute: Statute, scope: Scope, group: str):
        self.ctx, self.guideline, self.statute, self.scope, self.group = ctx, guideline, statute, scope, group
        self.book = ctx.book
        self.facts = ctx.case.facts
        self.steps: list[Step] = []
        self.level = 0
        self.base_pin: str | None = None
        self.applied: set[str] = set()

    # --- recording -----------------------------------------------------------------------------

    def record(self, provision: Provision, version: Version, d: Decision) -> None:
        status = "applied" if d.applies else "not_applied"
        s = self.ctx.step(
            d.pin,
            d.levels,
            d.reason,
            status=status,
            version=version,
            certainty=d.certainty,
            group=self.group,
            cite_pin=provision.pin,
        )
        s.authorities += [a for a in d.authorities if a not in s.authorities]
        if d.applies:
            self.level += d.levels
            self.applied.add(d.pin)
            self.applied.add(provision.pin)
        s.running_total = self.level
        self.steps.append(s)

    # --- fact tests ----------------------------------------------------------------------------

    def when(self, version: Version) -> tuple[bool | None, str]:
        """Evaluate a simple `when` condition: True, False, or None when a fact is unknown."""
        for name, expected in (version.when or {}).items():
            value = getattr(self.facts, name)
            if value is None:
                self.ctx.unknown_facts.add(name)
                return None, f"facts.{name} not given; not applied on an unknown fact"
            if value != expected:
                return False, f"facts.{name} is {value!r}"
        shown = ", ".join(f"{k} = {v!r}" for k, v in version.when.items())
        return True, f"facts: {shown}"

    def decide_simple(self, provision: Provision, version: Version, pin: str) -> Decision:
        levels = version.levels or 0
        if self.scope.excluded(pin):
            if version.when is not None and self.when(version)[0]:
                self.ctx.warnings.append(
                    f"{pin} is listed as not applicable although the facts support it; the listing governs."
                )
            return Decision(False, pin, levels, "found not to apply (not_applicable)")
        if self.scope.found(pin):
            self.ctx.used_findings.add(pin)
            if version.when is not None and self.when(version)[0] is False:
                self.ctx.warnings.append(
                    f"{pin} is listed as a finding although the facts do not support it; the finding governs."
                )
            shown = self.scope.shown(pin)
            why = "found to apply (findings)" if shown == pin else f"found to apply (findings: clause {shown})"
            return Decision(True, shown, levels, why)
        if version.when is None:
            return Decision(False, pin, levels, "applies only on a finding; none given")
        ok, why = self.when(version)
        if ok is None:
            return Decision(False, pin, levels, why)
        return Decision(bool(ok), pin, levels, why)

    def decide(self, provision: Provision, version: Version, pin: str | None = None) -> Decision:
        pin = pin or provision.pin
        blocked = self.blocked(version)
        if blocked:
            if self.scope.found(pin) and not self.scope.excluded(pin):
                self.ctx.used_findings.add(pin)
                self.ctx.warnings.append(
                    f"{self.scope.shown(pin)} is listed as a finding but cannot apply to {self.group}: {blocked}; "
                    "not applied."
                )
            return Decision(False, pin, version.levels or 0, f"cannot apply here: {blocked}")
        fn = RULES.get(pin)
        d = fn(self, provision, version) if fn is not None else self.decide_simple(provision, version, pin)
        return self.knowledge(version, d, pin)

    # --- the provision's own conditions --------------------------------------------------------

    def blocked(self, version: Version) -> str | None:
        """Why the provision's own text rules it out for this count, or None (see `conditions` in the data)."""
        cond = version.conditions or {}
        key = self.statute.key

        def hit(names: list[str]) -> bool:
            return any(key == n or key.startswith(n + "(") for n in names)

        if "base" in cond and self.base_pin not in cond["base"]:
            need = " or ".join(f"§{p}" for p in cond["base"])
            return f"it requires the base offense level of {need} (this count takes §{self.base_pin})"
        if "statutes" in cond and not hit(cond["statutes"]):
            need = " or ".join(f"18 U.S.C. § {n}" for n in cond["statutes"])
            return f"it requires a conviction under {need} (this count is under 18 U.S.C. § {key})"
        if "not_statutes" in cond and hit(cond["not_statutes"]):
            barred = " or ".join(f"18 U.S.C. § {n}" for n in cond["not_statutes"])
            return f"it does not apply where the offense of conviction is {barred}"
        return None

    def knowledge(self, version: Version, d: Decision, pin: str) -> Decision:
        """Amendment 801: knowing distribution, against facts.distribution_knowing."""
        if version.knowledge is None or not d.applies or self.facts.distribution_knowing is not False:
            return d
        if version.knowledge == "required":
            if self.scope.found(pin):
                self.ctx.warnings.append(
                    f"Contradiction: {d.pin} is listed as a finding, but facts.distribution_knowing is false; since "
                    "Nov. 1, 2016 it needs a defendant who knowingly engaged in distribution (amendment 801), so it "
                    "is not applied."
                )
            return Decision(
                False,
                d.pin,
                d.levels,
                "facts.distribution_knowing is false: since Nov. 1, 2016 this limb needs knowing distribution "
                "(amendment 801)",
            )
        d.reason += (
            "; the defendant did not know of the distribution (facts.distribution_knowing): before Nov. 1, 2016 "
            "the circuits split on whether the limb needed knowledge (amendment 801 resolved it for later Manuals)"
        )
        d.certainty = "contested"
        return d

    # --- the walk ------------------------------------------------------------------------------

    def run(self, *, by_cross_reference: bool = False) -> int:
        section = self.book.sections[self.guideline]
        pins = list(section.provisions)
        limb_pins = {limb for p in pins if self.book.provisions[p].select for limb in self.book.limbs(p)}
        self.base(by_cross_reference=by_cross_reference)
        for pin in pins:
            provision = self.book.provisions[pin]
            if pin in limb_pins or provision.kind == "base":
                continue
            version = provision.at(self.ctx.edition)
            if version is None:
                continue
            if provision.kind == "not_modelled":
                if self.scope.found(pin):
                    raise NotModelledError(
                        f"{pin} ({provision.label}) is listed as a finding, but that cross reference is "
                        "not modelled; a range computed without it would be wrong",
                        field="findings",
                    )
                continue
            if provision.kind == "cross_reference":
                self.cross_reference(provision, version)
                continue
            if provision.select:
                self.select(provision, version)
                continue
            self.record(provision, version, self.decide(provision, version))
        return self.level

    def base(self, *, by_cross_reference: bool = False) -> None:
        section = self.book.sections[self.guideline]
        chosen = None
        for pin in section.provisions:
            provision = self.book.provisions[pin]
            if provision.kind != "base":
                continue
            version = provision.at(self.ctx.edition)
            if version is None:
                continue
            listed = version.statutes
            # Reached by a cross reference, the target's general base level applies.
            if listed is None or (not by_cross_reference and self.statute.key in listed):
                chosen = (provision, version)
                break
        if chosen is None:
            raise NotModelledError(
                f"no base offense level in §{self.guideline} of the {self.ctx.edition.year} Manual "
                f"for 18 U.S.C. § {self.statute.key}",
                field="counts",
            )
        provision, version = chosen
        self.base_pin = provision.pin
        if by_cross_reference:
            reason = "base offense level of the guideline reached by cross reference"
        elif version.statutes:
            reason = f"convicted under 18 U.S.C. § {self.statute.key}"
        else:
            reason = f"18 U.S.C. § {self.statute.key} is not among the statutes given a different base level"

        self.record(provision, version, Decision(True, provision.pin, version.levels or 0, reason))

    def select(self, provision: Provision, version: Version) -> None:
        """'Apply the greatest' (or least) among limbs: one step at the winning limb."""
        limbs = [p for p in self.book.limbs(provision.pin) if self.book.at(p, self.ctx.edition)]
        if self.scope.excluded(provision.pin):
            self.record(
                provision, version, Decision(False, provision.pin, 0, "found not to apply (not_applicable)")
            )
            return
        if self.scope.found(provision.pin):
            levels = {self.book.at(p, self.ctx.edition).levels for p in limbs}
            if len(levels) != 1:
                raise NotModelledError(
                    f"{provision.pin} is listed as a finding without a limb, and its limbs carry "
                    f"different levels; name one of {', '.join(limbs)}",
                    field="findings",
                )
        decisions = []
        for limb in limbs:
            limb_version = self.book.at(limb, self.ctx.edition)
            decisions.append((limb_version, self.decide(self.book.provisions[limb], limb_version, limb)))
        applying = [d for d in decisions if d[1].applies]
        if not applying and self.scope.found(provision.pin) and decisions:
            self.ctx.used_findings.add(provision.pin)
            v, d = decisions[0]
            applying = [(v, Decision(True, d.pin, d.levels, "found to apply (findings)"))]
        if not applying:
            distinct = {d.reason for _, d in decisions}
            if len(distinct) == 1:
                reasons = f"no limb applies: {distinct.pop()}"
            else:
                reasons = "; ".join(f"{d.pin}: {d.reason}" for _, d in decisions) or "no limb in this edition"
            self.record(provision, version, Decision(False, provision.pin, 0, reasons))
            return
        pick = max if provision.select == "greatest" else min
        v, best = pick(applying, key=lambda item: item[1].levels)
        if len(applying) > 1:
            ties = [d.pin for _, d in applying if d is not best and d.levels == best.levels]
            others = [d.pin for _, d in applying if d is not best and d.levels != best.levels]
            if ties:
                best.reason += f"; {', '.join(ties)} also met (the same {best.levels} levels, applied once)"
            if others:
                best.reason += f" (greater than {', '.join(others)}; only one limb applies)"
            # Every limb met counts as applied for other provisions' exclusions: e.g. §3A1.1(b) is
            # barred whenever §2G2.2(b)(4)(B) applies (§2G2.2 n.4), even if (b)(4)(A) is reported.
            self.applied.update(d.pin for _, d in applying)
        owner = best.pin if best.pin in self.book.provisions else self.book.clause_of(best.pin)
        self.record(self.book.provisions[owner], v, best)

    def cross_reference(self, provision: Provision, version: Version) -> None:
        target = provision.target
        if target is None:
            raise LawDataError(f"cross reference {provision.pin} names no target guideline")
        if self.scope.excluded(provision.pin) or not self.scope.found(provision.pin):
            why = (
                "found not to apply"
                if self.scope.excluded(provision.pin)
                else "applies only on a finding; none given"
            )
            self.record(provision, version, Decision(False, provision.pin, 0, why))
            return
        self.ctx.used_findings.add(provision.pin)
        other = Walk(
            self.ctx, target, self.statute, self.scope, f"{self.group} · §{target} by cross reference"
        )
        other_level = other.run(by_cross_reference=True)
        for s in other.steps:
            s.status = "info" if s.status == "applied" else s.status
        self.steps.extend(other.steps)
        if other_level > self.level:
            self.applied.update(
                other.applied
            )  # the target's exclusions (e.g. §2G2.1(b)(5) and §3B1.3) follow it
            special = self.book.sections[target].special_instruction
            if special:
                self.ctx.warnings.append(
                    f"{provision.pin} applies §{target}, whose {special['pin']} treats each minor as a separate "
                    "count: if the conduct involved more than one minor the level may be higher; this "
                    "calculation treats it as one."
                )
            d = Decision(
                True,
                provision.pin,
                other_level - self.level,
                f"§{target} gives {other_level}, greater than {self.level}; §{target} applies",
            )
        else:
            d = Decision(
                False, provision.pin, 0, f"§{target} gives {other_level}, not greater than {self.level}"
            )
        self.record(provision, version, d)


# --- provisions that need logic -----------------------------------------------------------------


def _distribution_shown(w: Walk) -> str | None:
    """What in the case file shows that the defendant distributed, or None."""
    found = sorted(p for p in w.scope.findings if p.startswith("2G2.2(b)(3)") and not w.scope.excluded(p))
    if found:
        return f"{found[0]} is a finding"
    f = w.facts
    if f.distribution not in (None, "none"):
        knew = " (without knowing it, facts.distribution_knowing)" if f.distribution_knowing is False else ""
        return f"facts.distribution is {f.distribution!r}{knew}"
    pleaded = [c for c in w.ctx.case.counts if c.prong == "distribution"]
    if pleaded:
        return "a count of conviction is on the distribution prong (counts[].prong)"
    return None


@rule("2G2.2(b)(1)")
def _receipt_only(w: Walk, provision: Provision, version: Version) -> Decision:
    pin = provision.pin
    levels = version.levels or 0
    if w.scope.excluded(pin):
        return Decision(False, pin, levels, "found not to apply (not_applicable)")
    found = w.scope.found(pin)
    if found:
        w.ctx.used_findings.add(pin)
    if w.base_pin != "2G2.2(a)(2)":
        if found:
            w.ctx.warnings.append(
                f"{pin} is listed as a finding but cannot apply to {w.group}: it requires the base level of "
                "§2G2.2(a)(2), and §2G2.2(a)(1) applies; not applied."
            )
        return Decision(False, pin, levels, "requires the base level of (a)(2); (a)(1) applies")
    f = w.facts
    distributed = _distribution_shown(w)
    if distributed:
        # (b)(1)(B)-(C): conduct limited to receipt or solicitation, and no intent to traffic or distribute.
        if found or f.receipt_only_no_intent_to_distribute:
            listed = "listed as a finding" if found else "claimed by facts.receipt_only_no_intent_to_distribute"
            w.ctx.warnings.append(
                f"Contradiction: {pin} is {listed}, but {distributed}; §2G2.2(b)(1) needs no intent to distribute "
                "and conduct limited to receipt or solicitation, so it is not applied."
            )
        certainty = "contested" if f.distribution_knowing is False and not w.scope.found_limb("2G2.2(b)(3)") else None
        why = f"the defendant distributed: {distributed}"
        if certainty:
            why += "; courts have held conduct not limited to receipt where files were shared, even unknowingly"
        return Decision(False, pin, levels, why, certainty)
    if found:
        return Decision(True, pin, levels, "found to apply (findings)")
    if f.receipt_only_no_intent_to_distribute is None:
        w.ctx.unknown_facts.add("receipt_only_no_intent_to_distribute")
        return Decision(False, pin, levels, "facts.receipt_only_no_intent_to_distribute not given")
    if not f.receipt_only_no_intent_to_distribute:
        return Decision(
            False, pin, levels, "conduct not limited to receipt or solicitation without intent to distribute"
        )
    return Decision(True, pin, levels, "(a)(2) applies; conduct limited to receipt; no intent to distribute")


@rule("2G2.2(b)(3)(A)")
def _pecuniary(w: Walk, provision: Provision, version: Version) -> Decision:
    pin = provision.pin
    if w.scope.excluded(pin):
        return Decision(False, pin, 0, "found not to apply (not_applicable)")
    found = w.scope.found(pin)
    if not found and w.facts.distribution != "pecuniary":
        why = (
            "facts.distribution not given"
            if w.facts.distribution is None
            else f"facts.distribution is {w.facts.distribution!r}"
        )
        return Decision(False, pin, 0, why)
    if found:
        w.ctx.used_findings.add(pin)
    value = w.facts.distribution_retail_value
    if value is None:
        raise CaseFileError(
            f"{pin} applies (distribution for pecuniary gain) but facts.distribution_retail_value is not given; "
            "the levels come from the §2B1.1 loss table by the material's retail value (at least 5): state the "
            "value, 0 if there is none",
            field="facts.distribution_retail_value",
        )
    table = w.book.at(version.table_ref, w.ctx.edition)
    from_table, row_used = 0, None
    for row in table.rows or []:
        if value > row["over"]:
            from_table, row_used = row["levels"], row
    minimum = version.minimum or 0
    levels = max(from_table, minimum)
    reason = (
        f"distribution for pecuniary gain; retail value ${value:,.0f} gives {from_table} from the "
        f"§2B1.1 table (Nov. 1, {w.ctx.edition.year}), at least {minimum}"
    )
    certainty = None
    # The table's own certainty matters only when the table, not the 5-level minimum, sets the levels.
    if row_used is not None and from_table > minimum:
        if row_used.get("unverified"):
            certainty = "unverified"
            reason += f"; the table row 'more than ${row_used['over']:,}' of this edition is not confirmed"
        elif row_used.get("confirmed"):
            reason += f"; the table row 'more than ${row_used['over']:,}' of this edition is confirmed"
        else:
            certainty = w.book.certainty_in(table, w.ctx.edition)
            certainty = None if certainty == "verified" else certainty
    return Decision(True, pin, levels, reason, certainty, list(table.authorities))


@rule("2G2.2(b)(7)")
def _images(w: Walk, provision: Provision, version: Version) -> Decision:
    pin = provision.pin
    rows = images.tiers(version)
    found = w.scope.found_limb(pin)
    if w.scope.excluded(pin):
        return Decision(False, pin, 0, "found not to apply (not_applicable)")
    excluded_tiers = {p for p in w.scope.not_applicable if p.startswith(pin + "(")}
    if w.scope.found(pin) and not found:
        raise CaseFileError(
            f"{pin} is listed as a finding without its tier; name one of "
            + ", ".join(f"{pin}({r['limb']})" for r in rows),
            field="findings",
        )
    counted = images.count_images(w.facts, version.images_per_video or 0)
    count, how, contested = counted.count, counted.how, counted.contested
    tier = images.tier_for(count, version)
    if found:
        limb = found[0][len(pin) + 1 : -1]
        row = next(r for r in rows if r["limb"] == limb)
        w.ctx.used_findings.add(found[0])
        if count is not None and (tier is None or tier["limb"] != limb):
            actual = f"{pin}({tier['limb']})" if tier else f"fewer than {rows[0]['at_least']} images"
            w.ctx.warnings.append(
                f"{found[0]} is listed as a finding, but the image facts give {actual}; the finding governs."
            )
        return Decision(True, found[0], row["levels"], "found to apply (findings)")
    if count is None:
        w.ctx.unknown_facts.add("image_count (or still_images and videos)")
        return Decision(False, pin, 0, how)
    if tier is None:
        return Decision(False, pin, 0, f"{how}: fewer than {rows[0]['at_least']}")
    if f"{pin}({tier['limb']})" in excluded_tiers:
        w.ctx.warnings.append(
            f"{pin}({tier['limb']}) is listed as not applicable; no image enhancement is applied. If a lower tier "
            "applies instead, state the stipulated image count (facts.image_count)."
        )
        return Decision(False, f"{pin}({tier['limb']})", 0, "found not to apply (not_applicable)")
    reason = f"{how}: at least {tier['at_least']}"
    if contested:
        reason += f"; the {counted.per_video}-images-per-video rule is commentary whose weight some courts question"
    return Decision(
        True, f"{pin}({tier['limb']})", tier["levels"], reason, "contested" if contested else None
    )


@rule("2G3.1(b)(1)(A)")
def _pecuniary_obscene(w: Walk, provision: Provision, version: Version) -> Decision:
    """§2G3.1's pecuniary-gain limb, like §2G2.2(b)(3)(A) but only on a finding: the case file's
    distribution facts describe the child-pornography material, not obscene matter."""
    if not w.scope.found(provision.pin) or w.scope.excluded(provision.pin):
        why = "found not to apply (not_applicable)" if w.scope.excluded(provision.pin) else "applies only on a finding; none given"
        return Decision(False, provision.pin, 0, why)
    return _pecuniary(w, provision, version)
