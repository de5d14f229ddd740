"""Every worked calculation in ../shared/examples/ is reproduced exactly."""

from __future__ import annotations

import yaml

from plealever import calculate, parse_case


def test_worked_examples(shared) -> None:
    examples = yaml.safe_load((shared / "examples" / "worked-calculations.yaml").read_text(encoding="utf-8"))
    assert len(examples) >= 7
    for ex in examples:
        got = calculate(parse_case(ex["case"])).to_dict()
        exp = ex["expect"]
        applied = {s["pin"]: s["levels"] for s in got["steps"] if s["status"] == "applied"}
        for pin, levels in exp.get("steps", {}).items():
            assert applied.get(pin) == levels, (ex["name"], pin, applied)
        for key in ("total_offense_level", "guideline_range", "statutory_range", "effective_range"):
            if key in exp:
                assert got[key] == exp[key], (ex["name"], key, got[key])
        variant = ex.get("variant_with_4B1.5b")
        if variant:
            case = dict(ex["case"], findings=ex["case"].get("findings", []) + variant["findings_added"])
            got = calculate(parse_case(case)).to_dict()
            for key in ("total_offense_level", "guideline_range", "effective_range"):
                assert got[key] == variant[key], (ex["name"], "variant", key, got[key])
