"""The local web app. Pages for people (HTMX) and a JSON API for scripts (described by OpenAPI), both
over the same store and the same `Analysis` as the command line: a page, its charts and its memo
downloads read one cached analysis per (case, version, draws, day). Errors become responses in one
place, the PlealeverError handler (JSON for the API and charts, an alert fragment for pages)."""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
from collections import OrderedDict
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from plealever.analysis import Analysis, analyse
from plealever.case import boundary
from plealever.case.load import parse_case
from plealever.errors import InputRefusedError, PlealeverError, TooLargeError
from plealever.guidelines.trace import NOTICE
from plealever.store import Store
from plealever.store.db import CaseRecord
from plealever.web import editor, forms, pages
from plealever.web.security import Guard, Settings


class SaveBody(BaseModel):
    model_config = {"extra": "forbid"}
    data: dict[str, Any]
    expected_version: int = Field(ge=1, le=2**31 - 1)


class ApiError(BaseModel):
    error: str = Field(description="One line: where (file or request, field) and what was expected.")


def _documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an API operation can give, for the OpenAPI document."""
    text = {"content": {"text/plain": {"schema": {"type": "string"}}}}
    known: dict[int, dict[str, Any]] = {
        400: {"description": "The Host header names another address (DNS-rebinding check)", **text},
        401: {"description": "No valid token or session", **text},
        404: {"description": "No such case or version", "model": ApiError},
        409: {"description": "The case was saved by someone else since that version", "model": ApiError},
        413: {"description": "The body is larger than the case-file limit", "model": ApiError},
        422: {"description": "The request or the case file is invalid", "model": ApiError},
        500: {"description": "A defect in the tool's own data", "model": ApiError},
        501: {"description": "An optional part of the tool is not installed", "model": ApiError},
        503: {"description": "The database refused the operation", "model": ApiError},
    }
    return {code: known[code] for code in (400, 401, *codes)}


def _body_schema(ref: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        }
    }


async def _json_body(request: Request) -> Any:
    """The request body through the case-file boundary (the same checks as a YAML or JSON file)."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > boundary.MAX_BYTES:
            raise TooLargeError(
                f"the document is larger than the limit of {boundary.MAX_BYTES // 1024} KiB", file="request"
            )
    return boundary.read_bytes(bytes(raw), fmt="json", source="request")


