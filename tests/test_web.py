"""The web app's security, pages and JSON API, through ASGI, and property-based API fuzzing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from plealever.store import Store
from plealever.web.app import create_app
from plealever.web.security import CSP, Settings

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings(host="testserver", port=80)


@pytest.fixture()
def app(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'web.sqlite3'}")
    store.import_file(ROOT / "examples" / "receipt-plea.yaml")
    return create_app(store, SETTINGS)


@pytest.fixture()
def client(app):
    c = TestClient(app)
    r = c.get(f"/?token={SETTINGS.token}", follow_redirects=False)
    assert r.status_code == 303 and "token" not in r.headers["location"]
    return c


def test_token_host_csrf_and_headers(app, client):
    anon = TestClient(app)
    assert anon.get("/").status_code == 401
    assert anon.get("/api/cases").status_code == 401
    assert anon.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert (
        TestClient(app).get("/api/cases", headers={"Authorization": f"Bearer {SETTINGS.token}"}).status_code
        == 200
    )
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY" and 'src="/static/htmx.min.js"' in page.text
    assert "https://" not in page.text.split("</head>")[0]  # no CDN, no external requests
    assert client.post("/cases").status_code == 403  # cookie without the CSRF header
    made = client.post("/cases", headers={"X-CSRF-Token": SETTINGS.csrf, "HX-Request": "true"})
    assert made.status_code == 204 and made.headers["hx-redirect"] == "/cases/new"
    assert len(client.get("/api/cases").json()) == 1  # "New case" stores nothing until saved


def test_editor_preview_validates_fields_and_recomputes(client):
    case_id = client.get("/api/cases").json()[0]["id"]
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="f-facts-videos"' in page.text and "63" in page.text
    form = {
        "version": "1",
        "counts.0.statute": "2252(a)(2)",
        "facts.videos": "2",
        "facts.prepubescent": "true",
        "facts.computer": "true",
        "facts.distribution": "none",
        "facts.receipt_only_no_intent_to_distribute": "true",
        "acceptance": "three_level",
        "criminal_history.category": "I",
        "manual": "2025-11-01",
    }
    h = {"X-CSRF-Token": SETTINGS.csrf}
    ok = client.post(f"/cases/{case_id}/preview", data=form, headers=h)
    assert ok.status_code == 200 and 'id="guideline-range">51-63<' in ok.text  # 22-2+2+2+3 = 27; -3 = 24
    bad = client.post(f"/cases/{case_id}/preview", data={**form, "facts.videos": "-4"}, headers=h)
    assert '<span data-for="e-f-facts-videos">must be 0 or more</span>' in bad.text
    assert bad.headers["hx-reswap"] == "none"  # the last valid worksheet stays, greyed
    saved = client.post(f"/cases/{case_id}/save", data=form, headers=h)
    assert saved.status_code == 200 and "version 2" in saved.text
    conflict = client.post(f"/cases/{case_id}/save", data=form, headers=h)
    assert conflict.status_code == 409 and "reload it" in conflict.text


def test_pages_and_downloads(client):
    case_id = client.get("/api/cases").json()[0]["id"]
    for path in ("assessment", "scenarios", "history"):
        assert client.get(f"/cases/{case_id}/{path}").status_code == 200, path
    png = client.get(f"/cases/{case_id}/charts/distribution.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    docx = client.get(f"/cases/{case_id}/memo.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get("/api/cases?search=receipt").json()[0]["name"].startswith("Example")


def test_json_api(client):
    h = {"Authorization": f"Bearer {SETTINGS.token}"}
    case_id = client.get("/api/cases", headers=h).json()[0]["id"]
    got = client.get(f"/api/cases/{case_id}", headers=h).json()
    calc = client.get(f"/api/cases/{case_id}/calculation", headers=h).json()
    assert calc["total_offense_level"] == 26
    data = dict(got["data"], acceptance="two_level")
    put = client.put(f"/api/cases/{case_id}", json={"data": data, "expected_version": 1}, headers=h)
    assert put.json()["version"] == 2
    stale = client.put(f"/api/cases/{case_id}", json={"data": data, "expected_version": 1}, headers=h)
    assert stale.status_code == 409
    bad = client.post("/api/cases", json={"counts": []}, headers=h)
    assert bad.status_code == 422 and "counts" in bad.json()["error"]
    assert client.get("/api/cases/nope", headers=h).status_code == 404
    spec = client.get("/openapi.json", headers=h).json()
    assert {"/api/cases", "/api/cases/{case_id}", "/api/calculate"} <= set(spec["paths"])


def test_serving_beyond_loopback_warns_and_still_needs_the_token():
    import re
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    exe = Path(sys.executable).parent / "plealever"
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "0.0.0.0", "--port", "0", "--db", "sqlite://"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        warning = proc.stderr.readline()
        assert "warning" in warning and "token" in warning
        url = re.search(r"http://\S+", proc.stdout.readline()).group(0)
        port = re.search(r":(\d+)/", url).group(1)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert info.value.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/cases",
            {
                "counts": [{"statute": "2252(a)(2)"}],
                "criminal_history": {"category": "I"},
                "facts": {"distribution": "pecuniary", "distribution_retail_value": float("inf")},
            },
        ),
        (
            "post",
            "/api/cases",
            {
                "name": "x" * 5000,
                "counts": [{"statute": "2252(a)(2)"}],
                "criminal_history": {"category": "I"},
            },
        ),
        (
            "post",
            "/api/cases",
            {"counts": [{"statute": "2252(a)(2)", "count": 10**9}], "criminal_history": {"category": "I"}},
        ),
        (
            "post",
            "/api/calculate",
            {
                "counts": [{"statute": "2252(a)(2)"}],
                "criminal_history": {"category": "I"},
                "outcome_parameters": {"conviction_probability": "high"},
            },
        ),
    ],
)
def test_hostile_bodies_get_4xx_not_5xx(client, method, path, body):
    h = {"Authorization": f"Bearer {SETTINGS.token}", "Content-Type": "application/json"}
    r = getattr(client, method)(path, content=json.dumps(body, allow_nan=True), headers=h)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])


def test_huge_or_bad_versions_are_refused(client):
    h = {"Authorization": f"Bearer {SETTINGS.token}"}
    case_id = client.get("/api/cases", headers=h).json()[0]["id"]
    assert client.get(f"/api/cases/{case_id}?version={10**30}", headers=h).status_code == 422
    put = client.put(f"/api/cases/{case_id}", json={"data": {}, "expected_version": 10**30}, headers=h)
    assert put.status_code == 422
    for version in ("abc", "", "1.5", str(10**30)):
        form = {"version": version, "counts.0.statute": "2252(a)(2)", "criminal_history.category": "I"}
        r = client.post(f"/cases/{case_id}/save", data=form, headers={"X-CSRF-Token": SETTINGS.csrf})
        assert r.status_code == 422, (version, r.status_code)


# --- regressions from the security and data review -----------------------------------------------


def test_an_unchanged_editor_save_keeps_everything(tmp_path):
    import re as _re

    store = Store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    data = {
        "name": "Round trip",
        "counts": [{"statute": "2252A(a)(2)"}],
        "criminal_history": {"category": "I"},
        "facts": {"prepubescent": 1, "computer": "yes", "videos": 3},
        "outcome_parameters": {"draws": 500},
    }
    r = store.create(data)
    app = create_app(store, SETTINGS)
    c = TestClient(app)
    c.get(f"/?token={SETTINGS.token}")
    page = c.get(f"/cases/{r.id}").text
    form = {}
    for name, value in _re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page):
        form[name] = value
    for name, body in _re.findall(r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, _re.S):
        chosen = _re.search(r'<option value="([^"]*)" selected>', body)
        form[name] = chosen.group(1) if chosen else ""
    for name, body in _re.findall(
        r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', page, _re.S
    ):
        form[name] = body.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    form["version"] = "1"
    saved = c.post(f"/cases/{r.id}/save", data=form, headers={"X-CSRF-Token": SETTINGS.csrf})
    assert saved.status_code == 200, saved.text
    after = store.get(r.id)
    assert after.version == 2 and after.data == data  # 1 and "yes" keep their spelling: nothing changed


def test_review_regressions(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    r = store.create(
        {"name": "Old", "counts": [{"statute": "2252A(a)(2)"}], "criminal_history": {"category": "I"}}
    )
    data = dict(store.get(r.id).data)
    data.pop("name")
    store.save(r.id, data, expected_version=1)
    assert store.get(r.id).name != "Old" and store.get(r.id, 1).name == "Old"  # D3
    app = create_app(store, SETTINGS)
    c = TestClient(app)
    first = c.get(f"/?token={SETTINGS.token}", follow_redirects=False)
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"plealever_session_{SETTINGS.port}=")  # S2
    assert SETTINGS.token not in cookie and "domain" not in cookie.lower()  # a session id, host-only
    evil = c.get(f"//evil.example/x?token={SETTINGS.token}", follow_redirects=False)
    assert evil.headers["location"].startswith("/") and not evil.headers["location"].startswith("//")  # S1
    assert c.get("/docs").status_code == 404  # S3: no CDN-backed docs page
    h = {"X-CSRF-Token": SETTINGS.csrf}
    latin1 = c.post("/import", files={"file": ("case.yaml", "name: caf\xe9\n".encode("latin-1"))}, headers=h)
    assert latin1.status_code == 422 and "UTF-8" in latin1.text  # D4
    for version in ("²", "9" * 5000):
        assert c.post(f"/cases/{r.id}/save", data={"version": version}, headers=h).status_code == 422  # C1
    assert c.get("/api/cases/a%00b").status_code == 404  # C2
    assert c.get("/api/cases?search=%00").json() == []
    assert c.get("/api/cases?search=%25").json() == []  # % is literal in a search
    nul = c.post(
        "/api/cases",
        json={
            "name": "a\x00b",
            "counts": [{"statute": "2252A(a)(2)"}],
            "criminal_history": {"category": "I"},
        },
        headers=h,
    )
    assert nul.status_code == 422
    memory = TestClient(
        create_app(Store("sqlite://"), SETTINGS)
    )  # C4: one in-memory database for all threads
    memory.get(f"/?token={SETTINGS.token}")
    assert memory.get("/").status_code == 200 and memory.get("/api/cases").status_code == 200
    html = c.get("/").text
    assert '"responseHandling"' in html and "409" in html  # D2: htmx shows 4xx fragments


def test_crlf_files_round_trip_byte_for_byte(tmp_path):
    source = (ROOT / "examples" / "receipt-plea.yaml").read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(source)
    store = Store(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    assert store.export(store.import_file(path).id).encode("utf-8") == source


def test_serve_on_a_busy_port_fails_in_one_line():
    import socket
    import subprocess
    import sys

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        out = subprocess.run(
            [
                str(Path(sys.executable).parent / "plealever"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                "sqlite://",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        busy.close()
    assert out.returncode == 2 and out.stderr.strip().startswith("error: cannot listen on 127.0.0.1")
    assert "Traceback" not in out.stderr


def test_the_session_is_a_random_id_that_expires_when_idle(tmp_path):
    now = [1000.0]
    s = Settings(host="127.44.5.6", port=8765, clock=lambda: now[0], idle_seconds=60)
    c = TestClient(create_app(Store("sqlite://"), s), base_url="http://127.44.5.6:8765")
    first = c.get(f"/?token={s.token}", follow_redirects=False)
    session = first.cookies.get(s.cookie)
    assert session and session != s.token and len(session) >= 40
    assert c.get("/api/cases").status_code == 200
    now[0] += 59  # used within the idle limit: it stays open
    assert c.get("/api/cases").status_code == 200
    now[0] += 61  # idle past the limit: gone, and it does not come back
    assert c.get("/api/cases").status_code == 401
    now[0] += 1
    assert c.get("/api/cases").status_code == 401
    assert c.get(f"/?token={s.token}", follow_redirects=False).cookies.get(s.cookie) not in (None, session)
    forged = TestClient(create_app(Store("sqlite://"), s), base_url="http://127.44.5.6:8765")
    forged.cookies.set(s.cookie, s.token)  # the token itself is no session
    assert forged.get("/api/cases").status_code == 401


def test_on_a_random_loopback_address_other_host_names_are_refused():
    s = Settings(host="127.44.5.6", port=8765)
    assert s.allowed_hosts == {"127.44.5.6", "127.44.5.6:8765"}
    c = TestClient(create_app(Store("sqlite://"), s), base_url="http://127.44.5.6:8765")
    assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 400
    assert c.get("/", headers={"Host": "localhost:8765"}).status_code == 400
    assert "127.0.0.1" in Settings(host="127.0.0.1", port=1).allowed_hosts  # named explicitly: as before


def test_serve_listens_on_a_random_loopback_address_and_prints_it():
    import re
    import subprocess
    import sys

    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "plealever"), "serve", "--port", "0", "--db", "sqlite://"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline()
        match = re.search(r"http://(127\.(\d+)\.\d+\.\d+):\d+/\?token=", url)
        assert match and match.group(2) != "0", url  # outside 127.0.x.x, where other services listen
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_page_its_charts_and_its_memo_share_one_analysis(app, client):
    """One stored version is analysed once for the scenarios page, both charts and every memo format,
    and the web memo is byte for byte the CLI memo of the same case file."""
    from tests.test_cli import plealever

    case_id = client.get("/api/cases").json()[0]["id"]
    cache = app.state.analyses
    assert client.get(f"/cases/{case_id}/scenarios").status_code == 200
    for name in ("distribution", "tornado"):
        chart = client.get(f"/cases/{case_id}/charts/{name}.png")
        assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    memos = {fmt: client.get(f"/cases/{case_id}/memo.{fmt}") for fmt in ("md", "html", "docx")}
    assert all(m.status_code == 200 for m in memos.values())
    assert client.get(f"/api/cases/{case_id}/scenarios").status_code == 200
    assert cache.runs == 1
    cli = plealever("memo", str(ROOT / "examples" / "receipt-plea.yaml"))
    assert cli.returncode == 0
    assert memos["md"].content == cli.stdout.encode("utf-8")


def test_errors_are_translated_in_one_place(client):
    missing = client.get("/api/cases/nope")
    assert missing.status_code == 404 and missing.json() == {"error": "no case nope"}
    page = client.get("/cases/nope/assessment")
    assert page.status_code == 404 and 'role="alert"' in page.text and "no case" in page.text
    assert "<header>" in page.text  # a page opened directly is a whole page, not a bare fragment
    fragment = client.get("/cases/nope", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and fragment.text.startswith('<p class="error" role="alert">')
    h = {"X-CSRF-Token": SETTINGS.csrf}
    # The route says what did not happen; the class says the status.
    save = client.post("/cases/nope/save", data={"version": "1"}, headers=h)
    assert save.status_code == 404 and "Not saved: no case nope" in save.text
    bad = client.post("/import", files={"file": ("case.yaml", b"counts: {}\n")}, headers=h)
    assert bad.status_code == 422 and "Nothing was imported: " in bad.text and "counts" in bad.text


def test_a_store_failure_on_save_is_shown_with_its_status(client, monkeypatch):
    """A locked database answers 503 (its class's status), and the page's HTMX swaps that answer in
    rather than dropping it."""
    from plealever.errors import DatabaseError
    from plealever.store import Store

    case_id = client.get("/api/cases").json()[0]["id"]
    page = client.get(f"/cases/{case_id}").text
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', page).group(1)
    swapped = next(r["code"] for r in json.loads(config)["responseHandling"] if r.get("swap") and r.get("error") is False)
    for status in ("413", "422", "500", "503"):
        assert status in swapped.split("|"), status

    def locked(self, *args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(Store, "save", locked)
    form = {"version": "1", "__form": "case", "name": "Renamed"}
    out = client.post(f"/cases/{case_id}/save", data=form, headers={"X-CSRF-Token": SETTINGS.csrf})
    assert out.status_code == 503 and "Not saved: database is locked" in out.text


AT_A_FIELD = {"compute", "_load_yaml", "field_errors"}


def test_the_web_faces_translate_no_error_themselves():
    """Only the editor's form turns an error into a message at its field (the preview's worksheet, a
    YAML field, the model's own checks); every other error reaches the one handler."""
    import ast
    import inspect

    from plealever import errors

    ours = {name for name, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, errors.PlealeverError)}
    assert {"PlealeverError", "NotFoundError", "ConflictError"} <= ours
    found = []
    for path in sorted((ROOT / "src" / "plealever" / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name not in AT_A_FIELD:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ExceptHandler) and inner.type is not None:
                        names = {n.id for n in ast.walk(inner.type) if isinstance(n, ast.Name)}
                        names |= {n.attr for n in ast.walk(inner.type) if isinstance(n, ast.Attribute)}
                        if names & ours:
                            found.append(f"{path.name}:{inner.lineno} in {node.name}: {ast.unparse(inner.type)}")
    assert not found, found


def test_scenarios_page_and_api_show_the_similar_offender_panel(client):
    case_id = client.get("/api/cases").json()[0]["id"]
    page = client.get(f"/cases/{case_id}/scenarios").text
    assert 'id="similar-offenders"' in page and "Range 63-78 months as found" in page
    assert "too few cases" in page and "FY2019-FY2023" in page
    h = {"Authorization": f"Bearer {SETTINGS.token}"}
    panel = client.get(f"/api/cases/{case_id}/similar", headers=h).json()
    first = panel["ranges"][0]
    assert first["range"] == {"min": 63, "max": 78, "text": "63-78"}
    assert first["groups"][0]["group"] == "nation" and first["groups"][0]["n"] == 208
    assert panel["records"]["fiscal_years"] == [2019, 2020, 2021, 2022, 2023]
    # The case page loads the same panel when it is opened, with each group's histogram.
    editor = client.get(f"/cases/{case_id}").text
    assert f'hx-get="/cases/{case_id}/similar"' in editor and 'hx-trigger="toggle once"' in editor
    fragment = client.get(f"/cases/{case_id}/similar", headers={"HX-Request": "true"}).text
    assert 'id="similar-offenders"' in fragment and "(version 1 as saved)" in fragment
    assert 'class="spark"' in fragment and "offenders per bin: 20, 17, 30" in fragment
    assert "Histogram: 8 equal bins of months from 0 to 121" in fragment


def test_pages_show_what_is_measured_and_assumed_the_recommendation_offers_and_what_to_investigate(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'offers.sqlite3'}")
    record = store.import_file(ROOT / "tests" / "review" / "expired-offer.yaml")
    c = TestClient(create_app(store, SETTINGS))
    c.get(f"/?token={SETTINGS.token}", follow_redirects=False)
    page = c.get(f"/cases/{record.id}/scenarios").text
    assert 'id="assumption-table"' in page and "measured" in page and "assumed" in page and "published" in page
    assert 'id="recommended"' in page and ("holds for every assumption" in page or "depends on" in page)
    assert 'id="offer-table"' in page and "history" in page
    pdf = c.get(f"/cases/{record.id}/offers/second/advisement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Named after the case, its version and the offer, like the memo.
    assert pdf.headers["content-disposition"].split('filename="')[1].split('"')[0].endswith("-v1-advisement-second.pdf")
    assert c.get(f"/cases/{record.id}/offers/nope/advisement.pdf").status_code == 404
    assessment = c.get(f"/cases/{record.id}/assessment").text
    assert "What to investigate first" in assessment and 'id="investigation-table"' in assessment


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        # Starlette named only the first matching route ("GET"); the path serves GET and PUT.
        ("OPTIONS", "/api/cases/some-id", "GET, PUT"),
        ("PATCH", "/api/cases/some-id", "GET, PUT"),
        ("DELETE", "/api/cases", "GET, POST"),
        ("PUT", "/api/calculate", "POST"),
    ],
)
def test_an_unsupported_method_gets_405_with_every_allowed_method(client, method, path, allow):
    r = client.request(method, path, headers={"Authorization": f"Bearer {SETTINGS.token}"})
    assert r.status_code == 405 and r.headers["allow"] == allow and "error" in r.json()
