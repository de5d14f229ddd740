"""Broken law data fails at load, naming the file and the key: a table of defects and the message each
must produce. Each row edits one bundled file and loads the whole rulebook from the edited set."""

from __future__ import annotations

import typing

import pytest

from plealever.case.model import Facts
from plealever.errors import LawDataError
from plealever.law.rulebook import Rulebook, _bundled_files, rulebook

# (file, text to find, replacement, fragments the one-line message must contain)
BROKEN = [
    # a key given twice: YAML would keep the second silently
    (
        "2G2.2.yaml",
        "        when: {prepubescent: true}\n",
        "        when: {prepubescent: true}\n        when: {prepubescent: false}\n",
        ["law/data/2G2.2.yaml", "'when' is given twice", "lines"],
    ),
    # a version dated on a day that is no Manual edition
    (
        "3C1.1.yaml",
        "effective: 2004-11-01",
        "effective: 2004-12-01",
        ["law/data/3C1.1.yaml", "3C1.1", "2004-12-01", "not the effective date of a Manual edition"],
    ),
    # a condition on a fact the case model lacks
    (
        "2G2.2.yaml",
        "when: {computer: true}",
        "when: {computers: true}",
        ["law/data/2G2.2.yaml", "2G2.2(b)(6).when", "'computers'", "not a fact"],
    ),
    # a value the fact cannot take
    (
        "2G2.2.yaml",
        "when: {distribution: knowing}",
        "when: {distribution: knowingly}",
        ["law/data/2G2.2.yaml", "'knowingly'", "expected one of", "pecuniary"],
    ),
    # typo'd keys in each structured document
    (
        "negotiation-policy.yaml",
        "    charge_bargains: approval_required\n    note: most serious readily provable offense; charge",
        "    charge_bargain: approval_required\n    note: most serious readily provable offense; charge",
        ["law/data/negotiation-policy.yaml", "eras.ashcroft_2003"],
    ),
    (
        "negotiation-policy.yaml",
        "    closes: [binding_plea]",
        "    closes: [binding_pleas]",
        ["law/data/negotiation-policy.yaml", "unknown lever 'binding_pleas'"],
    ),
    (
        "mitigation-rubric.yaml",
        "bands: {strong: 70, moderate: 40}",
        "bands: {strong: 70, moderat: 40}",
        ["law/data/mitigation-rubric.yaml", "bands.moderat"],
    ),
    (
        "mitigation-rubric.yaml",
        "      - {unless: professional_evaluation, max_band: weak,",
        "      - {unless: professional_evaluations, max_band: weak,",
        ["law/data/mitigation-rubric.yaml", "factors.mental_health", "professional_evaluations"],
    ),
    (
        "consequences.yaml",
        "  per_felony_count: 100",
        "  per_felony_counts: 100",
        ["law/data/consequences.yaml", "special_assessment_3013"],
    ),
    (
        "outcome-model.yaml",
        "    kind: assumption\n    note: the government agrees to a Rule 11(c)(1)(C)",
        "    kind: asumption\n    note: the government agrees to a Rule 11(c)(1)(C)",
        ["law/data/outcome-model.yaml", "parameters.agree_binding_plea.kind"],
    ),
    (
        "outcome-model.yaml",
        "    low: 0.72\n    high: 0.89",
        "    low: 0.95\n    high: 0.89",
        ["law/data/outcome-model.yaml", "trial_below_factor", "`low` is above `high`"],
    ),
    (
        "outcome-model.yaml",
        "  binding_rejected:\n    value: 0.1\n    low: 0.03\n    high: 0.25\n",
        "  binding_rejected:\n    value: 0.1\n",
        ["law/data/outcome-model.yaml", "binding_rejected", "an assumption needs `low` and `high`"],
    ),
    (  # an assumption of any shape, not only a number, says the range it is varied over
        "outcome-model.yaml",
        "    value: 0.5\n    low: 0.35\n    high: 0.65\n",
        "    value: uniform\n",
        ["law/data/outcome-model.yaml", "within_range_position", "an assumption needs `low` and `high`"],
    ),
    (
        "outcome-model.yaml",
        "    value: 0.044\n    low: 0.038\n    high: 0.048\n    kind: measured\n    n: 4766",
        "    value: 0.06\n    low: 0.038\n    high: 0.048\n    kind: measured\n    n: 4766",
        ["law/data/outcome-model.yaml", "agree_variance_recommendation", "outside"],
    ),
    # an unknown authority
    (
        "3C1.1.yaml",
        "authorities: [",
        "authorities: [no-such-authority, ",
        ["cites unknown authority 'no-such-authority'"],
    ),
]


@pytest.mark.parametrize(
    ("name", "find", "replace", "fragments"), BROKEN, ids=[f"{r[0]}:{r[3][-1]}" for r in BROKEN]
)
def test_broken_law_data_fails_at_load(name, find, replace, fragments):
    files = _bundled_files()
    assert find in files[name], f"the row's anchor text is no longer in {name}"
    files[name] = files[name].replace(find, replace, 1)
    with pytest.raises(LawDataError) as caught:
        Rulebook(files)
    message = caught.value.one_line()
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_the_bundled_law_data_loads_cleanly():
    Rulebook(_bundled_files())


def test_the_facts_vocabulary_mirrors_the_case_model():
    """law/data/facts.yaml lists exactly the case model's testable facts, with the same values."""
    vocabulary = rulebook().documents["facts"]["facts"]
    for name, spec in vocabulary.items():
        assert name in Facts.model_fields, name
        annotation = Facts.model_fields[name].annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if args == [bool]:
            assert sorted(spec["values"]) == [False, True], name
        else:
            (literal,) = args
            assert list(typing.get_args(literal)) == spec["values"], name
    testable = {
        n
        for n, f in Facts.model_fields.items()
        if [a for a in typing.get_args(f.annotation) if a is not type(None)] in ([bool],)
        or any(typing.get_origin(a) is typing.Literal for a in typing.get_args(f.annotation))
    }
    assert testable == set(vocabulary)


def test_the_on_disk_cache_is_keyed_by_the_data(tmp_path, monkeypatch):
    """A changed data file is never answered from a stale cache."""
    import plealever.law.rulebook as rb

    monkeypatch.setenv("PLEALEVER_CACHE_DIR", str(tmp_path))
    rb.rulebook.cache_clear()
    try:
        first = rb.rulebook()
        assert len(list(tmp_path.glob("rulebook-*.pickle"))) == 1
        rb.rulebook.cache_clear()
        again = rb.rulebook()  # read back from the cache
        assert again.digest == first.digest and again is not first
        files = _bundled_files()
        files["facts.yaml"] += "\n# an edit\n"
        monkeypatch.setattr(rb, "_bundled_files", lambda: files)
        rb.rulebook.cache_clear()
        edited = rb.rulebook()
        assert edited.digest != first.digest
        assert len(list(tmp_path.glob("rulebook-*.pickle"))) == 2
    finally:
        rb.rulebook.cache_clear()
