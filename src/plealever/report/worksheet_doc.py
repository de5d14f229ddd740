"""The guideline worksheet alone as a document (`plealever calc --pdf`): the caveats first, the ranges,
the worksheet with its status column and the criminal-history worksheet, with numbered references;
the same blocks, legend, page numbers and rows kept whole as the memo's."""

from __future__ import annotations

from plealever.analysis import Analysis
from plealever.report import views
from plealever.report.caveats import caveats
from plealever.report.context import Block, MemoContext, _Refs, _worksheet_table


def worksheet_context(analysis: Analysis) -> MemoContext:
    if analysis.result is None:
        raise analysis.error
    result = analysis.result
    c = result.calculation
    refs = _Refs(analysis.book, c.edition, c.edition_verified)
    blocks: list[Block] = []
    notes = caveats(c, analysis.warnings)
    if notes:
        blocks.append(Block("heading", 2, "Before relying on these figures"))
        blocks.append(Block("bullets", items=notes))
    blocks.append(Block("heading", 2, "Ranges"))
    blocks.append(Block("bullets", items=[views.edition_line(c), *views.range_lines(c)]))
    blocks.append(Block("para", text=f"Why this Manual: {result.edition_reason}"))
    blocks.append(Block("heading", 2, "Worksheet"))
    blocks.append(_worksheet_table(result, refs))
    if views.shows_history(c):
        blocks.append(Block("heading", 2, "Criminal history"))
        blocks.append(
            Block(
                "table",
                caption="Criminal history (Chapter Four, Part A)",
                header=["Pin", "Points", "Total", "Status", "Reason", "Sources"],
                rows=[
                    [r.pin, r.levels, r.total, r.status, r.reason, refs.mark(list(r.authorities)).strip()]
                    for r in views.history_rows(c)
                ],
            )
        )
    blocks.append(Block("heading", 2, "Counts of conviction"))
    blocks.append(Block("bullets", items=views.count_lines(c)))
    return MemoContext(
        title=f"Guideline worksheet: {analysis.name}",
        question=f"Exposure as charged under the Nov. 1, {c.edition.year} Manual.",
        notice=result.notice if hasattr(result, "notice") else _notice(),
        blocks=blocks,
        references=refs.references(),
        bottom_line="",
        case_name=analysis.name,
        date=analysis.today,
    )


def _notice() -> str:
    from plealever.guidelines.trace import NOTICE

    return NOTICE
