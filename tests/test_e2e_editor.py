"""The editor and the documents in a real browser (Playwright driving Debian's Chromium against
`plealever serve`): no silent loss, structured editors, Back, print, keyboard, small screens, downloads.

Screenshots go to test-artifacts/e2e/. Without Chromium (outside CI) the tests skip."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plealever.case.load import read_case_text
from plealever.web import forms
from tests.test_e2e import ARTIFACTS, CHROMIUM

ROOT = Path(__file__).resolve().parents[1]
EVERY = ROOT / "tests" / "data" / "every-field.yaml"
EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"
EXE = Path(sys.executable).parent / "plealever"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed"
)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is required in CI (scripts/test installs it)")
    from playwright.sync_api import expect, sync_playwright

    # The preview waits for a pause in typing and then a server round trip; on a loaded CI machine that
    # can pass Playwright's 5-second default, so assertions wait longer (they still fail if it never comes).
    expect.set_options(timeout=20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture()
def app(tmp_path):
    """A server over a fresh store holding the example case; yields (base url with token, case id)."""
    db = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    # Imported from a deep folder: the version note names the path, one long unbroken word that a phone
    # must wrap (a checkout's own path is shorter or longer on each machine).
    deep = tmp_path / ("a-client-folder-with-a-long-name-" * 3) / "receipt-plea.yaml"
    deep.parent.mkdir()
    deep.write_bytes(EXAMPLE.read_bytes())
    case_id = subprocess.run(
        [str(EXE), "cases", "import", str(deep), "--db", db], capture_output=True, text=True, check=True
    ).stdout.strip()
    proc = subprocess.Popen(
        [str(EXE), "serve", "--port", "0", "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline()
        # A random loopback address (no other local server shares the session cookie).
        match = re.search(r"(http://127\.\d+\.\d+\.\d+:\d+)/\?token=(\S+)", line)
        assert match, line  # (reading stderr here would wait for a server that is still running)
        yield match.group(1), match.group(2), case_id, db
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _page(browser, app, width=1280, height=900):
    base, token, _, _ = app
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/?token={token}")
    return page


def _stored(page, base, case_id) -> dict:
    got = page.request.get(f"{base}/api/cases/{case_id}")
    assert got.ok, got.text()
    return got.json()


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_an_impossible_date_is_an_error_at_the_field_and_is_never_saved(browser, app):
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    expect(page.locator("#guideline-range")).to_have_text("63-78")
    page.fill("#f-offense_date", "")
    page.focus("#f-offense_date")  # the month segment first
    page.keyboard.type("02302025")  # February 30, 2025
    expect(page.locator("#e-f-offense_date")).to_contain_text("is not a real date")
    expect(page.locator("#f-offense_date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#worksheet")).to_have_class(re.compile(r"\bstale\b"))  # last result, greyed
    expect(page.locator("#guideline-range")).to_have_text("63-78")
    expect(page.locator("#ws-status")).to_contain_text("Not recomputed")
    page.screenshot(path=str(ARTIFACTS / "editor-impossible-date.png"))
    page.keyboard.press("Control+s")
    expect(page.locator("#save-result")).to_contain_text("Not saved")
    stored = _stored(page, base, case_id)
    assert stored["version"] == 1 and stored["data"]["offense_date"] == "2025-03-14"
    page.fill("#f-offense_date", "2025-03-15")
    expect(page.locator("#e-f-offense_date")).to_have_text("")
    expect(page.locator("#worksheet")).not_to_have_class(re.compile(r"\bstale\b"))


def _fill(page, specs, data, prefix="") -> None:
    """Type `data` into the form generated from `specs`, as a user would, adding rows as needed."""
    for s in specs:
        path = f"{prefix}.{s.name}" if prefix and s.name else (s.name or prefix)
        if s.name == "":
            _fill(page, s.children, data, prefix)
            continue
        if s.name not in data:
            continue
        value = data[s.name]
        sel = "#" + forms.dom_id(path)
        if s.kind == "group":
            _fill(page, s.children, value, path)
        elif s.kind == "list":
            for i, item in enumerate(value):
                row = f"{path}.{i}"
                page.click(f"{sel}-add")
                if s.union is not None:
                    page.wait_for_selector("#" + forms.dom_id(f"{row}.kind"))
                    _settled(page)  # htmx has wired the new select before it changes
                    page.select_option("#" + forms.dom_id(f"{row}.kind"), item["kind"])
                    fields = s.union[item["kind"]]
                    common = set.intersection(*({f.name for f in fs} for fs in s.union.values()))
                    own = next(f.name for f in fields if f.name not in common)
                    page.wait_for_selector("#" + forms.dom_id(f"{row}.{own}"))
                    _settled(page)
                    _fill(page, fields, item, row)
                else:
                    page.wait_for_selector("#" + forms.dom_id(f"{row}.{s.children[0].name}"))
                    _settled(page)
                    _fill(page, s.children, item, row)
        elif s.kind == "checks":
            for v in value:
                page.check(f'input[name="{path}"][value="{v}"]')
        elif s.kind in ("select", "bool"):
            page.select_option(sel, "true" if value is True else "false" if value is False else str(value))
        elif s.kind == "lines":
            page.fill(sel, "\n".join(value))
        elif s.kind == "yaml":
            page.fill(sel, forms.dump_yaml(value))
        else:
            page.fill(sel, str(value))


def test_every_field_typed_into_a_new_case_is_saved_and_restored(browser, app):
    from playwright.sync_api import expect

    base, _, _, _ = app
    expected = read_case_text(EVERY.read_text(encoding="utf-8"), fmt="yaml", source=str(EVERY))
    page = _page(browser, app, height=1000)
    page.click("#new-case")
    expect(page.get_by_role("heading", name=re.compile("New case"))).to_be_visible()
    expect(page.locator("#worksheet")).to_contain_text("Facts you leave empty stay unknown")
    page.click("#g-f-counts-0 button.remove")  # the blank count row the new case starts with
    page.wait_for_selector("#f-counts-0-statute", state="detached")
    _fill(page, forms.case_specs(), expected)
    _settled(page)
    expect(page.locator("#dirty")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "editor-every-field.png"), full_page=True)
    page.keyboard.press("Control+s")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
    case_id = page.url.rsplit("/", 1)[1]
    stored = _stored(page, base, case_id)
    assert stored["data"] == expected, "\n".join(
        __import__("difflib").unified_diff(
            forms.dump_yaml(expected).splitlines(), forms.dump_yaml(stored["data"]).splitlines(), lineterm=""
        )
    )
    # Restored: the editor shows every value again, and saving it unchanged changes nothing.
    expect(page.locator("#f-criminal_history-records-0-sex_offense_against_minor")).to_have_value("yes")
    expect(page.locator("#f-mitigation-9-government_approaches")).to_have_value("5")
    page.click("#save")
    page.wait_for_function("() => document.querySelector('h2 small')?.textContent.includes('version 2')")
    again = _stored(page, base, case_id)
    assert again["version"] == 2 and again["data"] == expected


def test_back_after_edits_recomputes_from_the_form_and_leaving_warns(browser, app):
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.fill("#f-facts-videos", "")
    page.fill("#f-facts-image_count", "100")  # 100 images: +2 instead of +5, so 26 - 3 = 23
    expect(page.locator("#guideline-range")).to_have_text("46-57")
    expect(page.locator("#dirty")).to_be_visible()
    dialogs = []

    def on_dialog(d):
        dialogs.append(d.type)
        d.accept()

    page.on("dialog", on_dialog)
    page.click("nav.case >> text=History")
    page.wait_for_url(re.compile("/history$"))
    assert dialogs == ["beforeunload"]  # unsaved edits warn on leaving
    page.go_back()
    page.wait_for_url(re.compile(f"/cases/{case_id}$"))
    _settled(page)
    shown = page.input_value("#f-facts-image_count")
    videos = page.input_value("#f-facts-videos")
    # Whatever the browser restored into the form, the worksheet is computed from it.
    want = "46-57" if (shown, videos) == ("100", "") else "63-78"
    expect(page.locator("#guideline-range")).to_have_text(want)
    page.screenshot(path=str(ARTIFACTS / "editor-after-back.png"))


def test_structured_editors_add_a_prior_an_evidence_item_and_a_scenario(browser, app):
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.click("#f-criminal_history-records-add")
    expect(page.locator("#f-criminal_history-records-0-label")).to_be_focused()
    page.fill("#f-criminal_history-records-0-label", "State theft 2019")
    expect(page.locator("#e-f-criminal_history-records-0-sentence_date")).to_contain_text("sentence date is required")
    page.fill("#f-criminal_history-records-0-sentence_date", "2019-05-01")
    page.fill("#f-criminal_history-records-0-imprisonment_months", "14")
    page.fill("#f-criminal_history-records-0-release_date", "2020-03-01")
    expect(page.locator("#e-f-criminal_history-records-0-sentence_date")).to_have_text("")
    page.click("#f-mitigation-add")
    page.wait_for_selector("#f-mitigation-0-kind")
    _settled(page)
    page.select_option("#f-mitigation-0-kind", "support_letter")
    page.wait_for_selector("#f-mitigation-0-relationship")
    page.fill("#f-mitigation-0-label", "Letter from the pastor")
    page.select_option("#f-mitigation-0-source", "clergy")
    page.select_option("#f-mitigation-0-status", "in_hand")
    page.select_option("#f-mitigation-0-relationship", "clergy")
    page.select_option("#f-mitigation-0-knows_of_offense", "true")
    page.click("#f-scenarios-add")
    # The new row takes the focus once it has settled; typing before that could land in the wrong field.
    expect(page.locator("#f-scenarios-0-id")).to_be_focused()
    _settled(page)
    page.fill("#f-scenarios-0-id", "cap-60")
    page.fill("#f-scenarios-0-label", "Rule 11(c)(1)(C) cap at 60 months")
    page.select_option("#f-scenarios-0-plea_type", "C")
    expect(page.locator("#e-f-scenarios-0-agreed_range")).to_contain_text("needs agreed range")
    page.fill("#f-scenarios-0-agreed_range-min", "0")
    page.fill("#f-scenarios-0-agreed_range-max", "60")
    _settled(page)
    expect(page.locator("#e-f-scenarios-0-agreed_range")).to_have_text("")
    page.screenshot(path=str(ARTIFACTS / "editor-structured.png"), full_page=True)
    # The same list as YAML (advanced) and back keeps the row.
    page.click("#l-f-mitigation >> text=Edit as YAML (advanced)")
    expect(page.locator("#f-mitigation-yaml")).to_have_value(re.compile("label: Letter from the pastor"))
    page.click("#l-f-mitigation >> text=Back to the form view")
    expect(page.locator("#f-mitigation-0-label")).to_have_value("Letter from the pastor")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('h2 small')?.textContent.includes('version 2')")
    data = _stored(page, base, case_id)["data"]
    assert data["criminal_history"]["records"] == [
        {"label": "State theft 2019", "sentence_date": "2019-05-01", "release_date": "2020-03-01", "imprisonment_months": 14}
    ]
    assert data["mitigation"] == [
        {
            "kind": "support_letter",
            "label": "Letter from the pastor",
            "source": "clergy",
            "status": "in_hand",
            "relationship": "clergy",
            "knows_of_offense": True,
        }
    ]
    assert data["scenarios"][0]["agreed_range"] == {"min": 0, "max": 60}
    page.click("text=Mitigation")
    expect(page.get_by_text("Personal history and characteristics")).to_be_visible()


def test_print_shows_the_whole_worksheet_and_no_form(browser, app):
    from pypdf import PdfReader

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.wait_for_selector("#guideline-range")
    pins = page.eval_on_selector_all("table.worksheet tbody td:first-child", "cells => cells.map(c => c.textContent)")
    page.emulate_media(media="print")
    assert page.is_hidden("form#editor") and page.is_hidden("#toolbar") and page.is_visible("table.worksheet")
    page.screenshot(path=str(ARTIFACTS / "editor-print.png"), full_page=True)
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    assert "Save as version" not in flat and "Offense date" not in flat  # no form
    for pin in pins:
        assert pin in flat, pin  # every row of the table, §3E1.1 and Chapter Five included
    assert "Citation" in flat and "(Nov. 1, 2026 Manual)" in flat  # the citation column is on the page
    assert len(pdf.pages) <= 3, len(pdf.pages)
    for path in ("assessment", "scenarios"):
        page.emulate_media(media="screen")
        page.goto(f"{base}/cases/{case_id}/{path}")
        page.emulate_media(media="print")
        assert page.is_hidden("nav.case")
        body = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf())).pages).split())
        assert "Not legal advice" in body


def test_keyboard_only_save(browser, app):
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.wait_for_selector("#guideline-range")
    for _ in range(15):  # Save is among the first stops, not 90 tabs away
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "save":
            break
    assert page.evaluate("document.activeElement.id") == "save"
    page.keyboard.press("Tab")  # on into the form: the name field
    while page.evaluate("document.activeElement.id") != "f-name":
        page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.type(" (edited)")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("heading", name=re.compile(r"\(edited\) version 2"))).to_be_visible()
    assert _stored(page, base, case_id)["data"]["name"].endswith("(edited)")


@pytest.mark.parametrize("width", [800, 390])
def test_small_screens_have_no_horizontal_scroll(browser, app, width):
    base, _, case_id, _ = app
    page = _page(browser, app, width=width, height=900)
    for path in ("", "/assessment", "/scenarios", "/history"):
        page.goto(f"{base}/cases/{case_id}{path}")
        _settled(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (path, scroll)
        page.screenshot(path=str(ARTIFACTS / f"w{width}{path.replace('/', '-') or '-editor'}.png"), full_page=True)
    page.goto(f"{base}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_memo_download_in_each_format(browser, app):
    from docx import Document
    from pypdf import PdfReader

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    got = {}
    for fmt in ("md", "html", "docx", "pdf"):
        with page.expect_download() as info:
            page.click(f"#memo-{fmt}")
        download = info.value
        assert download.suggested_filename == f"example-one-receipt-count-timely-plea-v1-memo.{fmt}"
        target = ARTIFACTS / download.suggested_filename
        download.save_as(str(target))
        got[fmt] = target.read_bytes()
    assert got["md"].startswith(b"**Privileged & Confidential")
    assert b"<h2>References</h2>" in got["html"]
    assert any("Bottom line" in p.text for p in Document(io.BytesIO(got["docx"])).paragraphs)
    assert "Page 1 of" in PdfReader(io.BytesIO(got["pdf"])).pages[0].extract_text()
    # The web's memo of a version is the command line's memo of that version.
    _, _, _, db = app
    cli = subprocess.run(
        [str(EXE), "memo", f"{case_id[:8]}@1", "--db", db], capture_output=True, text=True, check=True
    ).stdout
    assert cli.encode("utf-8") == got["md"]


def test_error_regions_change_only_when_their_message_does_and_the_result_is_announced(browser, app):
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.wait_for_selector("#guideline-range")
    regions = page.eval_on_selector_all("span.error[id^='e-']", "els => els.length")
    assert regions > 50  # one per field (and per list and row), each referenced by aria-describedby
    assert page.eval_on_selector_all("[role=alert]", "els => els.length") == 0
    described = page.get_attribute("#f-facts-videos", "aria-describedby").split()
    assert described == ["h-f-facts-videos", "e-f-facts-videos"]
    assert "75 images" in page.text_content("#h-f-facts-videos")  # visible help from the model
    assert page.text_content("label[for=f-facts-receipt_only_no_intent_to_distribute]").startswith(
        "Receipt only, no intent to distribute"
    )
    page.evaluate(
        """() => { window.changed = [];
        const seen = new MutationObserver(ms => ms.forEach(m => window.changed.push(m.target.id || m.target.parentNode.id)));
        document.querySelectorAll("span.error[id^='e-']").forEach(e => seen.observe(e, {childList: true, characterData: true, subtree: true})); }"""
    )
    page.fill("#f-facts-image_count", "100")
    expect(page.locator("#guideline-range")).to_have_text("46-57")
    expect(page.locator("#live")).to_have_text(re.compile("guideline range 46-57 months"))
    assert page.get_attribute("#live", "aria-live") == "polite"
    assert page.evaluate("window.changed") == []  # no error region rewritten when nothing changed
    page.fill("#f-facts-videos", "-1")
    expect(page.locator("#e-f-facts-videos")).to_have_text("must be 0 or more")
    assert set(page.evaluate("window.changed")) == {"e-f-facts-videos"}


def test_structured_editor_adds_an_offer(browser, app):
    """negotiation.offers is edited like every other list: add a row, fill the offer's own fields, save."""
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    page.click("#f-negotiation-offers-add")
    expect(page.locator("#f-negotiation-offers-0-id")).to_be_visible()
    page.fill("#f-negotiation-offers-0-id", "first-offer")
    page.fill("#f-negotiation-offers-0-date", "2025-04-01")
    page.fill("#f-negotiation-offers-0-expires", "2025-03-01")  # before the offer: refused at the field
    expect(page.locator("#e-f-negotiation-offers-0-expires")).to_contain_text("before")
    page.fill("#f-negotiation-offers-0-expires", "2025-05-01")
    page.select_option("#f-negotiation-offers-0-terms-plea_type", "B")
    _settled(page)
    expect(page.locator("#e-f-negotiation-offers-0-expires")).to_have_text("")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.querySelector('h2 small')?.textContent.includes('version 2')")
    offer = _stored(page, base, case_id)["data"]["negotiation"]["offers"][0]
    assert offer["id"] == "first-offer" and offer["date"] == "2025-04-01" and offer["expires"] == "2025-05-01"


def test_the_case_page_opens_the_similar_offender_panel(browser, app):
    """Opened on demand (it needs the whole analysis), so typing in the form never competes with it."""
    from playwright.sync_api import expect

    base, _, case_id, _ = app
    page = _page(browser, app)
    page.goto(f"{base}/cases/{case_id}")
    _settled(page)
    assert page.locator("#similar-offenders").count() == 0  # nothing read until asked
    page.click("#similar-panel summary")
    expect(page.locator("#similar-offenders")).to_contain_text("Range 63-78 months as found")
    expect(page.locator("#similar-offenders td.spark").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "editor-similar.png"), full_page=False)