def _mapping(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputRefusedError("expected a mapping of case fields", file="request")
    return data


class AnalysisCache:
    """The last few analyses, by (case id, version, draws, day): a page and its two charts, or a
    page and its memo, share one run. A stored version never changes, so an entry never goes stale."""

    def __init__(self, size: int = 16):
        self.size = size
        self._items: OrderedDict[tuple, Analysis] = OrderedDict()
        self._lock = threading.Lock()
        self.runs = 0  # analyses computed (for tests and benchmarks)

    def get(self, record: CaseRecord, draws: int | None = None) -> Analysis:
        key = (record.id, record.version, draws, dt.date.today())
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            # Computed under the lock: two requests for one version wait for one run, not two.
            case = parse_case(record.data, source=record.name)
            analysis = analyse(case, source=record.name, draws=draws)
            self.runs += 1
            self._items[key] = analysis
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            return analysis


def _warm() -> None:
    """Off the request path, at start-up: import the heavy libraries and read the data the first
    analysis, chart and PDF need (each is read once per process), so the first click pays none of it."""
    import docx  # noqa: F401
    import numpy  # noqa: F401
    import weasyprint

    from plealever.data import store as records
    from plealever.law import districts
    from plealever.negotiation import compare, investigation, practice, similar  # noqa: F401
    from plealever.report import charts, render  # noqa: F401 - matplotlib's backend

    records.bundled()  # the FY2019-2023 offender rows, read and checked
    districts.codes()
    practice.load_params()
    charts.warm()  # matplotlib's font cache
    weasyprint.HTML(string="<p>plealever</p>").render()  # fontconfig and Pango
    # What start-up loaded lives as long as the server: the collector need not walk it again on every
    # full collection (a PDF memo allocates enough to trigger several).
    gc.freeze()


def create_app(store: Store, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="plealever",
        version="0.1.0",
        docs_url=None,  # FastAPI's /docs loads Swagger UI from a CDN; the schema is at /openapi.json
        redoc_url=None,
        description="Local API: cases, calculations, assessments and scenarios. " + NOTICE,
    )
    app.add_middleware(Guard, settings=settings)
    _install_api_conventions(app)
    cache = AnalysisCache()
    app.state.analyses = cache
    threading.Thread(target=_warm, name="plealever-warm", daemon=True).start()

    @app.exception_handler(PlealeverError)
    def _error(request: Request, exc: PlealeverError) -> Response:
        """The one translation of the package's errors: the class names the status; the API and the
        charts answer JSON, pages an alert fragment that HTMX swaps in."""
        path = request.url.path
        if path.startswith("/api/") or "/charts/" in path or "/memo." in path or "/advisement." in path:
            return JSONResponse({"error": exc.one_line()}, exc.http_status)
        # A route may say what did not happen ("Not saved"), so the message reads as its outcome.
        failed = getattr(request.state, "failed", None)
        message = f"{failed}: {exc.one_line()}" if failed else exc.one_line()
        if request.method == "GET" and not request.headers.get("hx-request"):
            return templates.TemplateResponse(request, "error.html", {"message": message}, exc.http_status)
        return HTMLResponse(f'<p class="error" role="alert">{_esc(message)}</p>', exc.http_status)
    static = resources.files("plealever.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    templates = Jinja2Templates(directory=str(resources.files("plealever.web") / "templates"))
    templates.env.globals.update(
        csrf=settings.csrf, notice=NOTICE, dom_id=forms.dom_id
    )
    from plealever.report.practice_view import histogram_label, spark

    templates.env.filters.update(spark=spark, histogram_label=histogram_label)

    def page(request: Request, name: str, **ctx) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx)

    # --- JSON API (documented) ---------------------------------------------------------------

    @app.get("/api/cases", tags=["cases"], responses=_documented(422, 503))
    def api_list(search: str | None = Query(None, max_length=200)) -> list[dict[str, Any]]:
        return [
            {"id": r.id, "name": r.name, "version": r.current_version, "updated_at": r.updated_at.isoformat()}
            for r in store.list(search)
        ]

    @app.post(
        "/api/cases",
        tags=["cases"],
        status_code=201,
        responses=_documented(413, 422, 503),
        openapi_extra=_body_schema("Case"),
    )
    def api_create(data: Annotated[Any, Depends(_json_body)]):
        r = store.create(_mapping(data))
        return {"id": r.id, "version": r.version}

    @app.get("/api/cases/{case_id}", tags=["cases"], responses=_documented(404, 422, 503))
    def api_get(case_id: str, version: int | None = Query(None, ge=1, le=2**31 - 1)):
        r = store.get(case_id, version)
        return {
            "id": r.id,
            "name": r.name,
            "version": r.version,
            "current_version": r.current_version,
            "data": r.data,
        }

    @app.put(
        "/api/cases/{case_id}",
        tags=["cases"],
        responses=_documented(404, 409, 413, 422, 503),
        openapi_extra=_body_schema("SaveBody"),
    )
    def api_save(case_id: str, raw: Annotated[Any, Depends(_json_body)]):
        body = _save_body(raw)
        r = store.save(case_id, body.data, expected_version=body.expected_version, note="saved through the API")
        return {"id": r.id, "version": r.version}

    @app.get("/api/cases/{case_id}/history", tags=["cases"], responses=_documented(404, 422, 500, 501, 503))
    def api_history(case_id: str):
        return store.history(case_id)

    @app.get("/api/cases/{case_id}/calculation", tags=["analysis"], responses=_documented(404, 422, 500, 501, 503))
    def api_calculation(case_id: str):
        return _exposure(cache.get(store.get(case_id))).to_dict()

    @app.get("/api/cases/{case_id}/assessment", tags=["analysis"], responses=_documented(404, 422, 500, 501, 503))
    def api_assessment(case_id: str):
        return cache.get(store.get(case_id)).assessment.to_dict()

    @app.get("/api/cases/{case_id}/scenarios", tags=["analysis"], responses=_documented(404, 422, 500, 501, 503))
    def api_scenarios(case_id: str, draws: int | None = Query(None, ge=100, le=20000)):
        return _comparison(cache.get(store.get(case_id), draws)).to_dict()

    @app.get("/api/cases/{case_id}/similar", tags=["analysis"], responses=_documented(404, 422, 500, 501, 503))
    def api_similar(case_id: str) -> dict[str, Any]:
        from plealever.negotiation.similar import panel_for_analysis

        return panel_for_analysis(cache.get(store.get(case_id)))

    @app.post(
        "/api/calculate",
        tags=["analysis"],
        responses=_documented(413, 422, 500),
        openapi_extra=_body_schema("Case"),
    )
    def api_calculate(data: Annotated[Any, Depends(_json_body)]):
        case = parse_case(_mapping(data), source="request")
        return analyse(case, source="request", upto="exposure").result.to_dict()

    @app.get("/api/schema", tags=["analysis"], responses=_documented())
    def api_schema() -> dict[str, Any]:
        from plealever.case import Case

        return Case.model_json_schema()

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
        raw = await file.read(boundary.MAX_BYTES + 1)  # never more than the limit in memory
        if len(raw) > boundary.MAX_BYTES:
            message = f"the document is larger than the limit of {boundary.MAX_BYTES // 1024} KiB"
            return HTMLResponse(f'<p class="error" role="alert">{_esc(message)}; nothing was imported.</p>', 413)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return HTMLResponse(
                '<p class="error" role="alert">The file is not UTF-8 text; nothing was imported.</p>', 422
            )
        fmt = "json" if (file.filename or "").lower().endswith(".json") else "yaml"
        request.state.failed = "Nothing was imported"
        r = store.import_text(text, fmt=fmt, source=file.filename or "upload")
        return _go(request, f"/cases/{r.id}")

    editor.add_routes(app, store, page)

    @app.post("/cases/{case_id}/archive", include_in_schema=False)
    def archive_case(request: Request, case_id: str, undo: bool = False):
        store.archive(case_id, archived=not undo)
        return _go(request, f"/cases/{case_id}" if undo else "/")

    @app.post("/cases/{case_id}/delete", include_in_schema=False)
    def delete_case(request: Request, case_id: str):
        store.delete(case_id)
        return _go(request, "/")

    @app.get("/cases/{case_id}/assessment", response_class=HTMLResponse, include_in_schema=False)
    def assessment_page(request: Request, case_id: str):
        r = store.get(case_id)
        analysis = cache.get(r)
        from plealever.report import views

        a = analysis.assessment.to_dict()
        view = pages.assessment_view(a, analysis.book)
        investigation = {"header": views.INVESTIGATION_HEADER, "rows": views.investigation_rows(analysis.investigation)}
        return page(
            request, "assessment.html", record=r, a=a, view=view, active="assessment", investigation=investigation
        )

    @app.get("/cases/{case_id}/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page(request: Request, case_id: str):
        r = store.get(case_id)
        analysis = cache.get(r)
        comparison = _comparison(analysis)
        c = comparison.to_dict()
        return page(
            request,
            "scenarios.html",
            record=r,
            c=c,
            table=_scenario_table(comparison),
            consequences=pages.consequences(c["scenarios"]),
            sensitivity_note=pages.sensitivity_note(c),
            s=_similar(analysis),
            active="scenarios",
        )

    @app.get("/cases/{case_id}/similar", response_class=HTMLResponse, include_in_schema=False)
    def similar_panel(request: Request, case_id: str):
        """The similar-offender panel for the case page, loaded when it is opened (it needs the analysis
        of the saved version, which the scenarios page and the memos then share)."""
        r = store.get(case_id)
        return page(request, "_similar.html", s=_similar(cache.get(r)), saved_version=r.version)

    @app.get("/cases/{case_id}/charts/{name}.png", include_in_schema=False)
    def chart(case_id: str, name: str):
        from plealever.report import charts

        analysis = cache.get(store.get(case_id))
        _comparison(analysis)
        png = charts.chart(analysis, name)
        if png is None:
            return JSONResponse({"error": "no such chart"}, 404)
        return Response(png, media_type="image/png")

    @app.get("/cases/{case_id}/memo.{fmt}", include_in_schema=False)
    def memo(case_id: str, fmt: str):
        from plealever.report import FORMATS, render_memo
        from plealever.report.render import MEDIA_TYPES, DocumentOptions

        if fmt not in FORMATS:
            return JSONResponse({"error": f"unknown format {fmt}"}, 404)
        r = store.get(case_id)
        data = render_memo(cache.get(r), fmt, DocumentOptions.from_env())
        media = MEDIA_TYPES[fmt]
        return Response(data, media_type=media, headers={"Content-Disposition": download_name(r, fmt)})

    @app.get("/cases/{case_id}/offers/{offer_id}/advisement.{fmt}", include_in_schema=False)
    def advisement(case_id: str, offer_id: str, fmt: str):
        from plealever.report import FORMATS
        from plealever.report.advisement import render_advisement
        from plealever.report.render import MEDIA_TYPES

        if fmt not in FORMATS:
            return JSONResponse({"error": f"unknown format {fmt}"}, 404)
        analysis = cache.get(store.get(case_id))
        _comparison(analysis)
        if offer_id not in {o["id"] for o in analysis.offers}:
            return JSONResponse({"error": f"no offer {offer_id!r} in this case"}, 404)
        data = render_advisement(analysis, offer_id, fmt)
        r = store.get(case_id)
        disposition = download_name(r, fmt, f"advisement {offer_id}")
        return Response(data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})

    @app.get("/cases/{case_id}/history", response_class=HTMLResponse, include_in_schema=False)
    def history_page(request: Request, case_id: str):
        r = store.get(case_id)
        versions = store.history(case_id)
        return page(request, "history.html", record=r, versions=list(reversed(versions)), active="history")

    return app


def _save_body(raw: Any) -> SaveBody:
    if not isinstance(raw, dict):
        raise InputRefusedError("expected a mapping with data and expected_version", file="request")
    try:
        return SaveBody.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or None
        raise InputRefusedError(err["msg"], file="request", field=where) from None


def _install_api_conventions(app: FastAPI) -> None:
    """One error shape for request errors, a correct Allow header, and the case model in the OpenAPI
    document (the package's own errors have their handler in create_app)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return JSONResponse({"error": " ".join(f"request: {where}: {first['msg']}".split())[:500]}, 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first route whose path matched; a path served by several
            # routes (GET and PUT /api/cases/{id}) allows the methods of all of them.
            methods: set[str] = set()
            for route in app.router.routes:
                match, _ = route.matches(request.scope)
                if match is not Match.NONE and getattr(route, "methods", None):
                    methods |= set(route.methods)
            headers["Allow"] = ", ".join(sorted(methods))
        return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=headers)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            from plealever.case import Case

            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            case = Case.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(case.pop("$defs", {}))
            components["Case"] = case
            components["SaveBody"] = {
                "type": "object",
                "title": "SaveBody",
                "required": ["data", "expected_version"],
                "additionalProperties": False,
                "properties": {
                    "data": {"$ref": "#/components/schemas/Case"},
                    "expected_version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                },
            }
            schema["components"]["securitySchemes"] = {"token": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"token": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _go(request: Request, url: str) -> Response:
    if request.headers.get("hx-request"):
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = url
        return response
    return RedirectResponse(url, 303)


def download_name(record, fmt: str, what: str = "memo") -> str:
    """Content-Disposition naming the file after the case and its version, e.g.
    example-one-receipt-count-v3-memo.docx or ...-v3-advisement-second.pdf: an ASCII name, and the same
    words in UTF-8 (RFC 6266)."""
    from urllib.parse import quote

    stem = re.sub(r"[\W_]+", "-", f"{record.name} v{record.version} {what}").strip("-").lower()[:150]
    ascii_stem = re.sub(r"-+", "-", stem.encode("ascii", "ignore").decode()).strip("-")
    fallback = re.sub(r"[\W_]+", "-", what).strip("-").lower() or "memo"
    return (
        f'attachment; filename="{ascii_stem or fallback}.{fmt}"; '
        f"filename*=UTF-8''{quote(stem + '.' + fmt, safe='')}"
    )


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def _exposure(analysis: Analysis):
    if analysis.result is None:
        raise analysis.error
    return analysis.result


def _comparison(analysis: Analysis):
    if analysis.comparison is None:
        raise analysis.error
    return analysis.comparison


def _similar(analysis: Analysis) -> dict[str, Any]:
    """The similar-offender panel, or the reason there is none (shown in its place)."""
    return analysis.similar or {"error": "the analysis has no scenarios"}


def _scenario_table(comparison) -> dict[str, Any]:
    from plealever.report import views

    return {
        "header": views.SCENARIO_HEADER,
        "rows": views.scenario_rows(comparison.rows),
        "notes": views.scenario_notes(comparison.rows),
        "note": views.SCENARIO_NOTE,
        "recommended": views.recommended_text(comparison.rows, comparison.recommended),
        "robust": views.robust_text(comparison.rows, comparison.recommended, comparison.robust),
        "trial": comparison.conviction.get("basis", []),
        "assumption_header": views.ASSUMPTION_HEADER,
        "assumptions": views.assumption_rows(comparison.assumptions),
        "offer_header": views.OFFER_HEADER,
        "offers": views.offer_rows(comparison.offers),
        "offer_ids": [o["id"] for o in comparison.offers],
    }
