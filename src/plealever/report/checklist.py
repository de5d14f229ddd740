"""The discovery and investigation checklist for a case: the rows of law/data/investigation.yaml whose
conditions hold for this file and this assessment. Nothing is computed beyond reading both."""

from __future__ import annotations

from typing import Any

from plealever.mitigation.evaluators import bears_on
from plealever.report.casefacts import offense_classes


def _shown(assessment) -> set[str]:
    """'factor.name' for every criterion met and every element met with corroboration."""
    out: set[str] = set()
    for f in assessment.factors:
        out |= {f"{f.factor}.{c}" for c in f.criteria}
        for e in f.elements:
            if e.met is True and e.provability in ("moderate", "strong"):
                out.add(f"{f.factor}.{e.element}")
    return out


def checklist(book, case, assessment) -> list[dict[str, Any]]:
    rows = book.documents["investigation"]["rows"]
    classes = set(offense_classes(book, case))
    kinds = {i.kind for i in case.mitigation}
    shown = _shown(assessment)
    factors = {f.factor: f for f in assessment.factors}
    out = []
    for row in rows:
        if row.get("classes") and not classes & set(row["classes"]):
            continue
        if row.get("kinds") and not kinds & set(row["kinds"]):
            continue
        if row.get("no_kinds") and kinds & set(row["no_kinds"]):
            continue
        if row.get("missing") and set(row["missing"]) <= shown:
            continue
        factor = (row.get("missing") or [""])[0].split(".")[0]
        # What the row builds on: the items of its own kinds where it names them (a letters row lists
        # letters, not the hospital records that bear on the same factor), else the factor's items.
        wanted = set(row.get("have_kinds") or row.get("kinds") or [])
        if wanted:
            have = [i.label for i in case.mitigation if i.kind in wanted and i.status != "sought"]
        elif factor in factors:
            have = [i.label for i in case.mitigation if bears_on(i, factor) and i.status != "sought"]
        else:
            have = []
        have_text = (" (have: " + ", ".join(have) + ")") if have else ""
        why = row["why"].replace("{have}", have_text).replace("{images}", _images(case))
        out.append(
            {
                "id": row["id"],
                "request": row["request"],
                "from": row["from"],
                "why": why,
                "authorities": list(row["authorities"]),
            }
        )
    return out


def _images(case) -> str:
    f = case.facts
    if f.image_count is not None:
        n = f.image_count
    elif f.still_images is not None or f.videos is not None:
        n = (f.still_images or 0) + 75 * (f.videos or 0)  # §2G2.2 n.6(B)(ii), as the calculator counts them
    else:
        return " (the file does not yet state an image count)"
    return f" (the file counts {n} images)"
