"""End-to-end runs of the installed `plealever` command, as a user would type them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"


def plealever(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("plealever", path=str(Path(sys.executable).parent)) or "plealever"
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_calc_prints_the_worksheet() -> None:
    out = plealever("calc", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    for text in (
        "2G2.2(a)(2)",
        "2G2.2(b)(7)(D)",
        "3E1.1",
        "Total offense level 26",
        "Guideline range 63-78",
        "Statutory range 60-240",
        "Effective range 63-78",
        "§4C1.1(b)(2)",
        "Not legal advice",
    ):
        assert text in out.stdout, text


def test_calc_json_contract() -> None:
    out = plealever("calc", str(EXAMPLE), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in (
        "edition",
        "total_offense_level",
        "criminal_history_category",
        "guideline_range",
        "statutory_range",
        "effective_range",
        "warnings",
        "steps",
    ):
        assert key in data, key
    assert data["total_offense_level"] == 26
    assert data["criminal_history_category"] == "I"
    assert data["guideline_range"] == {"min": 63, "max": 78}
    assert data["statutory_range"] == {"min": 60, "max": 240}
    assert data["effective_range"] == {"min": 63, "max": 78}
    assert isinstance(data["warnings"], list)
    for step in data["steps"]:
        assert {"pin", "levels", "citation", "reason", "status"} <= set(step)
        assert step["status"] in ("applied", "not_applied", "info")
        assert step["citation"]


def test_json_life_is_a_string(tmp_path: Path) -> None:
    case = tmp_path / "enterprise.json"
    case.write_text(
        json.dumps(
            {
                "manual": "2025-11-01",
                "offense_date": "2020-01-01",
                "counts": [{"statute": "2252A(g)"}],
                "findings": ["2G2.6(b)(1)(A)", "2G2.6(b)(2)", "2G2.6(b)(3)", "2G2.6(b)(4)"],
                "acceptance": "none",
                "criminal_history": {"category": "I"},
            }
        )
    )
    data = json.loads(plealever("calc", str(case), "--json").stdout)
    assert data["guideline_range"] == {"min": "life", "max": "life"}
    assert data["statutory_range"] == {"min": 240, "max": "life"}


def test_schema_prints_json_schema() -> None:
    out = plealever("schema")
    assert out.returncode == 0
    schema = json.loads(out.stdout)
    assert schema["additionalProperties"] is False
    for key in (
        "manual",
        "offense_date",
        "sentencing_date",
        "counts",
        "facts",
        "findings",
        "not_applicable",
        "acceptance",
        "criminal_history",
    ):
        assert key in schema["properties"], key


def test_rules_show_by_edition() -> None:
    out = plealever("rules", "show", "2G2.2", "--edition", "2015-11-01")
    assert out.returncode == 0, out.stderr
    assert "§2G2.2(b)(4)(B): not in this edition" in out.stdout
    assert "table A≥10→2, B≥150→3, C≥300→4, D≥600→5" in out.stdout
    full = plealever("rules", "show", "2G2.2(b)(4)(B)")
    assert "from 2016-11-01; levels 4" in full.stdout


def test_rules_show_lists_clause_pins_conditions_and_the_edition_mark() -> None:
    out = plealever("rules", "show", "2G2.1(b)(6)", "--width", "300")
    assert out.returncode == 0, out.stderr
    assert "clauses (one finding each, same levels): 2G2.1(b)(6)(A), 2G2.1(b)(6)(B)" in out.stdout
    clause = plealever("rules", "show", "2G2.1(b)(6)(A)", "--width", "300")  # a clause pin shows its provision
    assert clause.returncode == 0 and "§2G2.1(b)(6):" in clause.stdout, clause.stderr
    for pin, clause in [("2G1.3(b)(1)", "2G1.3(b)(1)(B)"), ("2G2.6(b)(2)", "2G2.6(b)(2)(A)")]:
        assert clause in plealever("rules", "show", pin, "--width", "300").stdout
    g13 = plealever("rules", "show", "2G1.3(b)(4)(B)", "--edition", "2025-11-01", "--width", "300").stdout
    assert "only if base: 2G1.3(a)(4); only if statutes: 2421A(b)(2); verified" in g13
    # The 2009 version of §2G1.3(a)(3) is unverified for its own history but read in the 2025 Manual.
    assert (
        "statutes 2422(b), 2423(a); verified"
        in plealever("rules", "show", "2G1.3(a)(3)", "--edition", "2025-11-01", "--width", "300").stdout
    )
    assert "statutes 2422(b), 2423(a); unverified" in plealever(
        "rules", "show", "2G1.3(a)(3)", "--edition", "2024-11-01", "--width", "300"
    ).stdout


BAD = [
    ("wrong type", "counts: [{statute: '2252A(a)(5)', count: two}]", "counts[0].count"),
    ("negative count", "counts: [{statute: '2252A(a)(5)', count: -1}]", "counts[0].count"),
    (
        "negative images",
        "counts: [{statute: '2252A(a)(5)'}]\nfacts: {still_images: -5}",
        "facts.still_images",
    ),
    ("unknown statute", "counts: [{statute: '18 USC 2241(c)'}]", "counts[0].statute"),
    ("vague statute", "counts: [{statute: '2252A(a)'}]", "counts[0].statute"),
    ("unknown pin", "counts: [{statute: '2252A(a)(5)'}]\nfindings: ['2G2.2(b)(9)']", "findings[0]"),
    ("impossible date", "offense_date: 2018-02-30\ncounts: [{statute: '2252A(a)(5)'}]", "offense_date"),
    (
        "sentencing before offense",
        "offense_date: 2018-02-01\nsentencing_date: 2017-01-01\ncounts: [{statute: '2252A(a)(5)'}]",
        "sentencing_date 2017-01-01 is before",
    ),
    ("edition too early", "manual: 2001-11-01\ncounts: [{statute: '2252A(a)(5)'}]", "manual"),
    ("unknown key", "counts: [{statute: '2252A(a)(5)'}]\nfacts: {images: 5}", "facts.images"),
    ("unknown acceptance", "counts: [{statute: '2252A(a)(5)'}]\nacceptance: full", "acceptance"),
    ("no counts", "counts: []", "counts"),
    (
        "both category and points",
        "counts: [{statute: '2252A(a)(5)'}]\ncriminal_history: {category: I, points: 1}",
        "criminal_history",
    ),
    ("not yaml", "counts: [unclosed", "not valid YAML"),
    ("limb missing", "counts: [{statute: '2251(a)'}]\nfindings: ['2G2.1(b)(1)']", "name one of"),
    (
        "conviction after sentence",
        "counts: [{statute: '2252A(a)(5)'}]\nacceptance: none\n"
        "criminal_history: {records: [{label: A, conviction_date: 2020-02-01, sentence_date: 2020-01-01}]}",
        "sentence_date 2020-01-01 is before conviction_date 2020-02-01",
    ),
    (
        "commencement after offense",
        "offense_date: 2024-01-01\ncounts: [{statute: '2252A(a)(5)'}]\nacceptance: none\n"
        "criminal_history: {instant_offense_commenced: 2024-02-01, category: I}",
        "instant_offense_commenced 2024-02-01 is after offense_date",
    ),
    ("manual after the last edition", "manual: 2027-11-01\ncounts: [{statute: '2252A(a)(5)'}]", "manual"),
    (
        "pecuniary without a value",
        "counts: [{statute: '2252A(a)(2)'}]\nfacts: {distribution: pecuniary}",
        "facts.distribution_retail_value",
    ),
    ("attempt words dropped", "counts: [{statute: '2252A(a)(2)(foo)'}]", "counts[0].statute"),
]


@pytest.mark.parametrize(("label", "body", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, label: str, body: str, needle: str) -> None:
    if "criminal_history" not in body:
        body += (
            "\ncriminal_history: {category: I}\nacceptance: none"
            if "acceptance" not in body
            else "\ncriminal_history: {category: I}"
        )
    path = tmp_path / "case.yaml"
    path.write_text(body + ("\nmanual: 2025-11-01" if "manual" not in body and "_date" not in body else ""))
    before = sorted(p.name for p in tmp_path.iterdir())
    out = plealever("calc", str(path))
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"error: {path}"), lines[0]
    assert needle in lines[0], lines[0]
    assert "Traceback" not in out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("- just a list\n")
    out = plealever("calc", str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"error: {path}: expected a mapping of case fields at the top level"


def test_missing_file() -> None:
    out = plealever("calc", "/nonexistent/case.yaml")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: /nonexistent/case.yaml: no such file"


HISTORY_CASE = """
manual: 2025-11-01
offense_date: 2024-06-01
counts: [{statute: "2252A(a)(5)(B)"}]
facts: {image_count: 5, prepubescent: false, computer: false, distribution: none,
        sadistic_or_violent: false, infant_or_toddler: false, pattern_of_activity: false}
