"""Table-driven legal cases from tests/cases/*.yaml, each run through the public API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from plealever import errors, parse_case
from plealever.guidelines import calculate

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 11, 29)


def _load() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((f"{path.stem}: {item['name']}", item))
    return out


ALL = _load()


def run(item: dict):
    return calculate(parse_case(item["case"]), today=TODAY)


@pytest.mark.parametrize("item", [i for _, i in ALL], ids=[n for n, _ in ALL])
def test_case(item: dict) -> None:
    expect = item["expect"]
    if "error" in expect:
        with pytest.raises(getattr(errors, expect["error"])) as info:
            run(item)
        assert expect["error_contains"] in info.value.one_line()
        return
    result = run(item)
    got = result.to_dict()
    applied = {s["pin"]: s["levels"] for s in got["steps"] if s["status"] == "applied"}
    for pin, levels in expect.get("steps", {}).items():
        assert applied.get(pin) == levels, (
            f"{pin}: expected {levels}, got {applied.get(pin)}; applied={applied}"
        )
    if "one_of_steps" in expect:
        hits = [p for p in expect["one_of_steps"] if applied.get(p) == expect["one_of_steps"][p]]
        assert len(hits) == 1, f"exactly one of {expect['one_of_steps']} expected, got {applied}"
    refused = {s["pin"] for s in got["steps"] if s["status"] == "not_applied"}
    for pin in expect.get("not_applied", []):
        assert pin in refused, f"{pin} should be considered and refused; refused={refused}"
        assert pin not in applied
    infos = {s["pin"] for s in got["steps"] if s["status"] == "info"}
    for pin in expect.get("steps_info", []):
        assert pin in infos, f"{pin} should be an info step; info={infos}"
    for pin, certainty in expect.get("certainty", {}).items():
        assert next(s for s in got["steps"] if s["pin"] == pin)["certainty"] == certainty
    for key in (
        "total_offense_level",
        "guideline_range",
        "statutory_range",
        "effective_range",
        "criminal_history_category",
        "zone",
        "edition_verified",
    ):
        if key in expect:
            assert got[key] == expect[key], f"{key}: expected {expect[key]}, got {got[key]}"
    if "edition" in expect:
        assert got["edition"] == str(expect["edition"])
    if "alternative_edition" in expect:
        assert got["alternative_edition"]["edition"] == str(expect["alternative_edition"])
    if "edition_reason_contains" in expect:
        assert expect["edition_reason_contains"] in got["edition_reason"]
    history = got["criminal_history"]
    if "history" in expect:
        assert {k: history[k] for k in expect["history"]} == expect["history"], history
    for pin, points, label in expect.get("history_steps", []):
        hits = [
            s
            for s in history["steps"]
            if s["pin"] == pin and s["status"] == "applied" and s["reason"].startswith(label)
        ]
        assert hits and hits[0]["levels"] == points, (pin, points, label, history["steps"])
    for pin, label in expect.get("history_refused", []):
        hits = [
            s
            for s in history["steps"]
            if s["pin"] == pin and s["status"] == "not_applied" and label in s["reason"]
        ]
        assert hits, (pin, label, [(s["pin"], s["status"], s["reason"]) for s in history["steps"]])
    if "prior_alternatives" in expect:
        got_alt = [(a["assumption"], a["effective_range"]) for a in got["prior_alternatives"]]
        assert got_alt == [tuple(x) for x in expect["prior_alternatives"]], got_alt
    for text in expect.get("warnings_contain", []):
        assert any(text in w for w in got["warnings"]), f"no warning contains {text!r}: {got['warnings']}"
    for text in expect.get("warnings_absent", []):
        assert not any(text in w for w in got["warnings"]), f"a warning contains {text!r}: {got['warnings']}"
    for pin, text in expect.get("reason_contains", {}).items():
        reasons = [s["reason"] for s in got["steps"] + (history or {}).get("steps", []) if s["pin"] == pin]
        assert any(text in r for r in reasons), f"{pin}: no reason contains {text!r}: {reasons}"
    for pin, ids in expect.get("step_authorities", {}).items():
        cited = {a for s in got["steps"] if s["pin"] == pin for a in s["authorities"]}
        assert set(ids) <= cited, f"{pin} cites {sorted(cited)}, not all of {ids}"
    for i, text in expect.get("count_tiers", {}).items():
        assert text in got["counts"][int(i)]["tier"], got["counts"][int(i)]
    if "count_certainty" in expect:
        assert [c["certainty"] for c in got["counts"]] == expect["count_certainty"], got["counts"]
    if "alternative_effective_range" in expect:
        assert got["alternative_edition"]["effective_range"] == expect["alternative_effective_range"]
    # The running total of the last Chapter 2-4 step equals the total offense level before the table clamp.
    totals = [s["running_total"] for s in got["steps"] if s["running_total"] is not None]
    assert totals, "every calculation reports running totals"
