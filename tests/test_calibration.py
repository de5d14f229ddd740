"""The outcome model against Sentencing Commission data, with the tolerances stated here."""

from __future__ import annotations

import json
import time

import pytest

from plealever.law.rulebook import rulebook
from plealever.negotiation import calibration
from tests.test_cli import plealever

# Tolerances (percentage points unless stated). The fitting years must be close; the held-out year
# is allowed drift; the FY2019 cells come from a secondary source and a later year, so they are
# reported with wide bounds that flag a gross error, not a fit.
FIT_TOL = 2.0
HELD_OUT_TOL = 4.0
CELL_MEAN_TOL = 0.30  # relative
CELL_BELOW_TOL = 20.0


def test_stored_parameters_are_the_fit_on_the_fitting_years():
    stored = rulebook().documents["outcome-model"]["fitted"]
    fresh = calibration.refit()
    assert fresh["n"] == stored["n"]
    for key in fresh["shares"]:
        assert fresh["shares"][key] == pytest.approx(stored["shares"][key], abs=1e-4)
    for key in ("reduction_pct_below_other", "reduction_pct_below_government", "increase_pct_above"):
        assert fresh[key] == pytest.approx(stored[key], abs=0.05)


def test_reader_matches_the_teams_derived_figures(shared):
    # published-figures.md table 2b (grade D): FY2016 27.0 / 1.9 / 5.5 / 65.5, median reduction 40.0.
    rec = calibration.read(shared / "data" / "ussc-supplemental" / "ussc_sup_fy16.csv.xz")
    assert rec.n == 1593
    got = {k: round(100 * v, 1) for k, v in rec.shares.items()}
    assert got == {"within": 27.0, "above": 1.9, "below_government": 5.5, "below_other": 65.5}


def test_report_fits_and_holds_out_within_tolerance():
    started = time.perf_counter()
    report = calibration.report(rulebook())
    assert time.perf_counter() - started < 10  # "in seconds", offline
    for block in report["fitting"].values():
        for key, v in block.items():
            assert abs(v["model"] - v["observed"]) <= FIT_TOL, (key, v)
    for block in report["held_out"].values():
        for key, v in block.items():
            assert abs(v["model"] - v["observed"]) <= HELD_OUT_TOL, (key, v)
    for cell in report["cells"]:
        m, p = cell["mean"]["model"], cell["mean"]["published"]
        assert abs(m - p) / p <= CELL_MEAN_TOL, cell
        assert (
            abs(cell["below_range_pct"]["model"] - cell["below_range_pct"]["published"]) <= CELL_BELOW_TOL
        ), cell


def test_calibrate_records_json(shared, tmp_path):
    out = plealever(
        "calibrate",
        "--records",
        str(shared / "data" / "ussc-supplemental" / "ussc_sup_fy16.csv.xz"),
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {
        "within_range",
        "above_range",
        "below_range_government",
        "below_range_other",
        "median_reduction_pct",
    }
    assert all(set(v) == {"model", "observed"} for v in data.values())
    assert data["within_range"]["observed"] == 27.0
    bad = tmp_path / "bad.csv"
    bad.write_text("A,B\n1,2\n")
    out = plealever("calibrate", "--records", str(bad))
    assert out.returncode == 2 and out.stderr.startswith(f"error: {bad}: expected columns")
    assert "Published FY2019" in plealever("calibrate").stdout
