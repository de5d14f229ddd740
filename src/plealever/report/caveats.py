"""What a reader must know before relying on a worksheet, in one list every face shows (the memo in
every format, the web worksheet above its table): the edition's status, the applied steps that rest
on contested or unverified law, and the calculation's warnings (unknown facts among them)."""

from __future__ import annotations

from plealever.guidelines.trace import Calculation


def caveats(c: Calculation, warnings: list[str]) -> list[str]:
    out: list[str] = []
    applied = [s for s in c.steps if s.status == "applied"]
    contested = [s.pin for s in applied if s.certainty == "contested"]
    unverified = [s.pin for s in applied if s.certainty == "unverified"]
    if contested:
        out.append(
            "Contested: " + ", ".join(f"§{p}" for p in contested) + " rest"
            + ("s" if len(contested) == 1 else "")
            + " on law that courts or the Commission dispute; the worksheet's reason says how."
        )
    if unverified and not c.edition_verified and len(unverified) + len(contested) == len(applied):
        pass  # every step is unverified because the edition is: its warning below says so once
    elif unverified:
        out.append(
            "Unverified: " + ", ".join(f"§{p}" for p in unverified) + " rest"
            + ("s" if len(unverified) == 1 else "")
            + " on law data not confirmed from primary text."
        )
    if not c.edition_verified and not any("not fully verified" in w for w in warnings):
        out.append(
            f"The Nov. 1, {c.edition.year} Manual is not fully verified in the law data; every step under "
            "it is marked unverified."
        )
    out.extend(dict.fromkeys(warnings))
    return out
