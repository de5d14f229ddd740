"""The analysis spine: one Analysis computed once, read by every face; one-way layers; the public API."""

from __future__ import annotations

import ast
import datetime as dt
import sys
from pathlib import Path

import pytest

import plealever
from plealever import analyse, load_case, parse_case, render_memo
from plealever.errors import PlealeverError, RenderError

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "plealever"
TODAY = dt.date(2026, 11, 29)

# The layers, lowest first (docs/decisions/0006-analysis-spine.md). A module may import its own layer
# and the layers below it, never one above. `store` sits beside the analysis (it reads and writes case
# files); `cli` and `web` are the faces.
LAYERS = [
    {"errors", "files"},
    {"law"},
    {"case"},
    {"guidelines"},
    {"mitigation"},
    {"data"},
    {"negotiation"},
    {"analysis"},
    {"report", "store"},
    {"cli", "web"},
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


def _layer(module: str) -> str:
    part = module.split(".")[1] if module.count(".") else "__init__"
    return part.removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("plealever."):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("plealever.")}
    return out


def test_no_module_imports_a_layer_above_it():
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        module = ".".join(rel.parts)
        own = _layer(module)
        if own == "__init__":  # the package's lazy public API names every layer by design
            continue
        assert own in RANK, f"{module}: add its layer to LAYERS"
        for imported in _imports(path):
            theirs = _layer(imported)
            if RANK[theirs] > RANK[own]:
                offences.append(f"{module} imports {imported}")
    assert not offences, "\n".join(offences)


def test_the_layer_test_can_fail(tmp_path):
    """The checker itself finds an upward import (a test that could not fail would prove nothing)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from plealever.negotiation.compare import compare\n")
    assert RANK[_layer("plealever.mitigation.x")] < RANK[_layer(next(iter(_imports(bad))))]


def test_public_api_is_pinned():
    assert plealever.__all__ == [
        "Analysis",
        "Calculation",
        "Case",
        "PlealeverError",
        "Result",
        "Step",
        "analyse",
        "assess",
        "calculate",
        "load_case",
        "parse_case",
        "render_memo",
    ]
    for name in plealever.__all__:
        assert getattr(plealever, name) is not None


def test_every_error_descends_from_one_base():
    """Every exception class the package defines is a PlealeverError with a face mapping."""
    import plealever.errors as errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, Exception)]
    assert len(classes) >= 10
    for cls in classes:
        assert issubclass(cls, PlealeverError), cls
        assert isinstance(cls.exit_code, int) and 100 <= cls.http_status < 600
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and node.name != "PlealeverError"
                and any(
                    isinstance(b, ast.Name) and b.id in ("Exception", "ValueError", "RuntimeError")
                    for b in node.bases
                )
            ):
                pytest.fail(f"{path.name}: {node.name} does not join the error tree")


@pytest.fixture(scope="module")
def receipt():
    return analyse(load_case(ROOT / "examples" / "receipt-plea.yaml"), today=TODAY, draws=500)


def test_the_analysis_holds_every_part(receipt):
    assert receipt.result is not None and receipt.error is None
    assert receipt.assessment is not None and receipt.comparison is not None
    ids = [r["id"] for r in receipt.scenarios]
    assert ids[0] == "plea-as-charged" and "trial-all" in ids
    for scenario_id in ids:  # every scenario carries its own calculation
        sc = receipt.scenario(scenario_id)
        assert sc is not None and (sc.result is not None or sc.error)
    assert set(receipt.comparison.draws) <= set(ids)


def test_at_most_one_calculation_per_manual_per_scenario_and_variant(receipt):
    """Each distinct overlay and each stipulation variant once per Manual compared. The example pleads as
    charged already (three-level acceptance), so the charges' calculation is the plea as charged, and
    that one result also sets the (C) cap, the image stipulation and the sensitivity base; scenarios
    that change only the agreement's terms (a (C) cap, a variance recommendation) share it too, as does
    the image stipulation's unstipulated counterpart."""
    manuals = receipt.result.calculations  # 2: the 2024 Manual on the offense date and the one at sentencing
    scenarios = [receipt.scenario(r["id"]) for r in receipt.scenarios if "outcome" in r]
    distinct = {id(sc.result) for sc in scenarios}
    variants = len([s for s in receipt.comparison.sensitivity if s["kind"] == "stipulation"])
    assert manuals == 2 and len(scenarios) == 6 and len(distinct) == 4 and variants == 3
    # as charged (= the (C) cap = the variance recommendation = the unstipulated image plea), possession,
    # the image stipulation, trial: 4 results
    assert receipt.scenario("plea-stipulate-image-tier").unstipulated is receipt.result
    assert receipt.calculations == manuals * (len(distinct) + variants)
    assert receipt.scenario("plea-as-charged").result is receipt.result