acceptance: none
criminal_history:
  instant_offense_commenced: 2023-01-15
  under_sentence: none
  records:
    - {label: State burglary, offense_date: 2009-03-01, sentence_date: 2010-09-01, imprisonment_months: 36,
       release_date: 2012-05-01}
"""


def test_history_command(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(HISTORY_CASE)
    out = plealever("history", str(path))
    assert out.returncode == 0, out.stderr
    assert "State burglary" in out.stdout and "Criminal history: 3 points, category II" in out.stdout
    data = json.loads(plealever("history", str(path), "--json").stdout)
    assert (data["points"], data["category"], data["source"]) == (3, "II", "records")
    assert data["steps"][0]["pin"] == "4A1.1(a)" and data["steps"][0]["levels"] == 3
    assert "§4A1.2(e)(1)" in data["steps"][0]["citation"]
    full = plealever("calc", str(path))
    assert (
        "Criminal history (Chapter Four, Part A)" in full.stdout
        and "Guideline range 30-37 months" in full.stdout
    )


IMPOSSIBLE = [
    (
        "release before sentence",
        "{label: R, sentence_date: 2010-01-01, release_date: 2009-01-01}",
        "criminal_history.records[0]",
        "release_date 2009-01-01 is before sentence_date",
    ),
    (
        "sentence before offense",
        "{label: R, offense_date: 2010-01-01, sentence_date: 2009-01-01}",
        "criminal_history.records[0]",
        "sentence_date 2009-01-01 is before offense_date",
    ),
    (
        "negative months",
        "{label: R, sentence_date: 2010-01-01, imprisonment_months: -3}",
        "criminal_history.records[0] ('R').imprisonment_months",
        "greater than or equal to 0",
    ),
    (
        "no sentence date",
        "{label: R, offense_date: 2010-01-01}",
        "criminal_history.records[0]",
        "sentence_date is required",
    ),
    (
        "unknown listed offense",
        "{label: R, sentence_date: 2010-01-01, listed_offense: jaywalking}",
        "criminal_history.records[0].listed_offense",
        "unknown listed_offense 'jaywalking'",
    ),
]


@pytest.mark.parametrize(("label", "record", "field", "needle"), IMPOSSIBLE, ids=[i[0] for i in IMPOSSIBLE])
def test_impossible_records(tmp_path: Path, label: str, record: str, field: str, needle: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        "manual: 2025-11-01\noffense_date: 2024-06-01\ncounts: [{statute: '2252A(a)(5)'}]\nacceptance: none\n"
        f"criminal_history:\n  under_sentence: none\n  records:\n    - {record}\n"
    )
    out = plealever("history", str(path))
    assert out.returncode == 2, out.stdout
    line = out.stderr.strip()
    assert "\n" not in line and "Traceback" not in out.stderr
    assert line.startswith(f"error: {path}: {field}"), line
    assert needle in line, line


def test_calc_loads_no_heavy_library():
    """Start-up stays lean: computing a worksheet from a file imports none of the libraries only other
    commands need (a structural check, not a timing: benchmarks/bench_analysis.py measures the time)."""
    import sys

    code = (
        "import sys, runpy; sys.argv = ['plealever', 'calc', sys.argv[1], '--json'];"
        "import plealever.cli as c\n"
        "try:\n    c.app()\nexcept SystemExit:\n    pass\n"
        "heavy = ['sqlalchemy', 'numpy', 'scipy', 'duckdb', 'matplotlib', 'weasyprint', 'docx', 'ruamel',"
        " 'jinja2', 'fastapi', 'rich.table']\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "examples" / "receipt-plea.yaml")],
        capture_output=True, text=True, timeout=60,
    )
    assert '"total_offense_level": 26' in out.stdout, out.stderr[-300:]  # the worksheet was computed
    assert "LOADED []" in out.stdout, out.stdout[-300:] + out.stderr[-300:]
