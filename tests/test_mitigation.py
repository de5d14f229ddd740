"""Mitigation assessments: table-driven cases, the law's directions as properties, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from plealever import parse_case
from plealever.mitigation import assess
from tests.test_cli import plealever

TODAY = dt.date(2026, 11, 29)
CASES = yaml.safe_load((Path(__file__).parent / "mitigation" / "cases.yaml").read_text(encoding="utf-8"))


def run(case: dict):
    return assess(parse_case(case), today=TODAY)


@pytest.mark.parametrize("item", CASES, ids=[c["name"] for c in CASES])
def test_assessment(item: dict) -> None:
    got = run(item["case"]).to_dict()
    exp = item["expect"]
    factors = {f["factor"]: f for f in got["factors"]}
    for name, band in exp.get("bands", {}).items():
        assert factors[name]["band"] == band, (name, factors[name]["band"], factors[name]["reasons"])
    for name, score in exp.get("scores", {}).items():
        assert factors[name]["score"] == score, (name, factors[name]["reasons"])
    for name, levers in exp.get("levers", {}).items():
        have = {lv["lever"]: lv["status"] for lv in factors[name]["levers"]}
        for lever, status in levers.items():
            assert have.get(lever) == status, (name, lever, have)
    for name, levers in exp.get("no_lever", {}).items():
        assert not {lv["lever"] for lv in factors[name]["levers"]} & set(levers)
    for key in ("reasons", "missing", "frame", "risks"):
        for name, needles in exp.get(key, {}).items():
            text = " | ".join(s["text"] for s in factors[name][key])
            cites = " ".join(
                got["authorities"][a]["cite"] for s in factors[name][key] for a in s["authorities"]
            )
            for needle in needles:
                assert needle in text or needle in cites, (name, key, needle, text)
    for name, groups in exp.get("absent_text", {}).items():
        for key, needles in groups.items():
            text = " | ".join(s["text"] for s in factors[name][key])
            for needle in needles:
                assert needle not in text, (name, key, needle, text)
    for name, ids in exp.get("no_cite", {}).items():
        assert not set(ids) & set(factors[name]["authorities"]), (name, factors[name]["authorities"])
    for name, elements in exp.get("elements", {}).items():
        have = {e["element"]: e for e in factors[name]["elements"]}
        for element, want in elements.items():
            for k, v in want.items():
                assert have[element][k] == v, (name, element, k, have[element])
    for name, complete in exp.get("complete", {}).items():
        assert factors[name]["complete_defense"] is complete, (name, factors[name]["elements"])
    for lever, status in exp.get("lever_status", {}).items():
        assert got["levers"][lever]["status"] == status, (lever, got["levers"][lever])
    if "empty" in exp:
        assert got["empty"] is exp["empty"]
    for needle in exp.get("warnings", []):
        assert any(needle in w for w in got["warnings"]), got["warnings"]
    if "plan_item" in exp:
        step = next(s for s in got["disclosure_plan"] if s["item"] == exp["plan_item"]["item"])
        assert step["when"] == str(exp["plan_item"]["when"]), step
    if "plan_first" in exp:
        first = got["disclosure_plan"][0]
        assert (first["item"], first["when"]) == (exp["plan_first"]["item"], str(exp["plan_first"]["when"]))
    for item_label, needle in exp.get("plan_flags", {}).items():
        step = next(s for s in got["disclosure_plan"] if s["item"] == item_label)
        assert any(needle in f for f in step["lost_value"]), step
    steps = {s["item"]: s for s in got["disclosure_plan"]}
    for item_label, want in exp.get("plan", {}).items():
        step = steps[item_label]
        for k, v in want.items():
            if isinstance(v, list):
                for needle in v:
                    assert any(needle in x for x in step[k]), (item_label, k, needle, step[k])
            elif isinstance(v, str) and isinstance(step[k], str):
                assert v in step[k], (item_label, k, v, step[k])
            else:
                assert step[k] == v, (item_label, k, v, step[k])
    for item_label, needles in exp.get("no_plan_text", {}).items():
        text = " | ".join(steps[item_label]["exposes"]) + steps[item_label]["risk"]
        for needle in needles:
            assert needle not in text, (item_label, needle, text)
    for item_label, want in exp.get("plan_disclosed", {}).items():
        for k, v in want.items():
            assert steps[item_label]["disclosed"][k] == v, (item_label, k, steps[item_label]["disclosed"])
    frame_text = " | ".join(s["text"] for s in got["frame"]) + " ".join(
        got["authorities"][a]["cite"] for s in got["frame"] for a in s["authorities"]
    )
    for needle in exp.get("case_frame", []):
        assert needle in frame_text, (needle, frame_text)
    if exp.get("no_case_frame"):
        assert got["frame"] == []
    if "package_complete" in exp:
        assert got["package"]["complete"] == exp["package_complete"]
    # Every statement that cites something resolves in the registry.
    for f in got["factors"]:
        for a in f["authorities"]:
            assert a in got["authorities"]


BANDS = ["absent", "weak", "moderate", "strong"]
BASE = {"manual": "2025-11-01", "counts": [{"statute": "2252A(a)(2)"}], "criminal_history": {"category": "I"}}


def band(case: dict, factor: str) -> str:
    return next(f.band for f in run(case).factors if f.factor == factor)


positive_items = st.one_of(
    st.builds(
        lambda n, nexus, rec: {
            "kind": "psych_evaluation",
            "label": f"Eval {n}",
            "source": "licensed_psychologist",
            "status": "in_hand",
            "nexus_to_conduct": nexus,
            "recidivism_opinion": rec,
        },
        st.integers(0, 9),
        st.sampled_from(["none", "asserted", "explained"]),
        st.sampled_from(["low", "moderate", "high", "none"]),
    ),
    st.builds(
        lambda n, period: {
            "kind": "treatment_records",
            "label": f"Records {n}",
            "source": "treating_clinician",
            "status": "in_hand",
            "period": period,
        },
        st.integers(0, 9),
        st.sampled_from(["before_arrest", "after_arrest"]),
    ),
    st.builds(
        lambda n, b, v: {
            "kind": "risk_assessment",
            "label": f"Risk {n}",
            "source": "licensed_psychologist",
            "status": "in_hand",
            "instrument": "CPORT",
            "risk_band": b,
            "validated_for_offense": v,
        },
        st.integers(0, 9),
        st.sampled_from(["low", "moderate", "high"]),
        st.booleans(),
    ),
    st.builds(
        lambda n, c, imm, esc: {
            "kind": "coercion_duress",
            "label": f"Duress {n}",
            "source": "defendant",
            "status": "in_hand",
            "threat": "death_or_serious_injury",
            "made_by": "X",
            "immediate": imm,
            "reasonable_escape": esc,
            "independent_corroboration": c,
        },
        st.integers(0, 9),
        st.lists(st.sampled_from(["messages", "witness"]), max_size=2),
        st.booleans(),
        st.booleans(),
    ),
    st.builds(
        lambda n, issues, ex: {
            "kind": "knowledge_forensic",
            "label": f"Forensic {n}",
            "source": "forensic_examiner",
            "status": "in_hand",
            "issues": issues,
            "defense_examiner": ex,
        },
        st.integers(0, 9),
        st.lists(
            st.sampled_from(["shared_device", "automatic_file_sharing", "cache_or_unallocated_only"]),
            min_size=1,
            max_size=3,
            unique=True,
        ),
        st.booleans(),
    ),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(positive_items, max_size=4), positive_items)
def test_adding_corroboration_never_lowers_a_strength(items, extra):
    extra = {**extra, "label": "Added item"}
    before = {f.factor: f.band for f in run({**BASE, "mitigation": items}).factors}
    after = {f.factor: f.band for f in run({**BASE, "mitigation": items + [extra]}).factors}
    for factor, b in before.items():
        assert BANDS.index(after[factor]) >= BANDS.index(b), (factor, b, after[factor])


entrapment_items = st.builds(
    lambda by, n, ind, rel, ready: {
        "kind": "entrapment",
        "label": "Chats",
        "source": "government_discovery",
        "status": "in_hand",
        "initiated_by": by,
        "government_approaches": n,
        "inducements": ind,
        "defendant_reluctance": rel,
        "prior_interest_or_collection": False,
        "ready_response": ready,
    },
    st.sampled_from(["government", "defendant", "unknown"]),
    st.integers(0, 12),
    st.lists(
        st.sampled_from(["sympathy", "friendship_or_romance", "persistence", "promised_benefit"]), unique=True
    ),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=80, deadline=None)
@given(entrapment_items, st.sampled_from(["prior_interest_or_collection", "prior_related_conviction"]))
def test_predisposition_never_raises_entrapment(item, field):
    without = run({**BASE, "mitigation": [item]})
    with_it = run({**BASE, "mitigation": [{**item, field: True}]})
    a = next(f for f in without.factors if f.factor == "entrapment")
    b = next(f for f in with_it.factors if f.factor == "entrapment")
    assert b.score <= a.score and BANDS.index(b.band) <= BANDS.index(a.band)
    assert b.band in ("weak", "absent")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["death_or_serious_injury", "sexual_violence", "exposure", "financial", "other"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_duress_without_independent_evidence_is_never_strong(threat, immediate, escape, reported):
    item = {
        "kind": "coercion_duress",
        "label": "D",
        "source": "defendant",
        "status": "in_hand",
        "threat": threat,
        "made_by": "X",
        "immediate": immediate,
        "reasonable_escape": escape,
        "reported_at_the_time": reported,
    }
    assert band({**BASE, "mitigation": [item]}, "coercion_duress") != "strong"


RULES = [
    "no_charge_bargains",
    "no_plea_below_receipt",
    "no_binding_pleas",
    "no_variance_recommendations",
    "no_stipulations_against_facts",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(positive_items, min_size=1, max_size=4), st.lists(st.sampled_from(RULES), unique=True))
def test_a_closed_lever_is_never_reported_open(items, rules):
    result = run({**BASE, "mitigation": items, "prosecutor": {"office_rules": rules}})
    closed = {name for name, s in result.levers.items() if s.status == "closed"}
    for f in result.factors:
        for lv in f.levers:
            if lv.lever in closed:
                assert lv.status == "closed"
    if "no_binding_pleas" in rules:
        assert "binding_plea" in closed


def test_assess_command(tmp_path: Path) -> None:
    out = plealever("assess", str(Path(__file__).resolve().parents[1] / "examples" / "mitigation-sting.yaml"))
    assert out.returncode == 0, out.stderr
    assert (
        "Entrapment: STRONG" in out.stdout and "References" in out.stdout and "Not legal advice" in out.stdout
    )
    data = json.loads(
        plealever(
            "assess",
            str(Path(__file__).resolve().parents[1] / "examples" / "mitigation-sting.yaml"),
            "--json",
        ).stdout
    )
    assert {f["factor"] for f in data["factors"]} >= {"mental_health", "coercion_duress", "entrapment"}
    marks = [a for f in data["factors"] for a in f["authorities"]]
    assert marks and all(a in data["authorities"] for a in marks)


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        (
            "{kind: psych_evaluation, label: Eval, source: licensed_psychologist, status: in_hand, nexus: yes}",
            "mitigation[0] ('Eval').nexus: unknown field",
        ),
        (
            "{kind: coercion_duress, label: Threats, source: defendant, status: in_hand, threat: scary, made_by: X, "
            "immediate: true, reasonable_escape: false}",
            "mitigation[0] ('Threats').threat: Input should be",
        ),
        ("{kind: horoscope, label: Stars, source: other, status: in_hand}", "mitigation[0] ('Stars')"),
        (
            "{kind: entrapment, label: Chats, source: government_discovery, status: in_hand, initiated_by: government, "
            "government_approaches: -2, prior_interest_or_collection: false}",
            "mitigation[0] ('Chats').government_approaches",
        ),
    ],
)
def test_bad_evidence_items(tmp_path: Path, item: str, needle: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        f"counts: [{{statute: '2252A(a)(5)'}}]\ncriminal_history: {{category: I}}\nmitigation:\n  - {item}\n"
    )
    out = plealever("assess", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    line = out.stderr.strip()
    assert "\n" not in line and line.startswith(f"error: {path}: "), line
    assert needle in line, line
