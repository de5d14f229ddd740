"""The local web app. Pages for people (HTMX) and a JSON API for scripts (described by OpenAPI), both
over the same store and the same calculations as the command line; only this module turns errors into
responses."""

from __future__ import annotations

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
from plealever.web import editor, forms
from plealever.web.security import Guard, Settings


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
    templates.env.globals.update(
        csrf=settings.csrf, notice=NOTICE, dom_id=forms.dom_id, worksheet_caveats=editor.caveats
    )

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
    def home(request: Request, q: str | None = Query(None, max_length=200), archived: bool = False):
        rows = store.list(q, archived=archived)
        if request.headers.get("hx-request"):
            return page(request, "_case_rows.html", rows=rows, archived=archived)
        shelved = 0 if archived else len(store.list(None, archived=True))
        return page(request, "index.html", rows=rows, q=q or "", archived=archived, shelved=shelved)

    @app.post("/cases", include_in_schema=False)
    def new_case(request: Request):
        return _go(request, "/cases/new")  # the blank editor; nothing is stored until Save

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

    editor.add_routes(app, store, page)

    @app.post("/cases/{case_id}/archive", include_in_schema=False)
    def archive_case(request: Request, case_id: str, undo: bool = False):
        try:
            store.archive(case_id, archived=not undo)
        except PlealeverError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 404)
        return _go(request, f"/cases/{case_id}" if undo else "/")

    @app.post("/cases/{case_id}/delete", include_in_schema=False)
    def delete_case(request: Request, case_id: str):
        try:
            store.delete(case_id)
        except PlealeverError as exc:
            return HTMLResponse(f'<p class="error" role="alert">{_esc(exc.one_line())}</p>', 404)
        return _go(request, "/")

    @app.get("/cases/{case_id}/assessment", response_class=HTMLResponse, include_in_schema=False)
    def assessment_page(request: Request, case_id: str):
        from plealever.mitigation import assess

        try:
            r = store.get(case_id)
            result = assess(parse_case(r.data, source=case_id)).to_dict()
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 422)
        return page(request, "assessment.html", record=r, a=result, active="assessment")

    @app.get("/cases/{case_id}/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page(request: Request, case_id: str):
        from plealever.negotiation.compare import compare

        try:
            r = store.get(case_id)
            result = compare(parse_case(r.data, source=case_id), draws=2000).to_dict()
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 422)
        return page(request, "scenarios.html", record=r, c=result, active="scenarios")

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
        return Response(data, media_type=media, headers={"Content-Disposition": download_name(r, fmt)})

    @app.get("/cases/{case_id}/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(request: Request, case_id: str):
        try:
            r = store.get(case_id)
            versions = store.history(case_id)
        except PlealeverError as exc:
            return HTMLResponse(_esc(exc.one_line()), 404)
        return page(request, "history.html", record=r, versions=list(reversed(versions)), active="history")

    return app


def _go(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = url
        return response
    return RedirectResponse(url, 303)


def download_name(record, fmt: str) -> str:
    """Content-Disposition naming the file after the case and its version, e.g.
    example-one-receipt-count-v3-memo.docx (ASCII), with the exact name as RFC 6266 filename*."""
    from urllib.parse import quote

    stem = f"{record.name}-v{record.version}-memo"
    ascii_stem = re.sub(r"[^A-Za-z0-9]+", "-", stem.encode("ascii", "ignore").decode()).strip("-").lower()
    exact = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "-", stem)
    return (
        f'attachment; filename="{ascii_stem[:120] or "memo"}.{fmt}"; '
        f"filename*=UTF-8''{quote(exact[:150] + '.' + fmt, safe='')}"
    )


def _esc(text: str) -> str:
    import html

    return html.escape(text)
