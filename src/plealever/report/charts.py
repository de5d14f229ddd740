"""Charts for the memo, drawn with matplotlib's non-interactive backend into PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def warm() -> None:
    """Draw and discard one small figure: the first text drawn loads matplotlib's fonts."""
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.set_title("plealever")
    _png(fig)


def chart(analysis, name: str) -> bytes | None:
    """The named chart of an analysis ("distribution" or "tornado"), drawn once per analysis; None when
    the analysis has nothing to draw for it."""
    comparison = analysis.comparison
    if comparison is None or (name == "tornado" and not comparison.sensitivity):
        return None
    if name not in ("distribution", "tornado"):
        return None
    if name not in analysis.drawings:
        draw = distribution_chart if name == "distribution" else lambda c: tornado_chart(c.sensitivity)
        analysis.drawings[name] = draw(comparison)
    return analysis.drawings[name]


def distribution_chart(comparison) -> bytes:
    labels, data = [], []
    for r in comparison.rows:
        if r["id"] in comparison.draws:
            labels.append(r["label"] if len(r["label"]) < 48 else r["label"][:45] + "...")
            data.append(comparison.draws[r["id"]])
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(labels) + 1.2))
    ax.boxplot(data, orientation="horizontal", whis=(10, 90), showfliers=False, showmeans=True)
    ax.set_yticks(range(1, len(labels) + 1), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Months (box: 25th-75th percentile; whiskers: 10th-90th; triangle: mean)")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def tornado_chart(sensitivity: list[dict]) -> bytes:
    items = sensitivity[:10]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(items) + 1.2))
    values = [s["delta_mean"] for s in items]
    ax.barh(range(len(items)), values, color=["#4a7" if v < 0 else "#c55" for v in values])
    ax.set_yticks(range(len(items)), [s["change"] for s in items], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Change in expected months")
    return _png(fig)
