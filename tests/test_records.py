"""The offender-row reader, the district list and the local records store."""

from __future__ import annotations

import json
import lzma
import os
from pathlib import Path

import pytest

from plealever.case.load import parse_case
from plealever.data import records, store
from plealever.errors import CaseFileError, RecordsError
from plealever.law import districts
from tests.test_cli import plealever

HEADER = "FISCAL_YEAR,OFFGUIDE,DISTRICT,DSPLEA,PRESENT,AGE,CRIMPTS,XMINSOR,XMAXSOR,SENTTOT,SENTIMP"
GOOD = [
    "2024,7,40,1,1,39,0,97,121,80,1",
    "2024,7,79,5,2,51,3,78,97,,4",  # probation: SENTTOT empty
    "2024,7,1,8,1,44,1,151,188,151.5,1",
    "2024,12,52,1,1,30,0,,,24,1",  # another offense type, no range
]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("PLEALEVER_DATA_DIR", str(folder))
    return folder


def write(path: Path, lines: list[str]) -> Path:
    text = "\n".join(lines) + "\n"
    if path.suffix == ".xz":
        path.write_bytes(lzma.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_reads_csv_and_xz_in_the_commissions_names(tmp_path):
    plain = records.read(write(tmp_path / "rows.csv", [HEADER, *GOOD]))
    packed = records.read(write(tmp_path / "rows.csv.xz", [HEADER, *GOOD]))
    assert len(plain) == 4 and plain.checksum() == packed.checksum()
    assert list(plain["DISTRICT"]) == [40, 79, 1, 52]
    assert plain["SENTTOT"][2] == 151.5
    assert str(plain["SENTTOT"][1]) == "nan" and str(plain["XMINSOR"][3]) == "nan"
    assert "AGE" not in plain.columns  # only the columns used are kept


def test_reads_a_sas_transport_file_to_the_same_rows(tmp_path):
    pd = pytest.importorskip("pandas")
    pyreadstat = pytest.importorskip("pyreadstat")
    csv_rows = records.read(write(tmp_path / "rows.csv", [HEADER, *GOOD]))
    frame = pd.read_csv(tmp_path / "rows.csv")
    pyreadstat.write_xport(frame, str(tmp_path / "rows.xpt"))
    sas_rows = records.read(tmp_path / "rows.xpt")
    assert sas_rows.checksum() == csv_rows.checksum()


# Each bad file: its lines, and what the one-line error must name (file, row and column).
BAD = [
    (
        "missing column",
        ["FISCAL_YEAR,OFFGUIDE,DISTRICT,DSPLEA", "2024,7,40,1"],
        "header row (line 1): missing column(s) PRESENT",
    ),
    (
        "wrong type",
        [HEADER, GOOD[0], "2024,7,40,1,1,39,0,97,121,eighty,1"],
        "data row 1 (line 3), column SENTTOT: expected a number, got 'eighty'",
    ),
    (
        "fraction in a code",
        [HEADER, "2024,7,40,1.5,1,39,0,97,121,80,1"],
        "data row 0 (line 2), column DSPLEA: expected a whole number",
    ),
    (
        "unknown district",
        [HEADER, GOOD[0], GOOD[1], "2024,7,59,1,1,39,0,97,121,80,1"],
        "data row 2 (line 4), column DISTRICT: unknown district code '59'",
    ),
    (
        "no district",
        [HEADER, "2024,7,,1,1,39,0,97,121,80,1"],
        "data row 0 (line 2), column DISTRICT: a value is required",
    ),
    ("short row", [HEADER, GOOD[0], "2024,7,40"], "data row 1 (line 3): malformed CSV row"),
    (
        "range reversed",
        [HEADER, "2024,7,40,1,1,39,0,121,97,80,1"],
        "data row 0 (line 2), column XMINSOR: the range minimum",
    ),
    (
        "year out of range",
        [HEADER, "24,7,40,1,1,39,0,97,121,80,1"],
        "column FISCAL_YEAR: expected a fiscal year",
    ),
    ("header only", [HEADER], "no data rows"),
]


@pytest.mark.parametrize("name,lines,expected", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_one_line_naming_file_row_and_column(tmp_path, name, lines, expected):
    path = write(tmp_path / "bad.csv", lines)
    with pytest.raises(RecordsError) as err:
        records.read(path)
    line = err.value.one_line()
    assert line.startswith(f"{path}: ") and expected in line and "\n" not in line


def test_an_empty_file_says_so(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(RecordsError, match="empty file"):
        records.read(path)


def test_import_is_atomic_and_status_says_what_is_loaded(tmp_path, data_dir):
    assert store.status()["source"] == "bundled"
    good = write(tmp_path / "fy24.csv", [HEADER, *GOOD])
    status = store.import_files([good])
    assert status["rows"] == 3 and status["fiscal_years"] == {"2024": 3}  # OFFGUIDE 12 left out
    assert status["files"][0]["rows_read"] == 4 and status["files"][0]["rows_kept"] == 3
    path = store.store_path()
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(data_dir.stat().st_mode & 0o777) == "0o700"
    before = path.read_bytes()
    bad = write(tmp_path / "bad.csv", [HEADER, GOOD[0], "2024,7,59,1,1,39,0,97,121,80,1"])
    with pytest.raises(RecordsError, match="unknown district"):
        store.import_files([good, bad])  # the good file is not half-imported either
    assert path.read_bytes() == before
    assert sorted(os.listdir(data_dir)) == ["records.duckdb"]
    # a later import of the same fiscal year replaces it; other years stay
    other = write(tmp_path / "fy23.csv", [HEADER, GOOD[0].replace("2024", "2023")])
    store.import_files([other])
    again = store.import_files([good])
    assert again["fiscal_years"] == {"2023": 1, "2024": 3}
    assert again["files"][0]["superseded_years"] == [2024]


def test_cli_data_import_and_status(tmp_path, data_dir):
    good = write(tmp_path / "fy24.csv.xz", [HEADER, *GOOD])
    out = plealever("data", "import", str(good))
    assert out.returncode == 0, out.stderr
    assert "3 rows" in out.stdout and "FY2024 3" in out.stdout
    out = plealever("data", "status", "--json")
    assert '"rows": 3' in out.stdout and '"matches": false' in out.stdout
    bad = write(tmp_path / "bad.csv", ["FISCAL_YEAR,DISTRICT", "2024,40"])
    out = plealever("data", "import", str(bad))
    assert out.returncode == 2 and out.stderr.startswith(f"error: {bad}: header row (line 1): missing column")


# Spellings lawyers write, and the Commission's code each must mean (codebook Attachment A-3).
SPELLINGS = [
    ("Texas East", 40),
    ("E.D. Tex.", 40),
    ("Eastern District of Texas", 40),
    ("EDTX", 40),
    ("the United States District Court for the Eastern District of Texas", 40),
    ("Oregon", 79),
    ("D. Or.", 79),
    ("District of Oregon", 79),
    ("Penn. Mid", 14),
    ("M.D. Pa.", 14),
    ("N.D. W. Va.", 24),
    ("D.D.C.", 90),
    ("Illinois Cent", 53),
    ("C.D. Ill.", 53),
    ("Louisiana Middle", 96),
    ("D.N. Mar. I.", 94),
    ("District of the District of Columbia", 90),  # the court's own name
    ("District of Columbia", 90),
    ("D.D.C.", 90),
    ("District of the Virgin Islands", 91),
    ("District of the Northern Mariana Islands", 94),
]


@pytest.mark.parametrize("text,code", SPELLINGS)
def test_district_spellings(text, code):
    assert districts.resolve(text).code == code


def test_the_district_list_is_the_codebooks():
    assert len(districts.codes()) == 94
    assert {21, 59, 92}.isdisjoint(districts.codes())
    assert districts.by_code(40).circuit == "5" and districts.by_code(79).circuit == "9"
    assert districts.by_code(90).circuit == "DC" and districts.by_code(91).circuit == "3"
    per_circuit = {}
    for d in districts.all_districts():
        per_circuit[d.circuit] = per_circuit.get(d.circuit, 0) + 1
    # 28 U.S.C. § 41 with the territorial courts: 1st 5, 2nd 6, 3rd 6, 4th 9, 5th 9, 6th 9, 7th 7, 8th 10,
    # 9th 15, 10th 8, 11th 9, D.C. 1 = 94
    assert per_circuit == {
        "1": 5,
        "2": 6,
        "3": 6,
        "4": 9,
        "5": 9,
        "6": 9,
        "7": 7,
        "8": 10,
        "9": 15,
        "10": 8,
        "11": 9,
        "DC": 1,
    }


def _case(court):
    return {
        "counts": [{"statute": "18 U.S.C. § 2252(a)(2)"}],
        "criminal_history": {"category": "I"},
        "court": court,
    }


def test_a_district_that_matches_nothing_is_an_error_naming_the_list():
    with pytest.raises(CaseFileError) as err:
        parse_case(_case({"district": "Narnia"}), source="c.yaml")
    line = err.value.one_line()
    assert line.startswith("c.yaml: court.district: not a district in the Sentencing Commission's list")
    assert "`plealever districts` lists all 94" in line and "(got 'Narnia')" in line
    with pytest.raises(CaseFileError, match="did you mean 'Oregon'"):
        parse_case(_case({"district": "Oregn"}))
    # The list the message names: every district, with the name a case file gives.
    listed = plealever("districts", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["districts"]
    assert len(rows) == 94 and {"name": "Texas East", "court": "Eastern District of Texas", "circuit": "5", "code": 40} in rows
    assert {"name": "Dist of Columbia", "court": "District of the District of Columbia", "circuit": "DC", "code": 90} in rows
    for r in rows:  # each listed name is accepted as it is printed
        assert parse_case(_case({"district": r["name"]})).court.district_record().code == r["code"]
    table = plealever("districts")
    assert "Texas East" in table.stdout and "94 districts" in table.stdout


def test_a_district_in_another_circuit_is_a_contradiction():
    with pytest.raises(CaseFileError, match="is in circuit 5, not circuit 9"):
        parse_case(_case({"district": "E.D. Tex.", "circuit": "9"}))
    case = parse_case(_case({"district": "E.D. Tex."}))
    assert case.court.effective_circuit() == "5" and case.court.district_record().code == 40


def _on_a_terminal(*args: str) -> tuple[int, str]:
    """Run the CLI with standard error on a pseudo-terminal (where progress is shown); return the exit
    code and what the terminal received."""
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    exe = Path(sys.executable).parent / "plealever"
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, stderr=follower, env=os.environ.copy())
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return proc.wait(timeout=120), seen.decode("utf-8", "replace")


def test_slow_steps_show_progress_on_a_terminal(tmp_path, data_dir):
    good = write(tmp_path / "fy24.csv", [HEADER, *GOOD])
    code, seen = _on_a_terminal("data", "import", str(good))
    assert code == 0 and "Importing 1 file" in seen
    example = str(Path(__file__).resolve().parents[1] / "examples" / "receipt-plea.yaml")
    code, seen = _on_a_terminal("similar", example)
    assert code == 0 and "Reading the offender rows" in seen
    # Not on a terminal (a pipe, a file): no spinner in the output.
    out = plealever("data", "import", str(good))
    assert out.returncode == 0 and "Importing" not in out.stderr
