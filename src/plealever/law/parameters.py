"""The outcome model's parameters: the law-data file's values (law/data/outcome-model.yaml), overridden
by a case file's `outcome_parameters` where given. Kept in the law layer so the case loader can check
an override without importing the negotiation engine."""

from __future__ import annotations

import math
from typing import Any

from plealever.errors import CaseFileError, choices
from plealever.law.rulebook import LIFE, Rulebook

LIFE_MONTHS = 470  # the Sentencing Commission's convention for a life sentence in its data


def _same_shape(default: Any, value: Any, field: str, bounds: tuple[float, float] | None = None) -> Any:
    """An override must look like the default: a finite number within the parameter's bounds (-1 to
    1.5 unless the model states others), a number for numbers, and the same keys for tables."""
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise CaseFileError(f"expected a mapping with keys {', '.join(default)}", field=field)
        unknown = set(value) - set(default)
        if unknown:
            raise CaseFileError(f"unknown keys {', '.join(sorted(map(str, unknown)))}", field=field)
        return {**default, **{k: _same_shape(default[k], v, f"{field}.{k}", bounds) for k, v in value.items()}}
    if isinstance(default, bool) or not isinstance(default, int | float):
        if value != default:
            raise CaseFileError(f"this parameter cannot be overridden (it is {default!r})", field=field)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CaseFileError(f"expected a number, got {value!r}", field=field)
    if field.endswith(".draws") or field == "outcome_parameters.draws":
        if not 100 <= value <= 200_000:
            raise CaseFileError("expected between 100 and 200000 draws", field=field)
        return int(value)
    lo, hi = bounds or (-1.0, 1.5)
    if not lo <= value <= hi:
        raise CaseFileError(f"expected a number between {lo:g} and {hi:g}, got {value}", field=field)
    return value


def months(value: int | str) -> float:
    return float(LIFE_MONTHS) if value == LIFE else float(value)


class Params:
    """The model's parameters: the data file's values, overridden by the case file's where given."""

    def __init__(self, book: Rulebook, overrides: dict[str, Any] | None = None):
        doc = book.documents["outcome-model"]
        self.fitted = doc["fitted"]
        self.spec = doc["parameters"]
        self.values = {k: v["value"] for k, v in self.spec.items()}
        self.overridden: list[str] = []
        for key, value in (overrides or {}).items():
            overridable = sorted(k for k, v in self.spec.items() if v["kind"] != "setting" or k == "draws")
            if key not in overridable:
                raise CaseFileError(
                    f"not an overridable outcome parameter; expected one of {choices(overridable)}",
                    field=f"outcome_parameters.{key}",
                )
            self.values[key] = _same_shape(
                self.values[key], value, f"outcome_parameters.{key}", self.spec[key].get("bounds")
            )
            self.overridden.append(key)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for key, spec in self.spec.items():
            out.append(
                {
                    "parameter": key,
                    "value": self.values[key],
                    "kind": spec["kind"],
                    "overridden": key in self.overridden,
                    "note": spec.get("note"),
                    "authorities": spec.get("authorities", []),
                }
            )
        return out


def with_values(params: Params, values: dict[str, Any]) -> Params:
    """A copy of `params` with `values` set (and counted as overridden, so nothing is drawn for them):
    how the robustness check and the value-of-investigation estimate vary one assumption."""
    clone = Params.__new__(Params)
    clone.fitted, clone.spec = params.fitted, params.spec
    clone.values = {**params.values, **values}
    clone.overridden = list(dict.fromkeys(params.overridden + list(values)))
    return clone
