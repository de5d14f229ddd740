"""The one image-count rule (§2G2.2(b)(7) and application note 6): how many images the facts give under
an edition, with how the number was reached and how certain it is; which tier of the table it reaches;
and the tier one step down, for a stipulation. The calculator, the contradiction checks and the
scenario generator all count images here, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PIN = "2G2.2(b)(7)"


@dataclass(frozen=True)
class ImageCount:
    """The number of images the facts give, or None when no image fact is stated."""

    count: int | None
    how: str
    per_video: int
    contested: bool  # videos counted at the per-video rule, which is commentary
    warnings: tuple[str, ...] = ()


def count_images(facts: Any, per_video: int) -> ImageCount:
    """Stills count one each and each video `per_video` images; a stated total governs over both.

    `facts` is the case file's facts (still_images, videos, image_count)."""
    stills, videos, stated = facts.still_images, facts.videos, facts.image_count
    warnings: list[str] = []
    if stated is not None and videos is not None and videos * per_video > stated:
        warnings.append(
            f"Contradiction: {videos} videos count as {videos * per_video} images at {per_video} per video, "
            f"more than facts.image_count ({stated})."
        )
    if stated is not None and (stills is not None or videos is not None):
        counted = (stills or 0) + per_video * (videos or 0)
        if counted != stated:
            warnings.append(
                f"facts.image_count ({stated}) differs from still_images + {per_video} x videos "
                f"({counted}); the stated image_count is used."
            )
    if stated is not None:
        return ImageCount(stated, f"{stated} images (facts.image_count)", per_video, False, tuple(warnings))
    if stills is not None or videos is not None:
        count = (stills or 0) + per_video * (videos or 0)
        how = f"{stills or 0} still images + {videos or 0} videos x {per_video} = {count} images"
        return ImageCount(count, how, per_video, bool(videos), tuple(warnings))
    return ImageCount(None, "no image facts given (still_images, videos or image_count)", per_video, False)


def tiers(version: Any) -> list[dict[str, Any]]:
    """The edition's table rows, lowest threshold first."""
    return sorted(version.table or [], key=lambda r: r["at_least"])


def tier_for(count: int | None, version: Any) -> dict[str, Any] | None:
    """The highest tier whose threshold `count` reaches, or None."""
    found = None
    for row in tiers(version):
        if count is not None and count >= row["at_least"]:
            found = row
    return found


def one_tier_down(count: int | None, version: Any) -> tuple[int, dict[str, Any] | None] | None:
    """The largest count in the tier below the one `count` reaches, and that tier (None: no
    enhancement), or None when no tier applies and a stipulation would change nothing."""
    rows = tiers(version)
    current = tier_for(count, version)
    if current is None:
        return None
    i = rows.index(current)
    below = rows[i - 1] if i > 0 else None
    return current["at_least"] - 1, below
