"""Consistency of the mitigation scale (issue 15, point 6).

- One scale: every factor, the three the seed names (mental health, coercion or duress, entrapment)
  and the others (knowledge, cooperation, personal history), tops out at 100 with the same band
  thresholds, and the strongest evidence the case file can state reaches 100 and `strong` on each.
- Monotonicity: a stronger, better-corroborated version of any item never lowers any factor's score,
  band, element provability or complete defense, whatever else the file holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plealever import parse_case
from plealever.law.rulebook import rulebook
from plealever.mitigation import assess

TODAY = dt.date(2026, 11, 29)
BANDS = ["absent", "weak", "moderate", "strong"]
LEVELS = BANDS
FACTORS = ["mental_health", "coercion_duress", "entrapment", "knowledge", "cooperation", "personal_history"]
BASE = {"manual": "2025-11-01", "counts": [{"statute": "2252A(a)(2)"}], "criminal_history": {"category": "I"}}
SOURCE_LEVEL = rulebook().documents["mitigation-rubric"]["provability"]["source"]
PROFESSIONAL = ["licensed_psychologist", "psychiatrist", "forensic_specialist"]


def run(items: list[dict[str, Any]], circuit: str | None = None):
    case = {**BASE, "mitigation": items}
    if circuit:
        case["court"] = {"circuit": circuit}
    return {f.factor: f for f in assess(parse_case(case), today=TODAY).factors}


# --- one scale ----------------------------------------------------------------------------------


def test_the_bundled_law_data_has_circuit_law_for_every_circuit() -> None:
    law = rulebook().circuit_law
    assert law is not None and len(law.circuits) == 12
    for key, c in law.circuits.items():
        for topic in ("duress", "entrapment", "mental_condition"):
            rule = getattr(c, topic)
            assert rule.status == "unsettled" or (rule.text and rule.authorities), (key, topic)


def test_every_factor_weighs_to_100_on_the_same_bands() -> None:
    rub = rulebook().documents["mitigation-rubric"]
    assert set(rub["factors"]) == set(FACTORS)
    for name, spec in rub["factors"].items():
        if "weights" in spec:
            total = sum(spec["weights"].values())
        else:
            total = sum(
                c["max"] if c.get("per_item") else c["weight"]
                for c in spec["criteria"].values()
                if c["weight"] > 0 and "alternative_of" not in c
            )
        assert total == 100, (name, total)
    assert "bands" not in str([spec.keys() for spec in rub["factors"].values()])  # no factor has its own


BEST = {
    "mental_health": [
        {
            "kind": "psych_evaluation",
            "label": "Eval",
            "source": "licensed_psychologist",
            "status": "in_hand",
            "nexus_to_conduct": "explained",
            "recidivism_opinion": "low",
        },
        {
            "kind": "treatment_records",
            "label": "Records",
            "source": "treating_clinician",
            "status": "in_hand",
            "period": "before_arrest",
        },
        {
            "kind": "risk_assessment",
            "label": "CPORT",
            "source": "licensed_psychologist",
            "status": "in_hand",
            "instrument": "CPORT",
            "risk_band": "low",
            "validated_for_offense": True,
        },
        {
            "kind": "sex_offense_treatment",
            "label": "Group",
            "source": "treating_clinician",
            "status": "in_hand",
            "progress": "completed",
        },
        {
            "kind": "lay_account",
            "label": "Sister",
            "source": "family",
            "status": "in_hand",
            "relationship": "family",
            "condition": "depression",
            "observed": "before_arrest",
            "first_hand": True,
        },
    ],
    "coercion_duress": [
        {
            "kind": "coercion_duress",
            "label": "Threats",
            "source": "defendant",
            "status": "in_hand",
            "threat": "death_or_serious_injury",
            "made_by": "X",
            "immediate": True,
            "reasonable_escape": False,
            "maker_capable": True,
            "placed_self_in_danger": False,
            "threat_compelled_the_conduct": True,
            "independent_corroboration": ["messages", "police report"],
        },
    ],
    "entrapment": [
        {
            "kind": "entrapment",
            "label": "Chats",
            "source": "government_discovery",
            "status": "in_hand",
            "initiated_by": "government",
            "government_approaches": 6,
            "inducements": ["sympathy", "persistence"],
            "defendant_reluctance": True,
            "prior_interest_or_collection": False,
            "devices_clean": True,
        },
    ],
    "knowledge": [
        {
            "kind": "knowledge_forensic",
            "label": "Exam",
            "source": "forensic_examiner",
            "status": "in_hand",
            "issues": ["shared_device", "automatic_file_sharing"],
            "inculpatory": [],
            "defense_examiner": True,
        },
    ],
    "cooperation": [
        {
            "kind": "cooperation",
            "label": "Info",
            "source": "defendant",
            "status": "in_hand",
            "value": "high",
            "early": True,
        },
    ],
    "personal_history": [
        *[
            {
                "kind": "support_letter",
                "label": f"Letter {n}",
                "source": "family",
                "status": "in_hand",
                "relationship": "family",
                "knows_of_offense": True,
            }
            for n in range(3)
        ],
        *[
            {
                "kind": k,
                "label": k,
                "source": "records_custodian",
                "status": "in_hand",
                "corroborated_by_records": True,
            }
            for k in ("employment", "education", "military_service", "family_responsibilities")
        ],
        {
            "kind": "post_offense_rehabilitation",
            "label": "Rehab",
            "source": "records_custodian",
            "status": "in_hand",
            "corroborated_by_records": True,
        },
    ],
}


def test_the_strongest_evidence_reaches_100_and_strong_on_every_factor() -> None:
    for name, items in BEST.items():
        for circuit in (None, "5", "9"):  # the general, five-element and three-element duress statements
            f = run(items, circuit)[name]
            assert (f.score, f.band) == (100, "strong"), (name, circuit, f.score, [r.text for r in f.reasons])


# --- monotonicity ---------------------------------------------------------------------------------


def higher_sources(source: str) -> list[str]:
    return [s for s, lvl in SOURCE_LEVEL.items() if LEVELS.index(lvl) > LEVELS.index(SOURCE_LEVEL[source])]


label_n = st.integers(0, 5)
corroboration = st.lists(st.sampled_from(["messages", "witness", "police report"]), max_size=2, unique=True)
lay_sources = ["defendant", "family", "friend", "employer", "clergy", "community", "other"]

items = st.one_of(
    st.fixed_dictionaries(
        {
            "kind": st.just("psych_evaluation"),
            "label": label_n.map(lambda n: f"Eval {n}"),
            "source": st.sampled_from(PROFESSIONAL + ["treating_clinician", "other"]),
            "status": st.just("in_hand"),
            "nexus_to_conduct": st.sampled_from(["none", "asserted", "explained"]),
            "recidivism_opinion": st.sampled_from(["low", "moderate", "high", "none"]),
            "insanity_opinion": st.booleans(),
            "severe_disease_at_offense": st.booleans(),
            "admissions": st.lists(
                st.sampled_from(["sexual_interest_in_minors", "the_charged_conduct"]), max_size=2, unique=True
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("treatment_records"),
            "label": label_n.map(lambda n: f"Records {n}"),
            "source": st.just("treating_clinician"),
            "status": st.just("in_hand"),
            "period": st.sampled_from(["before_arrest", "after_arrest"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("risk_assessment"),
            "label": label_n.map(lambda n: f"Risk {n}"),
            "source": st.just("licensed_psychologist"),
            "status": st.just("in_hand"),
            "instrument": st.just("CPORT"),
            "risk_band": st.sampled_from(["low", "moderate", "high"]),
            "validated_for_offense": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("sex_offense_treatment"),
            "label": label_n.map(lambda n: f"Tx {n}"),
            "source": st.just("treating_clinician"),
            "status": st.just("in_hand"),
            "progress": st.sampled_from(["enrolled", "engaged", "completed"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("lay_account"),
            "label": label_n.map(lambda n: f"Lay {n}"),
            "source": st.sampled_from(lay_sources),
            "status": st.just("in_hand"),
            "relationship": st.just("family"),
            "condition": st.just("depression"),
            "observed": st.sampled_from(["before_arrest", "after_arrest"]),
            "first_hand": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("support_letter"),
            "label": label_n.map(lambda n: f"Letter {n}"),
            "source": st.just("family"),
            "status": st.just("in_hand"),
            "relationship": st.just("family"),
            "knows_of_offense": st.booleans(),
            "describes_condition": st.sampled_from([None, "anxiety"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(
                ["employment", "education", "trauma_history", "post_offense_rehabilitation"]
            ),
            "label": label_n.map(lambda n: f"History {n}"),
            "source": st.just("records_custodian"),
            "status": st.just("in_hand"),
            "corroborated_by_records": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("coercion_duress"),
            "label": label_n.map(lambda n: f"Duress {n}"),
            "source": st.sampled_from(["defendant", "family", "government_discovery"]),
            "status": st.just("in_hand"),
            "threat": st.sampled_from(["death_or_serious_injury", "sexual_violence", "exposure", "other"]),
            "made_by": st.sampled_from(["partner", "co-defendant"]),
            "immediate": st.booleans(),
            "reasonable_escape": st.booleans(),
            "independent_corroboration": corroboration,
            "reported_at_the_time": st.booleans(),
            "maker_capable": st.sampled_from([None, True, False]),
            "placed_self_in_danger": st.sampled_from([None, True, False]),
            "threat_compelled_the_conduct": st.sampled_from([None, True, False]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("coercive_control"),
            "label": label_n.map(lambda n: f"Control {n}"),
            "source": st.sampled_from(["defendant", "family"]),
            "status": st.just("in_hand"),
            "controller": st.sampled_from(["partner", "co-defendant", "uncle"]),
            "over": st.lists(
                st.sampled_from(["devices", "money", "movement", "employment"]), min_size=1, unique=True
            ),
            "violence": st.booleans(),
            "independent_corroboration": corroboration,
            "reported_at_the_time": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("entrapment"),
            "label": label_n.map(lambda n: f"Sting {n}"),
            "source": st.sampled_from(["defendant", "government_discovery"]),
            "status": st.just("in_hand"),
            "initiated_by": st.sampled_from(["government", "defendant", "unknown"]),
            "government_approaches": st.integers(0, 8),
            "inducements": st.lists(
                st.sampled_from(["sympathy", "persistence", "promised_benefit"]), unique=True
            ),
            "defendant_reluctance": st.booleans(),
            "prior_interest_or_collection": st.booleans(),
            "prior_related_conviction": st.booleans(),
            "ready_response": st.booleans(),
            "devices_clean": st.sampled_from([None, True, False]),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("knowledge_forensic"),
            "label": label_n.map(lambda n: f"Forensic {n}"),
            "source": st.sampled_from(["forensic_examiner", "government_discovery", "defendant"]),
            "status": st.just("in_hand"),
            "issues": st.lists(
                st.sampled_from(["shared_device", "automatic_file_sharing", "cache_or_unallocated_only"]),
                min_size=1,
                unique=True,
            ),
            "inculpatory": st.sampled_from(
                [None, [], ["repeated_access"], ["user_created_folders", "search_terms"]]
            ),
            "defense_examiner": st.booleans(),
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("cooperation"),
            "label": label_n.map(lambda n: f"Coop {n}"),
            "source": st.just("defendant"),
            "status": st.just("in_hand"),
            "value": st.sampled_from(["low", "moderate", "high"]),
            "early": st.booleans(),
            "safety_risk": st.booleans(),
        }
    ),
)


def _up(value, order: list):
    """The next value up an ordering (weakest first), or the same at the top."""
    i = order.index(value)
    return order[min(i + 1, len(order) - 1)]


def strengthen(item: dict[str, Any], choice: int) -> dict[str, Any]:
    """A stronger, better-corroborated version of `item`: one move the law says can only help.

    Moves that are not strengthening in law are left out on purpose: the government first proposing
    the crime while offering only an opportunity defeats inducement rather than helping it, so
    `initiated_by: government` is a move only where an inducement or persistence is recorded; a
    treatment record's period changes which criterion it meets, not how strongly."""
    new = dict(item)
    kind = item["kind"]
    moves = []
    if "independent_corroboration" in item:
        moves.append(
            lambda d: d.__setitem__(
                "independent_corroboration",
                list(dict.fromkeys(d["independent_corroboration"] + ["bank records"])),
            )
        )
        moves.append(lambda d: d.__setitem__("reported_at_the_time", True))
    if item.get("admissions"):
        moves.append(lambda d: d.__setitem__("admissions", d["admissions"][1:]))
    if kind != "psych_evaluation" and higher_sources(item["source"]):
        moves.append(lambda d: d.__setitem__("source", higher_sources(d["source"])[0]))
    if kind == "psych_evaluation":
        if item["source"] not in PROFESSIONAL:
            moves.append(lambda d: d.__setitem__("source", "licensed_psychologist"))
        moves += [
            lambda d: d.__setitem__(
                "nexus_to_conduct", _up(d["nexus_to_conduct"], ["none", "asserted", "explained"])
            ),
            lambda d: d.__setitem__("recidivism_opinion", "low"),
            lambda d: d.__setitem__("insanity_opinion", True),
            lambda d: d.__setitem__("severe_disease_at_offense", True),
        ]
    elif kind == "risk_assessment":
        moves += [
            lambda d: d.__setitem__("risk_band", _up(d["risk_band"], ["high", "moderate", "low"])),
            lambda d: d.__setitem__("validated_for_offense", True),
        ]
    elif kind == "sex_offense_treatment":
        moves.append(
            lambda d: d.__setitem__("progress", _up(d["progress"], ["enrolled", "engaged", "completed"]))
        )
    elif kind == "lay_account":
        moves += [
            lambda d: d.__setitem__("first_hand", True),
            lambda d: d.__setitem__("observed", "before_arrest"),
        ]
    elif kind == "support_letter":
        moves += [
            lambda d: d.__setitem__("knows_of_offense", True),
            lambda d: d.__setitem__("describes_condition", d["describes_condition"] or "anxiety"),
        ]
    elif kind in ("employment", "education", "trauma_history", "post_offense_rehabilitation"):
        moves.append(lambda d: d.__setitem__("corroborated_by_records", True))
    elif kind == "coercion_duress":
        moves += [
            lambda d: d.__setitem__("threat", "death_or_serious_injury"),
            lambda d: d.__setitem__("immediate", True),
            lambda d: d.__setitem__("reasonable_escape", False),
            lambda d: d.__setitem__("maker_capable", _up(d["maker_capable"], [False, None, True])),
            lambda d: d.__setitem__(
                "placed_self_in_danger", _up(d["placed_self_in_danger"], [True, None, False])
            ),
            lambda d: d.__setitem__(
                "threat_compelled_the_conduct", _up(d["threat_compelled_the_conduct"], [False, None, True])
            ),
        ]
    elif kind == "coercive_control":
        moves += [
            lambda d: d.__setitem__("violence", True),
            lambda d: d.__setitem__("over", list(dict.fromkeys(d["over"] + ["housing"]))),
        ]
    elif kind == "entrapment":
        moves += [
            lambda d: d.__setitem__(
                "inducements", list(dict.fromkeys(d["inducements"] + ["friendship_or_romance"]))
            ),
            lambda d: d.__setitem__("government_approaches", d["government_approaches"] + 3),
            lambda d: d.__setitem__("defendant_reluctance", True),
            lambda d: d.__setitem__("prior_interest_or_collection", False),
            lambda d: d.__setitem__("prior_related_conviction", False),
            lambda d: d.__setitem__("ready_response", False),
            lambda d: d.__setitem__("devices_clean", _up(d["devices_clean"], [False, None, True])),
        ]
        if item["inducements"] or item["government_approaches"] >= 3:
            moves.append(lambda d: d.__setitem__("initiated_by", "government"))
    elif kind == "knowledge_forensic":
        moves += [
            lambda d: d.__setitem__("issues", list(dict.fromkeys(d["issues"] + ["timestamps_inconsistent"]))),
            lambda d: d.__setitem__("defense_examiner", True),
            lambda d: d.__setitem__("inculpatory", (d["inculpatory"] or [])[1:] if d["inculpatory"] else []),
        ]
    elif kind == "cooperation":
        moves += [
            lambda d: d.__setitem__("value", _up(d["value"], ["low", "moderate", "high"])),
            lambda d: d.__setitem__("early", True),
            lambda d: d.__setitem__("safety_risk", False),
        ]
    moves[choice % len(moves)](new)
    return new


