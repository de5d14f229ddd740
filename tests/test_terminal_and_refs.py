"""The command line at a terminal's width, the worksheet as a PDF, and CASE as a stored case id."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"
STING = ROOT / "examples" / "mitigation-sting.yaml"
EXE = str(Path(sys.executable).parent / "plealever")


def run(*args: str, columns: int | None = None, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=env, timeout=120, stdin=stdin)


@pytest.mark.parametrize(
    "args",
    [
        ("calc", str(EXAMPLE)),
        ("history", str(ROOT / "tests" / "data" / "every-field.yaml")),
        ("assess", str(STING)),
        ("scenarios", str(EXAMPLE), "--draws", "300"),
        ("calc", str(ROOT / "tests" / "data" / "every-field.yaml")),
        ("similar", str(EXAMPLE)),
        ("offers", str(STING), "--draws", "300"),
    ],
)
@pytest.mark.parametrize("columns", [80, 100])
def test_no_line_is_wider_than_the_terminal(args, columns):
    out = run(*args, columns=columns)
    assert out.returncode == 0, out.stderr
    widest = max(out.stdout.splitlines(), key=len)
    assert len(widest) <= columns, widest
    assert "Not legal advice" in out.stdout


@pytest.mark.parametrize("columns", [80, 60])
def test_the_law_data_and_the_case_list_fit_the_terminal_too(tmp_path, columns):
    db = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    long_name = tmp_path / "long.yaml"
    long_name.write_text(EXAMPLE.read_text().replace("name:", "name: A very long case name for the list,", 1))
    case_id = run("cases", "import", str(long_name), "--db", db).stdout.strip()
    for args in (("rules", "show", "2G2.2"), ("rules", "show", "4B1.5"), ("cases", "list", "--db", db)):
        out = run(*args, columns=columns)
        assert out.returncode == 0, out.stderr
        widest = max(out.stdout.splitlines(), key=len)
        assert len(widest) <= columns, (args, widest)
    listed = run("cases", "list", "--db", db, columns=columns).stdout
    assert case_id in listed.splitlines()[0]  # the id, which other commands take, is never broken
    assert "A very long case name" in " ".join(listed.split())
    assert max(len(x) for x in run("rules", "show", "2G2.2", "--width", "200", columns=60).stdout.splitlines()) > 100
    piped = run("cases", "list", "--db", db).stdout.splitlines()  # no COLUMNS, not a terminal: a line a case
    assert len(piped) == 1 and case_id in piped[0] and "A very long case name" in piped[0]


def test_the_worksheet_at_80_columns_keeps_every_step_readable():
    out = run("calc", str(EXAMPLE), columns=80).stdout
    assert "Reason and citation" in out  # the citation sits under its reason, not in a column 6 wide
    for pin in ("2G2.2(a)(2)", "2G2.2(b)(7)(D)", "3E1.1", "5G1.1"):
        assert pin in out, pin
    assert "(UNVERIFIED)" in out and "(contested)" in out  # status words are never cut mid-word
    wide = run("calc", str(EXAMPLE), "--width", "160", columns=80).stdout
    assert max(len(line) for line in wide.splitlines()) > 120 and "┃ Citation" in wide  # --width wins
    scenarios = run("scenarios", str(EXAMPLE), "--draws", "300", columns=80).stdout
    assert "Break-even:" in scenarios and "Saved vs as charged:" in scenarios


def test_calc_pdf_writes_the_worksheet_with_its_caveats(tmp_path):
    target = tmp_path / "worksheet.pdf"
    out = run("calc", str(EXAMPLE), "--pdf", str(target))
    assert out.returncode == 0, out.stderr
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(target)).pages]
    text = " ".join(pages)
    for pin in ("2G2.2(a)(2)", "2G2.2(b)(7)(D)", "3E1.1", "5G1.1"):
        assert pin in text, pin
    assert "not fully verified" in text and "Contested: §2G2.2(b)(7)(D)" in text
    assert all(f"Page {i} of {len(pages)}" in p for i, p in enumerate(pages, 1))
    bad = run("calc", str(EXAMPLE), "--pdf", str(tmp_path / "no" / "w.pdf"))
    assert bad.returncode == 2 and "output folder does not exist" in bad.stderr


def test_case_may_be_a_stored_id_prefix_and_version(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    case_id = run("cases", "import", str(EXAMPLE), "--db", db).stdout.strip()
    by_file = run("calc", str(EXAMPLE), "--json").stdout
    assert run("calc", case_id, "--json", "--db", db).stdout == by_file
    assert run("calc", case_id[:6] + "@1", "--json", "--db", db).stdout == by_file
    memo = run("memo", case_id[:8], "--db", db)
    assert memo.returncode == 0 and "# Plea negotiation memo: Example" in memo.stdout
    missing = run("calc", "abcdef12@3", "--db", db)
    assert missing.returncode == 2 and "no such file, and no case abcdef12" in missing.stderr
    assert "no version 9" in run("calc", case_id[:6] + "@9", "--db", db).stderr
    assert run("calc", "nofile.yaml").stderr.strip() == "error: nofile.yaml: no such file"
    assert "version 1" in run("cases", "history", case_id[:6], "--db", db).stdout
    assert run("cases", "show", case_id[:6] + "@1", "--db", db).stdout.startswith("# Example")


def test_cases_archive_unarchive_and_delete(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    a = run("cases", "import", str(EXAMPLE), "--db", db).stdout.strip()
    b = run("cases", "import", str(STING), "--db", db).stdout.strip()
    assert run("cases", "archive", a[:8], "--db", db).returncode == 0
    assert a not in run("cases", "list", "--db", db).stdout
    assert a in run("cases", "list", "--archived", "--db", db).stdout
    assert run("cases", "unarchive", a[:8], "--db", db).returncode == 0
    assert a in run("cases", "list", "--db", db).stdout
    refused = run("cases", "delete", a, "--db", db)  # no terminal to confirm on
    assert refused.returncode == 2 and "pass --yes" in refused.stderr
    declined = run("cases", "delete", a, "--db", db, stdin=None)
    assert a in run("cases", "list", "--db", db).stdout, declined.stderr
    done = run("cases", "delete", a[:8], "--yes", "--db", db)
    assert done.returncode == 0 and done.stdout.startswith(f"deleted {a} (1 version)")
    assert a not in run("cases", "list", "--db", db).stdout and b in run("cases", "list", "--db", db).stdout
    assert run("cases", "history", a, "--db", db).returncode == 2  # the history went with it
