"""Chapter Five: the Sentencing Table, zones, and the statutory limits of §5G1.1 and §5G1.2."""

from __future__ import annotations

from plealever.errors import LawDataError
from plealever.guidelines.context import Ctx
from plealever.guidelines.trace import Range, Step
from plealever.law.dated import in_force
from plealever.law.rulebook import LIFE

INF = float("inf")


def _num(v: int | str) -> float:
    return INF if v == LIFE else float(v)


def _months(v: float) -> int | str:
    return LIFE if v == INF else int(v)


def table_range(ctx: Ctx, level: int, chc: str) -> tuple[int, Range, list[Step]]:
    book = ctx.book
    steps: list[Step] = []
    used = min(max(level, 1), 43)
    if used != level:
        s = ctx.step(
            "5A", 0, f"offense level {level} is treated as {used} (Sentencing Table, n.2)", status="info"
        )
        s.authorities = ["ussg-5A"]
        steps.append(s)
    lo, hi = book.table[used][book.categories.index(chc)]
    r = Range(lo, hi)
    s = ctx.step("5A", 0, f"offense level {used}, category {chc}: {r} months", status="info")
    s.authorities = list(book.table_authorities)
    s.citation = f"USSG Ch. 5, Pt. A, Sentencing Table (Nov. 1, {ctx.edition.year} Manual)"
    s.running_total = used
    steps.append(s)
    return used, r, steps


def zone(ctx: Ctx, r: Range) -> str:
    version = in_force(ctx.book.zones, ctx.edition)
    if version is None:
        raise LawDataError(f"the Sentencing Table has no zones in force in the {ctx.edition} Manual")
    low = _num(r.min)
    for band in version["bands"]:
        if low >= band["min_from"] and (band["min_to"] is None or low <= band["min_to"]):
            return band["zone"]
    return "D"  # minimums between bands do not occur in the table; D is where the table's rows resume


def statutory_limits(
    ctx: Ctx, guideline: Range, counts: list[tuple[str, Range]]
) -> tuple[Range, Range, list[Step]]:
    """The overall statutory range and the effective guideline range (§5G1.1 one count, §5G1.2 several)."""
    floor = max(_num(r.min) for _, r in counts)
    ceiling = sum(_num(r.max) for _, r in counts)
    biggest = max(_num(r.max) for _, r in counts)
    statutory = Range(_months(floor), _months(ceiling))
    lo, hi = _num(guideline.min), _num(guideline.max)
    pin = "5G1.1" if len(counts) == 1 else "5G1.2"
    version = ctx.version(pin)
    steps: list[Step] = []
    if ceiling < lo:
        lo = hi = ceiling
        why = (
            f"the statutory maximum ({_months(ceiling)} months) is below the range; it becomes the guideline "
            "sentence"
            if pin == "5G1.1"
            else f"the counts' maximums together ({_months(ceiling)} months) are below the range; the guideline "
            "sentence is that total, all counts consecutive"
        )
    elif floor > hi:
        lo = hi = floor
        why = f"the mandatory minimum ({_months(floor)} months) is above the range; it becomes the guideline sentence"
    else:
        notes = []
        if floor > lo:
            notes.append(f"the mandatory minimum ({_months(floor)} months) raises the bottom")
            lo = floor
        if ceiling < hi:
            notes.append(f"the statutory maximum ({_months(ceiling)} months) caps the top")
            hi = ceiling
        why = "; ".join(notes) if notes else "the range lies within the statutory limits"
    effective = Range(_months(lo), _months(hi))
    s = ctx.step(pin, 0, f"{why}: {effective} months", status="info", version=version)
    steps.append(s)
    if len(counts) > 1 and hi > biggest:
        need = f"a total punishment above {_months(biggest)} months (the highest single maximum)"
        if lo > biggest:
            need = (
                f"every sentence in the range exceeds {_months(biggest)} months (the highest single maximum)"
            )
        order = sorted(counts, key=lambda c: -_num(c[1].max))
        plan, left = [], lo if lo > biggest else hi
        for label, r in order:
            if left <= 0:
                break
            take = min(_num(r.max), left)
            plan.append(f"{label} {_months(take)}")
            left -= take
        reach = "the bottom of the range" if lo > biggest else "the top of the range"
        s = ctx.step(
            "5G1.2(d)",
            0,
            f"{need}: sentences run consecutively only as far as needed; to reach {reach} "
            f"({_months(lo if lo > biggest else hi)}): {' + '.join(plan)}",
            status="info",
            version=version,
            cite_pin="5G1.2",
        )
        steps.append(s)
    elif len(counts) > 1:
        steps.append(
            ctx.step(
                "5G1.2(c)",
                0,
                f"the count with the highest maximum ({_months(biggest)} months) holds the whole "
                "range; sentences run concurrently",
                status="info",
                version=version,
                cite_pin="5G1.2",
            )
        )
    return statutory, effective, steps
