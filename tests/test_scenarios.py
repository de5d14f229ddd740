"""Plea scenarios and the outcome model: the contract points of the scenarios issue, and properties."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from plealever import calculate, parse_case
from plealever.analysis import analyse
from plealever.law.rulebook import rulebook
from plealever.negotiation.outcomes import Judge, Params, sentence_draws
from plealever.negotiation.scenarios import overlay
from tests.test_cli import plealever

TODAY = dt.date(2026, 11, 29)
RECEIPT = {
    "manual": "2025-11-01",
    "offense_date": "2024-01-10",
    "counts": [{"statute": "18 U.S.C. § 2252A(a)(2)(A)"}],
    "facts": {
        "image_count": 700,
        "prepubescent": True,
        "computer": True,
        "distribution": "none",
        "receipt_only_no_intent_to_distribute": True,
        "sadistic_or_violent": False,
        "infant_or_toddler": False,
        "pattern_of_activity": False,
    },
    "acceptance": "three_level",
    "criminal_history": {"category": "I"},
}


def compare(case, *, today: dt.date, draws: int):
    """The scenario comparison of an analysis of `case`."""
    return analyse(case, today=today, draws=draws).comparison


def rows(case: dict, draws: int = 2000) -> dict[str, dict]:
    return {r["id"]: r for r in compare(parse_case(case), today=TODAY, draws=draws).to_dict()["scenarios"]}


def test_receipt_case_offers_possession_without_minimum_needing_approval_under_bondi():
    got = rows({**RECEIPT, "prosecutor": {"policy_era": "bondi_2025"}})
    p = got["plea-possession"]
    assert p["mandatory_minimum"] == 0
    assert p["counts"] == ["18 U.S.C. § 2252A(a)(5)"]
    assert p["availability"] == "approval_required"
    assert any("Bondi" in r for r in p["availability_reasons"])
    case = overlay(
        parse_case({**RECEIPT}),
        parse_case(
            {**RECEIPT, "scenarios": [{"id": "x", "label": "x", "counts": [{"statute": "2252A(a)(5)"}]}]}
        ).scenarios[0],
    )
    steps = {s.pin: s.levels for s in calculate(case).calculation.steps if s.status == "applied"}
    assert steps["2G2.2(a)(1)"] == 18  # base level 18
    assert (
        rows({**RECEIPT, "prosecutor": {"policy_era": "garland_2022"}})["plea-possession"]["availability"]
        == "available"
    )
    assert (
        rows({**RECEIPT, "prosecutor": {"office_rules": ["no_plea_below_receipt"]}})["plea-possession"][
            "availability"
        ]
        == "closed"
    )


def test_every_figure_traces_to_the_calculation():
    case = parse_case(
        {
            **RECEIPT,
            "scenarios": [
                {
                    "id": "c-cap",
                    "label": "(C) 60-70",
                    "plea_type": "C",
                    "agreed_range": {"min": 60, "max": 70},
                }
            ],
        }
    )
    analysis = analyse(case, today=TODAY, draws=500)
    for r in analysis.comparison.to_dict()["scenarios"]:
        spec = analysis.scenario(r["id"]).spec
        c = calculate(overlay(case, spec), today=TODAY).calculation
        assert r["total_offense_level"] == c.total_offense_level
        assert r["effective_range"] == c.effective_range.to_dict()
        assert r["statutory_range"] == c.statutory_range.to_dict()
        assert r["edition"] == c.edition.isoformat()
    out = compare(case, today=TODAY, draws=500).to_dict()
    assert {p["parameter"] for p in out["parameters"]} >= {"trial_below_factor", "trial_conviction_rate"}


def test_trial_loses_acceptance_and_shows_acquittal_risk():
    got = rows(RECEIPT)
    trial, plea = got["trial-all"], got["plea-as-charged"]
    assert trial["total_offense_level"] == plea["total_offense_level"] + 3
    assert 0 < trial["outcome"]["p_acquittal"] < 0.2
    assert 0 < plea["break_even_conviction_probability"] <= 1
    entrapped = {
        **RECEIPT,
        "mitigation": [
            {
                "kind": "entrapment",
                "label": "Chats",
                "source": "government_discovery",
                "status": "in_hand",
                "initiated_by": "government",
                "government_approaches": 6,
                "inducements": ["persistence", "sympathy"],
                "defendant_reluctance": True,
                "prior_interest_or_collection": False,
            }
        ],
    }
    assert rows(entrapped)["trial-all"]["outcome"]["p_acquittal"] > trial["outcome"]["p_acquittal"] + 0.1


def test_cooperation_scenario_only_with_recorded_cooperation():
    assert "plea-cooperation" not in rows(RECEIPT)
    coop = {
        **RECEIPT,
        "mitigation": [
            {
                "kind": "cooperation",
                "label": "Info",
                "source": "defendant",
                "status": "in_hand",
                "value": "high",
                "early": True,
            }
        ],
    }
    got = rows(coop)["plea-cooperation"]
    assert got["levers"] == ["substantial_assistance"]
    assert got["outcome"]["p_at_or_above_minimum"] < 0.5  # § 3553(e) lets the sentence fall below 60 months
    forced = parse_case(
        {**RECEIPT, "scenarios": [{"id": "coop", "label": "coop", "government_motion": "5K1.1"}]}
    )
    row = next(r for r in compare(forced, today=TODAY, draws=200).to_dict()["scenarios"] if r["id"] == "coop")
    assert row["availability"] == "closed"


def test_results_are_reproducible():
    assert (
        compare(parse_case(RECEIPT), today=TODAY, draws=1000).to_dict()
        == compare(parse_case(RECEIPT), today=TODAY, draws=1000).to_dict()
    )


def test_user_scenario_replaces_a_generated_one_with_the_same_id():
    case = {
        **RECEIPT,
        "scenarios": [
            {
                "id": "plea-possession",
                "label": "Mine",
                "counts": [{"statute": "2252A(a)(5)"}],
                "facts": {"image_count": 100},
            }
        ],
    }
    got = rows(case)["plea-possession"]
    assert got["label"] == "Mine" and not got["generated"] and "fact_stipulation" in got["levers"]


MULTI = {**RECEIPT, "counts": [{"statute": "2252A(a)(2)", "count": 2}, {"statute": "2252A(a)(5)"}]}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["2252A(a)(2)", "2252A(a)(5)", "2252(a)(2)", "2252(a)(4)"]), min_size=2, max_size=4
    ),
    st.data(),
)
def test_dismissing_a_count_never_raises_the_exposure(statutes, data):
    case = parse_case({**RECEIPT, "counts": [{"statute": s} for s in statutes]})
    drop = data.draw(st.integers(0, len(statutes) - 1))
    kept = [{"statute": s} for i, s in enumerate(statutes) if i != drop]
    spec = parse_case({**RECEIPT, "scenarios": [{"id": "d", "label": "d", "counts": kept}]}).scenarios[0]
    full = calculate(overlay(case, spec.model_copy(update={"counts": None})), today=TODAY).calculation
    less = calculate(overlay(case, spec), today=TODAY).calculation
    assert less.effective_range.key() <= full.effective_range.key()
    assert less.statutory_range.key()[1] <= full.statutory_range.key()[1]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 300), st.integers(0, 120), st.integers(0, 200), st.integers(0, 200), st.integers(0, 10**6)
)
def test_a_binding_agreement_holds_the_sentence_inside_its_range(lo, width, c_lo, c_width, seed):
    params = Params(rulebook())
    judge = Judge(lo, lo + width, 0, 480, binding=(c_lo, c_lo + c_width))
    draws = sentence_draws(params, judge, 500, seed)
    assert draws.min() >= c_lo and draws.max() <= c_lo + c_width


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 300),
    st.integers(0, 100),
    st.sampled_from([0, 60, 120]),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_stronger_mitigation_never_raises_the_expected_plea_sentence(lo, width, minimum, variance, seed):
    params = Params(rulebook())
    means = []
    for band in ("absent", "weak", "moderate", "strong"):
        judge = Judge(
            lo,
            lo + width,
            minimum,
            480,
            mitigation_band=band,
            recommendation="variance" if variance else "none",
        )
        means.append(float(sentence_draws(params, judge, 4000, seed).mean()))
    assert all(b <= a + 1e-9 for a, b in zip(means, means[1:], strict=False)), means


def test_parameters_can_be_overridden_in_the_case_file():
    base = rows(RECEIPT)["trial-all"]["outcome"]["p_acquittal"]
    low = rows(
        {
            **RECEIPT,
            # a coin-flip base rate: strong evidence doubles its odds, so conviction is 2/3 (acquittal 1/3)
            "outcome_parameters": {"trial_conviction_rate": 0.5},
        }
    )
    assert low["trial-all"]["outcome"]["p_acquittal"] > base + 0.2


def test_scenarios_command_and_bad_scenario(tmp_path: Path):
    example = Path(__file__).resolve().parents[1] / "examples" / "receipt-plea.yaml"
    out = plealever("scenarios", str(example), "--draws", "500")
    assert out.returncode == 0, out.stderr
    assert (
        "Plea to possession" in out.stdout and "Break-even" in out.stdout and "Not legal advice" in out.stdout
    )
    data = json.loads(plealever("scenarios", str(example), "--json", "--draws", "500").stdout)
    assert {"scenarios", "sensitivity", "parameters"} <= set(data)
    bad = copy.deepcopy(RECEIPT)
    bad["scenarios"] = [{"id": "c", "label": "Binding", "plea_type": "C"}]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(bad))
    out = plealever("scenarios", str(path))
    assert out.returncode == 2
    assert out.stderr.strip().startswith(
        f"error: {path}: scenarios[0] ('Binding'): a Rule 11(c)(1)(C) scenario needs"
    )


def test_life_ranges_are_simulated_at_the_commission_convention():
    judge = Judge(470, 470, 240, 470)
    assert np.all(sentence_draws(Params(rulebook()), judge, 100, 1) <= 470)


def test_generator_offers_the_issue_s_dispositions():
    production = {
        **RECEIPT,
        "counts": [{"statute": "2251(a)"}],
        "findings": ["2G2.1(b)(1)(B)"],
        "facts": {
            **RECEIPT["facts"],
            "distribution": "knowing",
            "receipt_only_no_intent_to_distribute": False,
        },
    }
    got = rows(production, draws=500)
    assert got["plea-to-possession-count"]["mandatory_minimum"] == 0
    assert got["plea-to-trafficking-count"]["mandatory_minimum"] == 60
    assert (
        got["plea-to-trafficking-count"]["total_offense_level"]
        < got["plea-as-charged"]["total_offense_level"]
    )
    receipt = rows(RECEIPT, draws=500)
    tier = receipt["plea-stipulate-image-tier"]
    assert tier["total_offense_level"] == receipt["plea-as-charged"]["total_offense_level"] - 1
    cap = receipt["plea-binding-cap"]
    assert cap["plea_type"] == "C" and cap["levers"] == ["binding_plea"]
    assert cap["outcome"]["p90"] <= receipt["plea-as-charged"]["effective_range"]["min"]
    closed = rows({**RECEIPT, "prosecutor": {"office_rules": ["no_binding_pleas"]}}, draws=500)
    assert closed["plea-binding-cap"]["availability"] == "closed"


def test_a_more_lenient_judge_lowers_the_expected_plea():
    base = rows(RECEIPT)["plea-possession"]["outcome"]["mean"]
    lenient = rows({**RECEIPT, "court": {"judge_tendency": "more_lenient"}})["plea-possession"]["outcome"][
        "mean"
    ]
    strict = rows({**RECEIPT, "court": {"judge_tendency": "less_lenient"}})["plea-possession"]["outcome"][
        "mean"
    ]
    assert lenient < base < strict


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from([(63, 78), (51, 63), (97, 121), (210, 262)]),
    st.sampled_from(["absent", "weak", "moderate", "strong"]),
)
def test_the_practice_values_memo_never_changes_a_draw(seed, cell_range, band):
    """A comparison keeps the practice model's values between re-pricings: the draws with the memo,
    reused across other bands and judges, equal the draws computed afresh."""
    from plealever.negotiation.practice import PracticeCell

    params = Params(rulebook())
    cell = PracticeCell(*cell_range, chc=1, district=None, plea="agreement", custody="detained")
    memo: dict = {}
    for other in ("absent", "strong"):  # fill the memo under another band first
        sentence_draws(params, Judge(*cell_range, 0, 480, mitigation_band=other, practice=cell), 300, seed, memo)
    judge = Judge(*cell_range, 0, 480, mitigation_band=band, judge="more_lenient", practice=cell)
    fresh = sentence_draws(params, judge, 300, seed)
    assert np.array_equal(sentence_draws(params, judge, 300, seed, memo), fresh)
    assert memo  # the memo was used, not bypassed


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.35, 0.65))
def test_the_national_model_s_within_range_position_is_its_named_assumption(seed, m):
    """Without a practice cell, a within-range sentence sits on average at the assumed position, and a
    higher position never lowers a draw (0.5 is the uniform draw)."""
    from plealever.law.parameters import with_values

    params = Params(rulebook())
    judge = Judge(60, 120, 0, 480)
    mid = sentence_draws(params, judge, 4000, seed)
    shifted = sentence_draws(with_values(params, {"within_range_position": m}), judge, 4000, seed)
    inside = (mid > 60) & (mid < 120) & (shifted > 60) & (shifted < 120)
    position = ((shifted[inside] - 60) / 60).mean()
    assert abs(position - m) < 0.05, (position, m)
    if m >= 0.5:
        assert np.all(shifted[inside] >= mid[inside] - 1e-9)
    else:
        assert np.all(shifted[inside] <= mid[inside] + 1e-9)
