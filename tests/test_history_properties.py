"""Property tests for criminal history: a prior never lowers the category; age never adds points."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from plealever import calculate, parse_case

CATS = ["I", "II", "III", "IV", "V", "VI"]
COMMENCED = dt.date(2023, 1, 15)


@st.composite
def records(draw, n_min=0, n_max=4):
    out = []
    for i in range(draw(st.integers(n_min, n_max))):
        sentenced = COMMENCED - dt.timedelta(days=draw(st.integers(0, 25 * 365)))
        served = draw(st.integers(0, 60))
        out.append(
            {
                "label": f"R{i}",
                "offense_date": (sentenced - dt.timedelta(days=draw(st.integers(1, 400)))).isoformat(),
                "sentence_date": sentenced.isoformat(),
                "imprisonment_months": served,
                "release_date": (sentenced + dt.timedelta(days=served * 30)).isoformat(),
                "probation_months": draw(st.sampled_from([0, 12, 36])),
                "intervening_arrest": draw(st.booleans()),
                "age_at_offense": draw(st.sampled_from([16, 17, 25, 40])),
                "crime_of_violence": draw(st.booleans()),
            }
        )
    return out


def history(recs, under="none", manual="2025-11-01"):
    case = parse_case(
        {
            "manual": manual,
            "offense_date": "2024-06-01",
            "counts": [{"statute": "2252A(a)(5)"}],
            "acceptance": "none",
            "criminal_history": {
                "instant_offense_commenced": COMMENCED.isoformat(),
                "under_sentence": under,
                "records": recs,
            },
        }
    )
    return calculate(case).calculation.history


@settings(max_examples=120, deadline=None)
@given(
    records(),
    records(1, 1),
    st.sampled_from(["none", "probation"]),
    st.sampled_from(["2009-11-01", "2022-11-01", "2025-11-01"]),
)
def test_adding_a_prior_never_lowers_the_category(recs, extra, under, manual):
    extra[0]["label"] = "Added"
    before = history(recs, under, manual)
    after = history(recs + extra, under, manual)
    assert CATS.index(after.category) >= CATS.index(before.category)
    assert after.points >= before.points


@settings(max_examples=120, deadline=None)
@given(records(1, 1), st.integers(1, 6000))
def test_moving_a_prior_into_the_past_never_raises_its_points(recs, days):
    earlier = dict(recs[0])
    shift = dt.timedelta(days=days)
    for key in ("offense_date", "sentence_date", "release_date"):
        earlier[key] = (dt.date.fromisoformat(earlier[key]) - shift).isoformat()
    assert history([earlier]).points <= history(recs).points
