"""The local web app. Pages for people (HTMX) and a JSON API for scripts (described by OpenAPI), both
over the same store and the same calculations as the command line; only this module turns errors into
responses."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Annotated, Any

from fastapi import Body, FastAPI, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from plealever.case.load import parse_case
from plealever.errors import PlealeverError
from plealever.guidelines.trace import NOTICE
from plealever.store import ConflictError, Store
from plealever.store.db import DatabaseError, StoreError
from plealever.web import forms
from plealever.web.security import Guard, Settings

EXAMPLE = {
    "name": "New case",
    "counts": [{"statute": "18 U.S.C. § 2252A(a)(2)"}],
    "facts": {"image_count": 0, "prepubescent": False, "computer": True, "distribution": "none"},
    "acceptance": "three_level",
    "criminal_history": {"category": "I"},
}


class SaveBody(BaseModel):
    data: dict[str, Any]
    expected_version: int = Field(ge=1, le=2**31 - 1)


def _error(exc: Exception) -> JSONResponse:
    if isinstance(exc, DatabaseError):
        return JSONResponse({"error": exc.one_line()}, 503)
    if isinstance(exc, ConflictError):
        return JSONResponse({"error": exc.one_line()}, 409)
    if isinstance(exc, StoreError) and "no case" in exc.message:
        return JSONResponse({"error": exc.one_line()}, 404)
    if isinstance(exc, PlealeverError):
        return JSONResponse({"error": exc.one_line()}, 422)
    raise exc


def create_app(store: Store, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="plealever",
        version="0.1.0",
        docs_url=None,  # FastAPI's /docs loads Swagger UI from a CDN; the schema is at /openapi.json
        redoc_url=None,
        description="Local API: cases, calculations, assessments and scenarios. " + NOTICE,
    )
    app.add_middleware(Guard, settings=settings)
    static = resources.files("plealever.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    templates = Jinja2Templates(directory=str(resources.files("plealever.web") / "templates"))
    templates.env.globals.update(csrf=settings.csrf, notice=NOTICE)

    def page(request: Request, name: str, **ctx) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx)

    # --- JSON API (documented) ---------------------------------------------------------------

    @app.get("/api/cases", tags=["cases"])
    def api_list(search: str | None = Query(None, max_length=200)) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "name": r.name, "version": r.current_version, "updated_at": r.updated_at.isoformat()}
            for r in store.list(search)
        ]

    @app.post("/api/cases", tags=["cases"], status_code=201)
    def api_create(data: Annotated[dict[str, Any], Body()]):
        try:
            r = store.create(data)
        except PlealeverError as exc:
            return _error(exc)
        return {"id": r.id, "version": r.version}

    @app.get("/api/cases/{case_id}", tags=["cases"])
    def api_get(case_id: str, version: int | None = Query(None, ge=1, le=2**31 - 1)):
        try:
            r = store.get(case_id, version)
        except PlealeverError as exc:
            return _error(exc)
        return {
            "id": r.id,
            "name": r.name,
            "version": r.version,
            "current_version": r.current_version,
            "data": r.data,
        }

    @app.put("/api/cases/{case_id}", tags=["cases"])
    def api_save(case_id: str, body: SaveBody):
        try:
            r = store.save(
                case_id, body.data, expected_version=body.expected_version, note="saved through the API"
            )
        except PlealeverError as exc:
            return _error(exc)
        return {"id": r.id, "version": r.version}

    @app.get("/api/cases/{case_id}/history", tags=["cases"])
    def api_history(case_id: str):
        try:
            return store.history(case_id)
        except PlealeverError as exc:
            return _error(exc)

    @app.get("/api/cases/{case_id}/calculation", tags=["analysis"])
    def api_calculation(case_id: str):
        return _analysis(case_id, "calculation")

    @app.get("/api/cases/{case_id}/assessment", tags=["analysis"])
    def api_assessment(case_id: str):
        return _analysis(case_id, "assessment")

    @app.get("/api/cases/{case_id}/scenarios", tags=["analysis"])
    def api_scenarios(case_id: str, draws: int = Query(2000, ge=100, le=20000)):
        return _analysis(case_id, "scenarios", draws=draws)

    @app.get("/api/cases/{case_id}/similar", tags=["analysis"])
    def api_similar(case_id: str):
        try:
            case = parse_case(store.get(case_id).data, source=case_id)
        except PlealeverError as exc:
            return _error(exc)
        result = _similar(case)
        return _error(PlealeverError(result["error"])) if "error" in result else result

    @app.post("/api/calculate", tags=["analysis"])
    def api_calculate(data: Annotated[dict[str, Any], Body()]):
        from plealever.guidelines import calculate

        try:
            return calculate(parse_case(data, source="request")).to_dict()
        except PlealeverError as exc:
            return _error(exc)

    @app.get("/api/schema", tags=["analysis"])
    def api_schema() -> dict[str, Any]:
        from plealever.case import Case

        return Case.model_json_schema()

    def _analysis(case_id: str, what: str, draws: int = 2000):
        try:
            case = parse_case(store.get(case_id).data, source=case_id)
            if what == "calculation":
                from plealever.guidelines import calculate

                return calculate(case, source=case_id).to_dict()
            if what == "assessment":
                from plealever.mitigation import assess

                return assess(case).to_dict()
            from plealever.negotiation.compare import compare

            return compare(case, draws=draws).to_dict()
        except PlealeverError as exc:
            return _error(exc)

    # --- pages ---------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, q: str | None = None):
        rows = store.list(q)
        if request.headers.get("hx-request"):
            return page(request, "_case_rows.html", rows=rows)
        return page(request, "index.html", rows=rows, q=q or "")

    @app.post("/cases", include_in_schema=False)
    def new_case(request: Request):
        r = store.create(EXAMPLE, note="new case")
        return _go(request, f"/cases/{r.id}")

    @app.post("/import", include_in_schema=False)
    async def import_case(request: Request, file: Annotated[UploadFile, File()]):
        try:
            text = (await file.read()).decode("utf-8")
        except UnicodeDecodeError:
            return HTMLResponse(
                '<p class="error" role="alert">The file is not UTF-8 text; nothing was imported.</p>', 422
            )
        fmt = "json" if (file.filename or "").lower().endswith(".json") else "yaml"
        try:
            r = store.import_text(text, fmt=fmt, source=file.filename or "upload")
        except PlealeverError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 422)
        return _go(request, f"/cases/{r.id}")

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def editor(request: Request, case_id: str):
        try:
            r = store.get(case_id)
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 404)
        return page(
            request,
            "editor.html",
            record=r,
            sections=forms.fields(forms.for_display(r.data)),
            worksheet=_worksheet(r.data),
            errors={},
        )

    @app.post("/cases/{case_id}/preview", response_class=HTMLResponse, include_in_schema=False)
    async def preview(request: Request, case_id: str):
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        data, parse_errors = forms.from_form(form)
        errors = {**forms.field_errors(data), **parse_errors}
        names = [f.name for _, fs in forms.fields({}) for f in fs]
        return page(
            request,
            "_preview.html",
            errors=errors,
            names=names,
            worksheet=None if errors else _worksheet(data),
        )

    @app.post("/cases/{case_id}/save", response_class=HTMLResponse, include_in_schema=False)
    async def save(request: Request, case_id: str):
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            stored = store.get(case_id).data
        except PlealeverError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 404)
        # The form edits the fields it shows; anything it does not show survives from the stored case.
        data, parse_errors = forms.apply_form(stored, form)
        errors = {**forms.field_errors(data), **parse_errors}
        if errors:
            return HTMLResponse(
                '<p class="error" role="alert">Not saved: fix the fields marked in red.</p>', 422
            )
        version = form.get("version", "")
        if not re.fullmatch(r"[0-9]{1,10}", version, flags=re.ASCII) or int(version) > 2**31 - 1:
            return HTMLResponse(
                '<p class="error" role="alert">Not saved: the form lost its version; reload.</p>', 422
            )
        try:
            r = store.save(case_id, data, expected_version=int(version), note="saved in the editor")
        except ConflictError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 409)
        except PlealeverError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 422)
        response = HTMLResponse(f'<p class="ok" role="status">Saved as version {r.version}.</p>')
        response.headers["HX-Redirect"] = f"/cases/{case_id}"
        return response

    @app.get("/cases/{case_id}/assessment", response_class=HTMLResponse, include_in_schema=False)
    def assessment_page(request: Request, case_id: str):
        from plealever.mitigation import assess

        try:
            r = store.get(case_id)
            result = assess(parse_case(r.data, source=case_id)).to_dict()
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 422)
        return page(request, "assessment.html", record=r, a=result)

    @app.get("/cases/{case_id}/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page(request: Request, case_id: str):
        from plealever.negotiation.compare import compare

        try:
            r = store.get(case_id)
            case = parse_case(r.data, source=case_id)
            result = compare(case, draws=2000).to_dict()
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 422)
        return page(request, "scenarios.html", record=r, c=result, s=_similar(case))

    @app.get("/cases/{case_id}/charts/{name}.png", include_in_schema=False)
    def chart(case_id: str, name: str):
        from plealever.negotiation.compare import compare
        from plealever.report.charts import distribution_chart, tornado_chart

        try:
            result = compare(parse_case(store.get(case_id).data, source=case_id), draws=2000)
        except PlealeverError as exc:
            return JSONResponse({"error": exc.one_line()}, 422)
        if name == "distribution":
            return Response(distribution_chart(result), media_type="image/png")
        if name == "tornado" and result.sensitivity:
            return Response(tornado_chart(result.sensitivity), media_type="image/png")
        return JSONResponse({"error": "no such chart"}, 404)

    @app.get("/cases/{case_id}/memo.{fmt}", include_in_schema=False)
    def memo(case_id: str, fmt: str):
        from plealever.report import build_context, render
        from plealever.report.render import FORMATS

        if fmt not in FORMATS:
            return JSONResponse({"error": f"unknown format {fmt}"}, 404)
        try:
            r = store.get(case_id)
            data = render(build_context(parse_case(r.data, source=case_id), source=r.name, draws=2000), fmt)
        except PlealeverError as exc:
            return JSONResponse({"error": exc.one_line()}, 422)
        media = {
            "md": "text/markdown; charset=utf-8",
            "html": "text/html; charset=utf-8",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
        }[fmt]
        stamp = dt.date.today().isoformat()
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="memo-{stamp}.{fmt}"'},
        )

    @app.get("/cases/{case_id}/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(request: Request, case_id: str):
        try:
            r = store.get(case_id)
            versions = store.history(case_id)
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 404)
        return page(request, "history.html", record=r, versions=list(reversed(versions)))

    return app


def _similar(case) -> dict[str, Any]:
    """The similar-offender panel, or the reason there is none (shown in place of it)."""
    from plealever.negotiation.similar import panel

    try:
        return panel(case)
    except PlealeverError as exc:
        return {"error": exc.one_line()}


def _go(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = url
        return response
    return RedirectResponse(url, 303)


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def _worksheet(data: dict[str, Any]) -> dict[str, Any]:
    from plealever.guidelines import calculate

    try:
        return {"ok": True, **calculate(parse_case(data, source="editor")).to_dict()}
    except PlealeverError as exc:
        return {"ok": False, "error": exc.one_line()}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
