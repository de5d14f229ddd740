"""The case editor's pages: the form generated from the model, the live worksheet, structural edits
(rows added and removed, an item's kind, the YAML view) and saving. Nothing is stored until Save;
nothing typed is dropped without an error at its field."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from plealever.errors import PlealeverError
from plealever.store import Store
from plealever.web import forms

NEW = "new"


def compute(data: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None, str]:
    """The worksheet for a case file, or the field and message of the error that stops it."""
    from plealever.analysis import analyse
    from plealever.case.load import parse_case
    from plealever.report import views

    try:
        result = analyse(parse_case(data, source="editor"), source="editor", upto="exposure").result
    except PlealeverError as exc:
        return None, exc.field, exc.message
    from plealever.report.caveats import caveats

    c = result.calculation
    return (
        {
            "ok": True,
            **result.to_dict(),
            "rows": views.worksheet_rows(c),
            "edition_line": views.edition_line(c),
            "caveats": caveats(c, list(dict.fromkeys(result.warnings + c.warnings))),
        },
        None,
        "",
    )


def summary(worksheet: dict[str, Any] | None) -> str:
    if not worksheet:
        return ""
    g, e = worksheet["guideline_range"], worksheet["effective_range"]
    return (
        f"Worksheet: level {worksheet['total_offense_level']}, category "
        f"{worksheet['criminal_history_category']}, guideline range {g['min']}-{g['max']} months, "
        f"effective range {e['min']}-{e['max']} months."
    )


def _status(errors: dict[str, str]) -> str:
    if not errors:
        return ""
    n = len(errors)
    return (
        f"Not recomputed: {n} field{'s' if n != 1 else ''} need{'s' if n == 1 else ''} attention (marked in "
        "red). The worksheet shows the last valid result."
    )


def add_routes(app: FastAPI, store: Store, page) -> None:
    def render_editor(request: Request, record, raw: forms.RawForm, data: dict[str, Any]) -> HTMLResponse:
        worksheet = None
        message = ""
        if record is not None:
            worksheet, field, message = compute(data)
            if worksheet is None:
                worksheet = {"ok": False, "error": message}
        return page(
            request,
            "editor.html",
            record=record,
            title=record.name if record is not None else "New case",
            base=f"/cases/{record.id if record is not None else NEW}",
            sections=forms.nodes(raw),
            worksheet=worksheet,
            errors={},
            status="",
            focus="",
            active="editor",
            empty_message="Fill in at least one count and the criminal history (a category, points or the "
            "prior record) to see the worksheet. Facts you leave empty stay unknown.",
        )

    @app.get("/cases/new", response_class=HTMLResponse, include_in_schema=False)
    def new_case_page(request: Request):
        # Nothing is stored until Save, and no fact is asserted: every field starts empty (unknown).
        return render_editor(request, None, forms.to_raw({"counts": [{}]}), {})

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def editor(request: Request, case_id: str):
        r = store.get(case_id)
        return render_editor(request, r, forms.to_raw(r.data), r.data)

    async def _read(request: Request) -> tuple[forms.RawForm, set[str]]:
        return forms.raw_from_multi((await request.form()).multi_items())

    def _stored(case_id: str):
        return None if case_id == NEW else store.get(case_id)

    def _check(record, raw, bad) -> tuple[dict[str, Any], dict[str, str]]:
        stored = record.data if record is not None else {}
        data, parse_errors = forms.apply_form(stored, raw, bad)
        errors = forms.field_errors(data, raw)
        errors.update(parse_errors)  # what could not be read at all says so, rather than "required"
        return data, errors

    @app.post("/cases/{case_id}/preview", response_class=HTMLResponse, include_in_schema=False)
    async def preview(request: Request, case_id: str):
        raw, bad = await _read(request)
        record = _stored(case_id)
        data, errors = _check(record, raw, bad)
        worksheet = None
        if not errors:
            worksheet, field, message = compute(data)
            if worksheet is None:
                errors[forms.error_target(field, forms.targets(raw))] = forms._humanize(message)
        response = page(
            request,
            "_preview.html",
            worksheet=worksheet,
            errors=errors,
            status=_status(errors),
            live=summary(worksheet) if worksheet else _status(errors),
        )
        if errors:
            response.headers["HX-Reswap"] = "none"  # keep the last valid worksheet, greyed
        return response

    @app.post("/cases/{case_id}/save", response_class=HTMLResponse, include_in_schema=False)
    async def save(request: Request, case_id: str):
        request.state.failed = "Not saved"  # how the one error handler words any error below
        raw, bad = await _read(request)
        record = _stored(case_id)
        data, errors = _check(record, raw, bad)
        if errors:
            n = len(errors)
            response = page(
                request,
                "_save_result.html",
                message=f"Not saved: fix the {n} field{'s' if n != 1 else ''} marked in red.",
                errors=errors,
                status=_status(errors),
            )
            response.status_code = 422
            return response
        if record is None:
            r = store.create(data, note="created in the editor")
            return _saved(r, f"/cases/{r.id}")
        version = (raw.get("version") or [""])[-1]
        if not re.fullmatch(r"[0-9]{1,10}", version, flags=re.ASCII) or not 1 <= int(version) <= 2**31 - 1:
            return HTMLResponse('<p class="error">Not saved: the form lost its version; reload.</p>', 422)
        text, fmt = _source(record, data)
        r = store.save(
            case_id,
            data,
            expected_version=int(version),
            note="saved in the editor",
            source_text=text,
            source_format=fmt,
        )
        return _saved(r, f"/cases/{case_id}")

    @app.post("/editor/fragment", response_class=HTMLResponse, include_in_schema=False)
    async def fragment(request: Request):
        raw, _ = await _read(request)
        op = (raw.pop("op", None) or [""])[-1]
        target = (raw.pop("target", None) or [""])[-1]
        if op not in ("add", "remove", "kind", "yaml", "form") or len(target) > 300:
            return HTMLResponse("unknown edit", 422)
        list_path = target.rpartition(".")[0] if op == "remove" else target
        if forms.find_spec(list_path) is None or forms.find_spec(list_path).kind != "list":
            return HTMLResponse("unknown list", 422)
        raw, focus = forms.edit(raw, op, target)
        node = forms.find_node(forms.nodes(raw), list_path)
        if node is None:
            return HTMLResponse("unknown list", 422)
        errors = {}
        if op == "form" and node.mode == "yaml":
            errors[list_path] = forms.yaml_error(raw, list_path)
        return page(request, "_list.html", node=node, errors=errors, focus=focus)


def _source(record, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """The new version as a file, in the format and layout of the version it was edited from."""
    if record.source_text is None:
        return None, None
    if record.source_format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n", "json"
    from plealever.store.yamltext import update

    text = update(record.source_text, record.data, data)
    return (text, "yaml") if text is not None else (None, None)


def _saved(record, url: str) -> HTMLResponse:
    response = HTMLResponse(f'<p class="ok">Saved as version {record.version}.</p>')
    response.headers["HX-Redirect"] = url
    return response