def test_a_case_not_pleading_as_charged_calculates_the_plea_separately():
    case = load_case(ROOT / "examples" / "receipt-plea.yaml").model_copy(update={"acceptance": "none"})
    a = analyse(case, today=TODAY, draws=200)
    assert a.scenario("plea-as-charged").result is not a.result
    assert a.scenario("plea-as-charged").result.calculation.total_offense_level == (
        a.result.calculation.total_offense_level - 3
    )


def test_rendering_a_memo_computes_nothing(receipt, monkeypatch):
    """Any calculation, assessment, simulation or records query inside render_memo fails the test."""
    import plealever.data.store  # noqa: F401 - loaded, so it can be patched
    import plealever.negotiation.similar  # noqa: F401

    def forbidden(*args, **kwargs):
        raise AssertionError("render_memo computed something")

    for module, name in (
        ("plealever.guidelines.engine", "_calculate"),
        ("plealever.mitigation.assess", "assess"),
        ("plealever.negotiation.compare", "compare"),
        ("plealever.negotiation.outcomes", "sentence_draws"),
        ("plealever.negotiation.similar", "build"),  # the similar-offender panel: records and the model
        ("plealever.data.store", "load"),
    ):
        monkeypatch.setattr(sys.modules[module], name, forbidden)
    for fmt in ("md", "html", "docx"):
        assert render_memo(receipt, fmt)


def test_a_partial_analysis_refuses_to_render():
    case = load_case(ROOT / "examples" / "receipt-plea.yaml")
    partial = analyse(case, today=TODAY, upto="assessment")
    assert partial.comparison is None and partial.assessment is not None
    with pytest.raises(RenderError, match="upto='scenarios'"):
        render_memo(partial, "md")


def test_the_same_version_gives_the_same_memo(receipt):
    case = load_case(ROOT / "examples" / "receipt-plea.yaml")
    again = analyse(case, today=TODAY, draws=500)
    assert render_memo(again, "md") == render_memo(receipt, "md")
    other_seed = analyse(case, today=TODAY, draws=500, seed=7)
    assert render_memo(other_seed, "md") != render_memo(receipt, "md")


def test_an_incomputable_charge_keeps_the_assessment():
    case = parse_case(
        {
            "manual": "2025-11-01",
            "counts": [{"statute": "2422(b)"}],
            "findings": ["2G1.3(c)(3)"],
            "criminal_history": {"category": "I"},
        }
    )
    a = analyse(case, today=TODAY, draws=200)
    assert a.result is None and isinstance(a.error, PlealeverError)
    assert a.assessment is not None and a.comparison is None
    assert any("could not be computed" in w for w in a.warnings)
    with pytest.raises(PlealeverError):
        analyse(case, today=TODAY, upto="exposure")


def test_no_assert_checks_data_and_no_broad_except_hides_a_bug():
    """Asserts vanish under python -O, so none may guard data; a broad handler must re-raise or log."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                found.append(f"{path.name}:{node.lineno}: assert")
            if isinstance(node, ast.ExceptHandler):
                broad = node.type is None or (
                    isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException")
                )
                body = ast.dump(ast.Module(body=node.body, type_ignores=[]))
                if broad and "Raise(" not in body and "attr='exception'" not in body:
                    found.append(f"{path.name}:{node.lineno}: broad except that neither re-raises nor logs")
    assert not found, "\n".join(found)
