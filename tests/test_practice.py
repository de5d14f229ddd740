"""The practice model: held out on the latest year, the scoring contract, the similar-offender panel
against a direct DuckDB query, and the Monte Carlo drawing from it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plealever.analysis import analyse
from plealever.case import load_case
from plealever.data import records, store
from plealever.law import districts
from plealever.law.rulebook import rulebook
from plealever.negotiation import practice
from tests.test_cli import plealever
from tests.test_report import ROOT, TODAY

EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"

# The aims of issue 13, as tolerances. Circuits: 8 points, or 2.5 standard errors of the observed share
# where a circuit's held-out year is small (a circuit of 60 offenders has a standard error of about 6.4
# points from sampling alone, so 8 points is not a test of the model there).
COVERAGE_AIM, COVERAGE_TOL = 80.0, 3.0
SHARE_TOL = 3.0
CIRCUIT_TOL = 8.0
PINBALL_GAIN = 5.0  # percent lower than the JSIN-like baseline, at least


@pytest.fixture(scope="module")
def bundled():
    return store.bundled()


@pytest.fixture(scope="module")
def held_out(bundled):
    return practice.holdout(bundled)


def test_held_out_year_meets_the_aims(held_out):
    assert held_out["fitted_on"] == [2019, 2020, 2021, 2022] and held_out["held_out"] == 2023
    assert abs(held_out["coverage_10_90"] - COVERAGE_AIM) <= COVERAGE_TOL, held_out["coverage_10_90"]
    assert abs(held_out["coverage_25_75"] - 50.0) <= 5.0
    s = held_out["shares"]
    for key in ("below", "within", "above"):
        assert abs(s["model"][key] - s["observed"][key]) <= SHARE_TOL, (key, s)
    p = held_out["pinball"]
    assert p["model"] < p["jsin_like_baseline"] * (1 - PINBALL_GAIN / 100), p


def test_held_out_circuits(held_out):
    for circuit, b in held_out["by_circuit"].items():
        gap = abs(b["model"]["below"] - b["observed"]["below"])
        p = b["observed"]["below"] / 100
        se = 100 * math.sqrt(max(p * (1 - p), 0.05) / b["n"])
        assert gap <= max(CIRCUIT_TOL, 2.5 * se), (circuit, b, se)


def test_shipped_parameters_are_the_fit_on_the_bundled_rows(bundled, held_out):
    shipped = practice.Params(json.loads(practice._package_params_path().read_text())).doc
    assert shipped["data"]["checksum"] == bundled.checksum()
    assert shipped["data"]["fiscal_years"] == [2019, 2020, 2021, 2022, 2023]
    fresh = practice.fit(bundled)
    assert fresh["prior_widths"] == shipped["prior_widths"]
    for cls in ("below", "above"):
        for name, value in fresh["position"][cls]["beta"].items():
            assert value == pytest.approx(shipped["position"][cls]["beta"][name], abs=1e-4), (cls, name)
    assert shipped["held_out"]["coverage_10_90"] == held_out["coverage_10_90"]
    assert shipped["held_out"]["pinball"] == held_out["pinball"]


def test_the_model_says_which_years_it_describes():
    params = practice.load_params()
    b = params.basis(TODAY)
    last = params.doc["data"]["fiscal_years"][-1]
    assert b["described_year"] == min(practice.fiscal_year(TODAY), last + practice.HORIZON)
    assert f"FY{b['described_year']}" in b["note"] and str(b["rows"]) in b["note"]
    # It predicts the current fiscal year, and says how far the trend is carried to reach it.
    assert b["predicted_year"] == practice.fiscal_year(TODAY) and f"predicts FY{b['predicted_year']}" in b["note"]
    late = params.basis(dt.date(last + 5, 1, 15))
    assert late["described_year"] == last + practice.HORIZON and "held at its" in late["note"]
    assert practice.fiscal_year(TODAY.replace(month=10, day=1)) == TODAY.year + 1  # Oct. 1 starts the next


def test_scoring_contract_on_the_bundled_file_and_a_held_out_year(tmp_path):
    bundled_file = records.bundled_path()
    con = duckdb.connect()
    con.execute(f"CREATE TABLE r AS SELECT * FROM read_csv('{_plain(bundled_file, tmp_path)}', header=true)")
    rows = con.execute("SELECT XMINSOR IS NULL OR XMAXSOR IS NULL FROM r").fetchall()
    no_range = {i for i, (missing,) in enumerate(rows) if missing}
    assert len(no_range) == 2
    out_csv = tmp_path / "pred.csv"
    out = plealever("calibrate", "--records", str(bundled_file), "--predictions", str(out_csv), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    for key in ("coverage_10_90", "shares", "by_year", "by_circuit", "pinball", "model_basis"):
        assert key in summary
    assert summary["rows_scored"] == 6447 and summary["rows_unscorable"] == 2
    with open(out_csv, newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["row", "p_below", "p_within", "p_above", "q10", "q25", "q50", "q75", "q90"]
    assert [int(r[0]) for r in got[1:]] == list(range(len(rows)))
    for r in got[1:]:
        if int(r[0]) in no_range:
            assert r[1:] == [""] * 8
        else:
            p = [float(v) for v in r[1:4]]
            q = [float(v) for v in r[4:]]
            assert abs(sum(p) - 1) < 2e-4 and q == sorted(q) and q[0] >= 0
    # a held-out year cut from the bundle: scored the same way
    year = tmp_path / "fy23.csv"
    con.execute(f"COPY (SELECT * FROM r WHERE FISCAL_YEAR = 2023) TO '{year}' (HEADER)")
    out = plealever("calibrate", "--records", str(year), "--predictions", str(tmp_path / "p23.csv"), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["fiscal_years"] == [2023]
    assert len((tmp_path / "p23.csv").read_text().splitlines()) == 1 + 1408


def _plain(path, tmp_path):
    import lzma

    plain = tmp_path / "bundled.csv"
    plain.write_bytes(lzma.decompress(path.read_bytes()))
    return plain


def test_bad_records_file_for_scoring(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "FISCAL_YEAR,OFFGUIDE,DISTRICT,DSPLEA,PRESENT,CRIMPTS,XMINSOR,XMAXSOR,SENTTOT,SENTIMP\n"
        "2023,7,40,1,1,0,97,121,eighty,1\n"
    )
    out = plealever("calibrate", "--records", str(bad), "--predictions", str(tmp_path / "p.csv"))
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"error: {bad}: data row 0 (line 2), column SENTTOT: expected a number, got 'eighty'"
    )
    assert not (tmp_path / "p.csv").exists()


def test_similar_panel_counts_equal_a_direct_query(tmp_path):
    case_file = tmp_path / "case.yaml"
    case_file.write_text(
        EXAMPLE.read_text() + 'court: {district: "W.D. Mo."}\ndefendant: {custody: detained}\n'
    )
    out = plealever("similar", str(case_file), "--json")
    assert out.returncode == 0, out.stderr
    panel = json.loads(out.stdout)
    assert panel["district_code"] == 66 and panel["circuit"] == "8"
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE r AS SELECT * FROM read_csv('{_plain(records.bundled_path(), tmp_path)}', header=true)"
    )
    eighth = ", ".join(str(d.code) for d in districts.all_districts() if d.circuit == "8")
    checked = 0
    for rng in panel["ranges"]:
        lo, hi = (9996 if v == "life" else v for v in (rng["range"]["min"], rng["range"]["max"]))
        cell = f"XMINSOR = {lo} AND XMAXSOR = {hi} AND (SENTTOT IS NOT NULL OR SENTIMP IN (0, 3, 4))"
        places = {"": cell, "circuit:": f"{cell} AND DISTRICT IN ({eighth})", "district:": f"{cell} AND DISTRICT = 66"}
        pleas = {"agreement": "DSPLEA IN (1, 2, 3)", "straight": "DSPLEA = 5", "trial": "DSPLEA = 8"}
        expected = {"nation": cell, "circuit": places["circuit:"], "district": places["district:"]}
        expected |= {f"{p}plea:{k}": f"{where} AND {v}" for p, where in places.items() for k, v in pleas.items()}
        assert {g["group"] for g in rng["groups"]} == set(expected)  # every place, whole and by plea type
        for g in rng["groups"]:
            n, below = con.execute(
                f"SELECT count(*), avg((coalesce(SENTTOT, 0) < {lo})::int) FROM r WHERE {expected[g['group']]}"
            ).fetchone()
            assert g["n"] == n, (rng["range"], g["group"])
            if n >= panel["min_n"]:
                assert g["below_pct"] == round(100 * below, 1)
            else:
                assert g["too_few"]
            checked += 1
    assert checked >= 12
    text = plealever("similar", str(EXAMPLE), "--width", "200")  # the whole table on one line a row
    assert text.returncode == 0 and "too few cases" in text.stdout and "cannot separate" in text.stdout
    assert "FY2019-FY2023" in text.stdout


def test_the_memo_shows_each_group_s_histogram():
    from plealever import render_memo
    from plealever.report.practice_view import spark

    a = analyse(load_case(EXAMPLE), today=TODAY, draws=300)
    md = render_memo(a, "md").decode()
    section = md.split("### E. Similar offenders")[1].split("### F.")[0]
    assert "| Histogram |" in section and "Histogram: 8 equal bins of months from 0 to 121" in section
    nation = a.similar["ranges"][0]["groups"][0]
    assert f"| {spark(nation['histogram'])} |" in section


def test_scenarios_draw_from_the_practice_model():
    case = load_case(EXAMPLE)
    a = analyse(case, today=TODAY, draws=20000)
    c = a.comparison
    row = next(r for r in c.rows if r["id"] == "plea-as-charged")
    calc = a.scenario("plea-as-charged").result.calculation
    cell = practice.cell_for(case, calc, plea="straight", today=TODAY)
    draws = practice.predict(cell, n=20000, seed=1)
    # no assumption shifts apply to this plea (no mitigation, no circuit, typical judge, no recommendation)
    assert row["outcome"]["mean"] == pytest.approx(float(draws.mean()), abs=1.0)
    assert row["outcome"]["p10"] >= 60  # the statute's minimum, applied exactly
    assert c.to_dict()["practice_model"]["fiscal_years"] == [2019, 2020, 2021, 2022, 2023]


def test_custody_and_district_move_the_scenarios_as_the_data_do(tmp_path):
    def mean(extra: str) -> float:
        path = tmp_path / "c.yaml"
        path.write_text(EXAMPLE.read_text() + extra)
        rows = analyse(load_case(path), today=TODAY, draws=5000).comparison.rows
        return next(r for r in rows if r["id"] == "plea-as-charged")["outcome"]["mean"]

    # Released defendants are sentenced below range far more often in the rows (83% against 57%).
    assert mean("defendant: {custody: released}\n") < mean("defendant: {custody: detained}\n")
    # The Ninth Circuit's below-range share is the highest of the large circuits, the Fifth's the lowest.
    assert mean('court: {district: "D. Or."}\n') < mean('court: {district: "N.D. Tex."}\n')


@settings(max_examples=30, deadline=None)
@given(
    lo=st.integers(0, 400),
    width=st.integers(0, 120),
    smin=st.sampled_from([None, 0, 60, 120, 180]),
    smax=st.sampled_from([None, 120, 240, 480]),
    plea=st.sampled_from(practice.PLEAS),
    custody=st.sampled_from(practice.CUSTODY),
    district=st.sampled_from([None, 40, 79, 1, 90]),
)
def test_predictions_respect_known_limits_and_shares_add_up(lo, width, smin, smax, plea, custody, district):
    cell = practice.PracticeCell(
        range_min=lo,
        range_max=lo + width,
        chc=1,
        district=district,
        circuit=districts.circuit_of(district) if district is not None else None,
        plea=plea,
        custody=custody,
        statutory_min=smin,
        statutory_max=smax if smin is None or smax is None or smax >= smin else smin,
    )
    draws = practice.predict(cell, n=500, seed=2)
    assert np.all(draws >= 0) and np.all(np.isfinite(draws))
    if cell.statutory_min is not None:
        assert draws.min() >= cell.statutory_min - 1e-9
    if cell.statutory_max is not None:
        assert draws.max() <= cell.statutory_max + 1e-9
    s = practice.shares(cell)
    assert sum(s.values()) == pytest.approx(1.0)
    if lo == 0:
        assert s["below"] == 0.0


def test_no_protected_trait_is_read():
    # USSG §5H1.10: race, sex, national origin, creed, religion and socio-economic status are not relevant.
    for banned in ("NEWRACE", "MONRACE", "MONSEX", "NEWCIT", "CITIZEN", "NEWEDUC", "HISPORIG"):
        assert banned not in records.COLUMNS
    assert not any("race" in f or "sex" in f for f in practice.FEATURES)


def test_published_fy2019_cells_and_the_contrasts():
    """The secondary-source FY2019 cells (published-figures.md §3, grade S) are soft targets: the bounds
    flag a gross error, as for the older model (tests/test_calibration.py). The contrasts are the rows'."""
    from plealever.negotiation import practice_checks

    report = practice_checks.report(rulebook())
    assert len(report["cells"]) == 3
    for cell in report["cells"]:
        m, p = cell["mean"]["model"], cell["mean"]["published"]
        assert abs(m - p) / p <= 0.30, cell
        assert abs(cell["below_range_pct"]["model"] - cell["below_range_pct"]["published"]) <= 20.0, cell
    c = report["contrasts"]
    assert c["custody"]["released"]["below_pct"]["observed"] > c["custody"]["detained"]["below_pct"]["observed"]
    for block in (*c["custody"].values(), *c["plea"].values()):
        if block["n"] >= 100:
            assert abs(block["below_pct"]["model"] - block["below_pct"]["observed"]) <= SHARE_TOL, block
    assert report["held_out"]["held_out"] == 2023 and report["basis"]["rows"] == 6447


def test_a_refit_in_the_data_directory_is_used_unless_it_is_from_another_model(tmp_path, monkeypatch):
    monkeypatch.setenv("PLEALEVER_DATA_DIR", str(tmp_path))
    assert practice.load_params().origin == "package"
    doc = json.loads(practice._package_params_path().read_text())
    practice.write_params(doc, tmp_path / practice.PARAMS_NAME)
    assert practice.load_params().origin == "refit"
    (tmp_path / practice.PARAMS_NAME).write_text('{"model": "an older model"}')
    assert practice.load_params().origin.startswith("package (the refit")
    assert practice.load_params().doc["model"] == practice.MODEL