@settings(max_examples=300, deadline=None)
@given(items, st.lists(items, max_size=3), st.integers(0, 50), st.sampled_from([None, "5", "9", "2"]))
def test_a_stronger_version_of_an_item_never_scores_lower(item, others, choice, circuit):
    item = {**item, "label": "The item"}
    others = [o for o in others if o["label"] != "The item"]
    labels = [o["label"] for o in others]
    others = [o for i, o in enumerate(others) if o["label"] not in labels[:i]]  # labels are unique in a file
    before = run(others + [item], circuit)
    stronger = strengthen(item, choice)
    after = run(others + [stronger], circuit)
    for name in FACTORS:
        b, a = before[name], after[name]
        assert a.score >= b.score, (name, item, stronger, b.score, a.score)
        assert BANDS.index(a.band) >= BANDS.index(b.band), (name, item, stronger, b.band, a.band)
        assert a.complete_defense >= b.complete_defense, (name, item, stronger)
        if len(a.elements) == len(b.elements) and name != "coercion_duress":  # duress may switch episode
            for eb, ea in zip(b.elements, a.elements, strict=True):
                assert LEVELS.index(ea.provability) >= LEVELS.index(eb.provability), (name, eb, ea)


@settings(max_examples=150, deadline=None)
@given(st.lists(items, max_size=5), st.sampled_from([None, "3", "9", "11"]))
def test_every_score_is_on_the_0_to_100_scale_and_no_band_outruns_its_score(case_items, circuit):
    labels = [o["label"] for o in case_items]
    case_items = [o for i, o in enumerate(case_items) if o["label"] not in labels[:i]]
    bands = rulebook().documents["mitigation-rubric"]["bands"]
    for f in run(case_items, circuit).values():
        assert 0 <= f.score <= 100
        ceiling = (
            "strong" if f.score >= bands["strong"] else "moderate" if f.score >= bands["moderate"] else "weak"
        )
        if f.band != "absent":
            assert BANDS.index(f.band) <= BANDS.index(ceiling), (f.factor, f.score, f.band)
        if f.complete_defense:
            assert all(e.met is True for e in f.elements)
