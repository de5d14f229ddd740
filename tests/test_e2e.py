"""End to end in a real browser: Playwright drives Debian's Chromium against `plealever serve`.

Screenshots go to test-artifacts/e2e/. scripts/test installs Chromium; without it (outside CI) the test skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture()
def server(tmp_path):
    exe = Path(sys.executable).parent / "plealever"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", "0", "--db", f"sqlite:///{tmp_path / 'e2e.sqlite3'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        assert match, line + proc.stderr.read()
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_case_workflow_in_chromium(server):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (scripts/test installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(server)
        expect(page.get_by_role("heading", name="Cases")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "1-cases.png"))

        page.click("#new-case")  # a blank editor: nothing stored, every fact unknown until typed
        expect(page.get_by_role("heading", name=re.compile("New case"))).to_be_visible()
        page.fill("#f-name", "Browser case")
        page.fill("#f-counts-0-statute", "18 U.S.C. § 2252A(a)(2)")
        page.select_option("#f-criminal_history-category", "I")
        page.select_option("#f-acceptance", "three_level")
        page.select_option("#f-facts-computer", "true")
        expect(page.locator("#guideline-range")).to_have_text("37-46")  # 22+2 = 24; -3 = 21, category I
        page.screenshot(path=str(ARTIFACTS / "2-new-case.png"))

        page.fill("#f-facts-image_count", "700")
        expect(page.locator("#guideline-range")).to_have_text("63-78")  # +5 for 600 or more images
        page.fill("#f-facts-image_count", "-5")
        expect(page.locator("#e-f-facts-image_count")).to_contain_text("must be 0 or more")
        page.fill("#f-facts-image_count", "700")
        expect(page.locator("#e-f-facts-image_count")).to_have_text("")
        page.click("#l-f-mitigation >> text=Edit as YAML (advanced)")  # the advanced view of a list
        page.fill(
            "#f-mitigation-yaml",
            "- kind: support_letter\n  label: Letter from employer\n  source: employer\n"
            "  status: in_hand\n  relationship: employer\n  knows_of_offense: true\n",
        )
        expect(page.locator("#guideline-range")).to_have_text("63-78")
        page.screenshot(path=str(ARTIFACTS / "3-facts-and-mitigation.png"))
        page.click("#save")
        expect(page.get_by_role("heading", name=re.compile("version 1"))).to_be_visible()
        stale = context.new_page()  # a second tab on the same version, to show the conflict message
        stale.goto(page.url)
        page.fill("#f-facts-videos", "2")
        page.click("#save")
        expect(page.get_by_role("heading", name=re.compile("version 2"))).to_be_visible()
        stale.fill("#f-facts-videos", "3")
        stale.click("#save")
        expect(stale.locator("#save-result")).to_contain_text("reload it")
        stale.screenshot(path=str(ARTIFACTS / "3b-conflict.png"))
        stale.close()

        page.click("text=Mitigation")
        expect(page.get_by_text("Personal history and characteristics: weak")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "4-mitigation.png"))

        page.click("text=Scenarios")
        expect(page.locator("#scenario-table")).to_contain_text("Plea to possession")
        page.screenshot(path=str(ARTIFACTS / "5-scenarios.png"), full_page=True)

        with page.expect_download() as info:
            page.click("#memo-docx")
        target = ARTIFACTS / "memo.docx"
        info.value.save_as(str(target))
        from docx import Document

        assert any("Bottom line" in para.text for para in Document(str(target)).paragraphs)

        page.click("text=History")
        expect(page.locator("pre.diff")).to_contain_text("videos: 2")
        page.screenshot(path=str(ARTIFACTS / "6-history.png"))
        browser.close()
