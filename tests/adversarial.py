"""A seeded adversarial generator of case files, and the classifier that runs one through plealever.

Each sample is a YAML or JSON text with the data it was meant to hold and whether the contract
(docs/case-file.md: the boundary's rules and the JSON Schema of `plealever schema`) rejects it. A run
counts, per sample, one outcome:

- accepted: the loader read it, and everything after it computed or failed with the package's error;
- clean error: refused (or failed later) with a PlealeverError whose message is clean;
- traceback: any exception outside plealever.errors.PlealeverError, anywhere in the pipeline;
- hang: one file took longer than the time limit (in process, an interval timer);
- accepted-invalid: the loader accepted a file that the contract rejects: one that breaks a boundary
  rule or holds a type the model must not read (kinds marked invalid below), or whose data as
  generated fails the JSON Schema;
- unclean message: an error message with a line break, a traceback, the "(cut short)" mark that
  errors.one_line adds when a message exceeds its limit, or more than 60 characters of the input
  quoted in a row (the repr of a big value), or one that does not start with the file's name.

Used by tests/test_hardening.py (a bounded run) and benchmarks/bench_adversarial.py (a large run).
"""

from __future__ import annotations

import copy
import json
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
STATUTES = [
    "18 U.S.C. § 2252(a)(2)",
    "18 U.S.C. § 2252A(a)(2)(A)",
    "2252A(a)(5)(B)",
    "2252(a)(4)(B)",
    "18 U.S.C. § 2251(a)",
    "18 USC 2422(b)",
    "2423(b)",
    "1466A(b)",
]
HOLE = "HOLEXHOLEXHOLE"  # a placeholder value (plain in YAML, quoted in JSON) replaced by a raw fragment
QUOTE_RUN = 60
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class Sample:
    kind: str
    fmt: str  # yaml | json
    text: str
    invalid: bool  # the contract rejects it by construction
    data: Any = None  # what the text was meant to hold (None when the text is not data at all)


# --- valid bases --------------------------------------------------------------------------------


@cache
def _mitigation_items() -> list[dict[str, Any]]:
    from plealever.case.boundary import read_text

    data = read_text(
        (ROOT / "examples" / "mitigation-sting.yaml").read_text(encoding="utf-8"), fmt="yaml", source="x"
    )
    return data["mitigation"]


def _date(rng: random.Random, lo: int = 2004, hi: int = 2024) -> str:
    return f"{rng.randint(lo, hi):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def base_case(rng: random.Random) -> dict[str, Any]:
    """A case the contract accepts: known statutes, proper JSON types, an offense date in the past."""
    facts: dict[str, Any] = {}
    for name in (
        "prepubescent",
        "computer",
        "sadistic_or_violent",
        "infant_or_toddler",
        "pattern_of_activity",
    ):
        if rng.random() < 0.6:
            facts[name] = rng.random() < 0.5
    if rng.random() < 0.5:
        facts["videos"] = rng.randint(0, 50)
    else:
        facts["image_count"] = rng.choice([0, 9, 10, 150, 299, 300, 600, 5000])
    if rng.random() < 0.5:
        facts["distribution"] = rng.choice(["none", "knowing", "thing_of_value", "to_minor"])
    case: dict[str, Any] = {
        "name": rng.choice(["Client A", "United States v. Doe", "Case", "Müller", "O'Brien"]),
        "offense_date": _date(rng),
        "counts": [
            {"statute": rng.choice(STATUTES), "count": rng.randint(1, 3)} for _ in range(rng.randint(1, 2))
        ],
        "facts": facts,
        "acceptance": rng.choice(["none", "two_level", "three_level"]),
    }
    history = rng.random()
    if history < 0.4:
        case["criminal_history"] = {"category": rng.choice(["I", "II", "III", "IV", "V", "VI"])}
    elif history < 0.6:
        case["criminal_history"] = {"points": rng.randint(0, 15)}
    else:
        case["criminal_history"] = {
            "records": [
                {
                    "label": f"Prior {i}",
                    "sentence_date": _date(rng, 1990, 2020),
                    "imprisonment_months": rng.choice([0, 1, 6, 13, 24, 60]),
                    **({"release_date": _date(rng, 1995, 2022)} if rng.random() < 0.5 else {}),
                    **({"offense_date": _date(rng, 1985, 2019)} if rng.random() < 0.5 else {}),
                }
                for i in range(rng.randint(1, 3))
            ]
        }
    if rng.random() < 0.3:
        case["sentencing_date"] = _date(rng, 2025, 2027)
    if rng.random() < 0.3:
        case["mitigation"] = copy.deepcopy(rng.sample(_mitigation_items(), rng.randint(1, 3)))
    if rng.random() < 0.2:
        case["scenarios"] = [
            {"id": "mine", "label": "My offer", "counts": [{"statute": rng.choice(STATUTES)}]}
        ]
    return case


# --- where to mutate ----------------------------------------------------------------------------


def _leaves(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    out: list[tuple[tuple, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _leaves(value, (*path, i))
    else:
        out.append((path, data))
    return out


def _set(data: Any, path: tuple, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _leaf(rng: random.Random, data: Any, want: tuple[type, ...]) -> tuple | None:
    """A random leaf of one of the `want` types (a bool is not an int here)."""
    paths = [p for p, v in _leaves(data) if type(v) in want]
    return rng.choice(paths) if paths else None


def _yaml_dump(data: Any, **_ignored) -> str:
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def _dump(data: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def _with_hole(
    data: Any, fmt: str, fragment_yaml: str, fragment_json: str, rng: random.Random
) -> tuple[str, Any]:
    """Serialise `data` with one leaf replaced by a raw fragment (what no serialiser would write)."""
    path = _leaf(rng, data, (int, float, str, bool)) or ("name",)
    holed = copy.deepcopy(data)
    _set(holed, path, HOLE)
    text = _dump(holed, fmt)
    hole = f'"{HOLE}"' if fmt == "json" else HOLE
    return text.replace(hole, fragment_json if fmt == "json" else fragment_yaml, 1), holed


# --- the kinds ----------------------------------------------------------------------------------

WRONG_VALUES = {
    int: [[1], {"a": 1}, "twelve", 1.5, "", True],
    float: [[1.0], {"a": 1}, "lots", True],
    str: [[1, 2], {"a": "b"}, 12, 1.5, True],
    bool: [[True], {"a": 1}, "maybe", 2, 0.5],
}


def _kind_wrong_type(rng, data, fmt):
    kind = rng.choice([int, str, bool])
    path = _leaf(rng, data, (kind,))
    if path is None:
        return None
    bad = copy.deepcopy(data)
    _set(bad, path, rng.choice(WRONG_VALUES[kind]))
    # Judged by the schema: a leaf may sit in a wider field (an int where a float is allowed).
    return Sample("wrong_type", fmt, _dump(bad, fmt), False, bad)


def _kind_date(rng, data, fmt):
    bad = copy.deepcopy(data)
    value = rng.choice(
        ["2020-13-45", "2021-02-30", "0000-01-01", "10000-01-01", "yesterday", 0, 20200101, "2020/01/01"]
    )
    bad[rng.choice(["offense_date", "sentencing_date", "manual"])] = value
    return Sample("bad_date", fmt, _dump(bad, fmt), True, bad)


def _kind_extreme_date(rng, data, fmt):
    good = copy.deepcopy(data)
    day = rng.choice(["0001-01-01", "0001-12-31", "9999-12-31", "1900-02-28", "2000-02-29"])
    target = rng.random()
    if target < 0.4 and "records" in good.get("criminal_history", {}):
        record = rng.choice(good["criminal_history"]["records"])
        record[rng.choice(["offense_date", "sentence_date", "release_date"])] = day
    elif target < 0.6:
        good.setdefault("criminal_history", {})["instant_offense_commenced"] = day
    elif target < 0.8:
        good["sentencing_date"] = day
    else:
        good["deadlines"] = {"plea_offer_expires": day, "trial": day}
    return Sample("extreme_date", fmt, _dump(good, fmt), False, good)


def _kind_huge_number(rng, data, fmt):
    digits = rng.choice([16, 20, 40, 400, 4301, 5000, 20000])
    number = "9" * digits
    text, holed = _with_hole(data, fmt, number, number, rng)
    return Sample("huge_number", fmt, text, True, None)


def _kind_big_float(rng, data, fmt):
    value = rng.choice(["1e300", "1e400", "-1e309", "1.7976931348623157e308", "1e16"])
    text, _ = _with_hole(data, fmt, value, value, rng)
    return Sample("big_float", fmt, text, True, None)


def _kind_non_finite(rng, data, fmt):
    text, _ = _with_hole(
        data,
        fmt,
        rng.choice([".nan", ".inf", "-.inf", ".NaN"]),
        rng.choice(["NaN", "Infinity", "-Infinity"]),
        rng,
    )
    return Sample("non_finite", fmt, text, True, None)


def _kind_deep(rng, data, fmt):
    depth = rng.choice([25, 60, 500, 1200, 5000, 20000])
    if rng.random() < 0.5:
        fragment = "[" * depth + "]" * depth
    else:
        fragment = '{"a": ' * depth + "1" + "}" * depth
    text, _ = _with_hole(data, fmt, fragment, fragment, rng)
    return Sample("deep_nesting", fmt, text, True, None)


def _kind_alias_bomb(rng, data, fmt):
    levels = rng.choice([3, 6, 9, 12])
    width = rng.choice([5, 9, 12])
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    body = _yaml_dump(data, sort_keys=False, allow_unicode=True)
    # Anchors in an unknown top-level key, then the document's own fields.
    text = "x_bomb:\n" + "\n".join("  " + line for line in lines) + "\n" + body
    return Sample("alias_bomb", "yaml", text, True, None)


def _kind_aliases_in_budget(rng, data, fmt):
    good = copy.deepcopy(data)
    good["counts"] = [{"statute": "18 U.S.C. § 2252(a)(2)"}]
    good["scenarios"] = [{"id": "s1", "label": "one", "counts": [{"statute": "18 U.S.C. § 2252(a)(2)"}]}]
    body = _yaml_dump(
        {k: v for k, v in good.items() if k not in ("counts", "scenarios")},
        sort_keys=False,
        allow_unicode=True,
    )
    text = (
        body
        + 'counts: &c\n  - statute: "18 U.S.C. § 2252(a)(2)"\nscenarios:\n  - id: s1\n    label: one\n    counts: *c\n'
    )
    return Sample("aliases_in_budget", "yaml", text, False, good)


def _kind_duplicate_key(rng, data, fmt):
    text = _dump(data, fmt)
    if fmt == "json":
        key = rng.choice([k for k in data if k != "facts"])
        dup = f'"{key}": {json.dumps(data[key])}, '
        text = (
            text.replace("{", "{" + dup, 1)
            if rng.random() < 0.5
            else text.replace('"facts": {', '"facts": {"computer": true, "computer": false, ', 1)
        )
    else:
        if rng.random() < 0.5:
            key = rng.choice(list(data))
            text += _yaml_dump({key: data[key]}, sort_keys=False, allow_unicode=True)
        else:
            text = text.replace("facts:\n", "facts:\n  computer: true\n  computer: false\n", 1)
            if "facts:\n" not in _dump(data, fmt):
                text += "acceptance: none\nacceptance: two_level\n"
    return Sample("duplicate_key", fmt, text, True, None)


def _kind_long_string(rng, data, fmt):
    bad = copy.deepcopy(data)
    bad[rng.choice(["name", "x_note"])] = rng.choice(["x", "é", "👍"]) * rng.choice([20_001, 50_000])
    return Sample("long_string", fmt, _dump(bad, fmt), True, bad)


def _kind_long_label(rng, data, fmt):
    good = copy.deepcopy(data)
    label = "L" * rng.choice([500, 5000, 19_999])
    if good.get("mitigation"):
        good["mitigation"][0]["label"] = label
    else:
        good["counts"][0]["statute"] = "2252(a)(2)" + " " * 3 + label  # an unknown statute, said briefly
    return Sample("long_label", fmt, _dump(good, fmt), False, good)


def _kind_surrogate(rng, data, fmt):
    if fmt == "json":
        text, _ = _with_hole(data, fmt, "", rng.choice(['"\\ud800"', '"a\\udfffb"', '"\\ud83d"']), rng)
    else:
        text, _ = _with_hole(data, fmt, rng.choice(['"\\ud800"', '"\\udc00x"']), "", rng)
    return Sample("lone_surrogate", fmt, text, True, None)


def _kind_nul(rng, data, fmt):
    text, _ = _with_hole(data, fmt, '"a\\0b"', '"a\\u0000b"', rng)
    return Sample("nul", fmt, text, True, None)


def _kind_odd_unicode(rng, data, fmt):
    good = copy.deepcopy(data)
    good["name"] = rng.choice(
        [
            "\u202eevil\u202c",
            "A\u0301\u0302\u0303",
            "\u200b\u200d",
            "İstanbul ﬁ",
            "日本語の事件",
            "\U0001f9d1\u200d\u2696\ufe0f",
            "\t tab",
        ]
    )
    return Sample("odd_unicode", fmt, _dump(good, fmt), False, good)


def _kind_yaml11_number(rng, data, fmt):
    form = rng.choice(["0150", "012", "2:30", "1:20:30", "1_000", "0x1F", "0o17", "+0150", "0b101"])
    bad = copy.deepcopy(data)
    bad["facts"]["image_count"] = HOLE
    bad["facts"].pop("videos", None)
    text = _dump(bad, "yaml").replace(HOLE, form, 1)
    return Sample("yaml11_number", "yaml", text, True, None)


def _kind_yaml_tag(rng, data, fmt):
    tag = rng.choice(
        [
            "!!python/object:os.system {}",
            "!!python/name:os.system",
            "!!binary aGVsbG8=",
            "!!timestamp 2020-01-01",
            "!custom x",
            "!!set {a: null}",
            "!!omap [a: 1]",
        ]
    )
    text, _ = _with_hole(data, "yaml", tag, "", rng)
    return Sample("yaml_tag", "yaml", text, True, None)


def _kind_unknown_field(rng, data, fmt):
    bad = copy.deepcopy(data)
    target = bad if rng.random() < 0.5 else bad["facts"]
    target[rng.choice(["colour", "image_cnt", "Name", "x" * 200])] = 1
    return Sample("unknown_field", fmt, _dump(bad, fmt), True, bad)


def _kind_out_of_range(rng, data, fmt):
    bad = copy.deepcopy(data)
    choice = rng.random()
    if choice < 0.25:
        bad["counts"][0]["count"] = rng.choice([0, -1, 501, 10**9])
    elif choice < 0.5:
        bad["facts"]["early_disposition_levels"] = rng.choice([5, -1, 100])
    elif choice < 0.75:
        bad["acceptance"] = rng.choice(["four_level", "", "THREE_LEVEL"])
    else:
        bad["counts"] = []
    return Sample("out_of_range", fmt, _dump(bad, fmt), True, bad)


def _kind_number_types(rng, data, fmt):
    bad = copy.deepcopy(data)
    choice = rng.random()
    if choice < 0.5:
        bad["offense_date"] = rng.choice([0, 1700000000, 20200101, 1.5])
    else:
        bad["facts"]["videos"] = rng.choice([True, False])
        bad["facts"].pop("image_count", None)
    return Sample("number_as_date_or_bool_as_count", fmt, _dump(bad, fmt), True, bad)


def _kind_syntax(rng, data, fmt):
    text = _dump(data, fmt)
    cut = rng.randint(1, max(1, len(text) - 1))
    choice = rng.random()
    if choice < 0.4:
        text = text[:cut]  # truncated (may still be valid YAML: then it is judged as data)
        return Sample("truncated", fmt, text, False, None)
    if choice < 0.7:
        text = (
            text[:cut]
            + rng.choice(["\x07", "\x1b[31m", "{", "]", "\t", ":", "- -", "%YAML 1.1\n", "&"])
            + text[cut:]
        )
        return Sample("garbage", fmt, text, False, None)
    return Sample(
        "not_a_mapping", fmt, rng.choice(["[]", "1", '"text"', "null", "- a\n- b\n", "", "true"]), True, None
    )


def _kind_big_document(rng, data, fmt):
    """Past the size limit with many small values (written out directly: a serialiser is slow here)."""
    n = rng.choice([20_001, 40_000])
    body = {k: v for k, v in data.items() if k != "findings"}
    if fmt == "json":
        text = (
            _dump(body, "json")[:-1].rstrip()
            + ',\n"findings": ['
            + ", ".join(['"2G2.2(b)(4)(A)"'] * n)
            + "]}"
        )
    else:
        text = _dump(body, "yaml") + "findings:\n" + "- 2G2.2(b)(4)(A)\n" * n
    return Sample("big_document", fmt, text, True, None)


def _kind_too_many(rng, data, fmt):
    """Past the model's size limits (500 counts in all, 100 prior records, 100 items, 30 scenarios)."""
    bad = copy.deepcopy(data)
    choice = rng.random()
    if choice < 0.3:
        bad["counts"] = [{"statute": "2252A(a)(2)", "count": 500}] * rng.choice([2, 300])
    elif choice < 0.6:
        bad["criminal_history"] = {
            "records": [{"label": f"r{i}", "sentence_date": "2010-01-01"} for i in range(101)]
        }
    elif choice < 0.8:
        bad["mitigation"] = [dict(_mitigation_items()[0], label=f"i{i}") for i in range(101)]
    else:
        bad["scenarios"] = [{"id": f"s{i}", "label": f"S{i}"} for i in range(31)]
    return Sample("too_many", fmt, _dump(bad, fmt), True, bad)


def _kind_many_documents(rng, data, fmt):
    text = _dump(data, "yaml")
    return Sample("many_documents", "yaml", text + "---\n" + text, True, None)


def _kind_valid(rng, data, fmt):
    return Sample("valid", fmt, _dump(data, fmt), False, data)


def _kind_crlf_bom_comments(rng, data, fmt):
    text = _dump(data, fmt)
    if fmt == "yaml" and rng.random() < 0.5:
        text = "# a comment\n" + text.replace("\n", "  # note\n", 3)
    if rng.random() < 0.5:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.3:
        text = "\ufeff" + text
    return Sample("formatting", fmt, text, False, data)


KINDS = [
    _kind_valid,
    _kind_crlf_bom_comments,
    _kind_wrong_type,
    _kind_date,
    _kind_extreme_date,
    _kind_huge_number,
    _kind_big_float,
    _kind_non_finite,
    _kind_deep,
    _kind_alias_bomb,
    _kind_aliases_in_budget,
    _kind_duplicate_key,
    _kind_long_string,
    _kind_long_label,
    _kind_surrogate,
    _kind_nul,
    _kind_odd_unicode,
    _kind_yaml11_number,
    _kind_yaml_tag,
    _kind_unknown_field,
    _kind_out_of_range,
    _kind_number_types,
    _kind_syntax,
    _kind_big_document,
    _kind_too_many,
    _kind_many_documents,
]


def generate(seed: int, n: int):
    rng = random.Random(seed)
    made = 0
    while made < n:
        data = base_case(rng)
        fmt = "yaml" if rng.random() < 0.6 else "json"
        sample = rng.choice(KINDS)(rng, data, fmt)
        if sample is not None:
            made += 1
            yield sample


# --- running one sample -------------------------------------------------------------------------


@cache
def _schema_validator():
    import jsonschema_rs

    from plealever.case import Case

    return jsonschema_rs.validator_for(Case.model_json_schema(), validate_formats=True)


def contract_rejects(sample: Sample) -> bool:
    if sample.invalid:
        return True
    if sample.data is None:
        return False  # text that is not data as generated (truncated, garbage): judged by the loader alone
    try:
        return not _schema_validator().is_valid(sample.data)
    except (ValueError, OverflowError):
        return True


class _Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Hang


def unclean(message: str, text: str, source: str) -> str | None:
    if "\n" in message or "\r" in message:
        return "line break"
    if "Traceback" in message:
        return "traceback"
    if message.endswith("(cut short)"):
        return "too long"
    if not message.startswith(source):
        return "does not name the file"
    for i in range(0, max(0, len(message) - QUOTE_RUN)):
        window = message[i : i + QUOTE_RUN + 1]
        if window in text:
            return "quotes a long run of the input"
    return None


def run_sample(sample: Sample, *, deep: bool, time_limit: float = 20.0) -> tuple[str, str]:
    """(outcome, detail): outcome is accepted, clean_error, traceback, hang, accepted_invalid or unclean."""
    from plealever.case.load import parse_case, read_case_text
    from plealever.errors import PlealeverError
    from plealever.guidelines import calculate
    from plealever.mitigation import assess

    source = f"sample.{sample.fmt}"
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    accepted = False
    try:
        case = parse_case(read_case_text(sample.text, fmt=sample.fmt, source=source), source=source)
        accepted = True
        calculate(case, source=source)
        assess(case)
        if deep:
            from plealever.analysis import analyse
            from plealever.report import render_memo

            analysis = analyse(case, source=source, draws=100)  # calculation, assessment, scenarios
            if analysis.error is not None:
                raise analysis.error
            render_memo(analysis, "md")
    except _Hang:
        return "hang", sample.kind
    except PlealeverError as exc:
        why = unclean(exc.one_line(), sample.text, source)
        if why:
            return "unclean", f"{sample.kind}: {why}: {exc.one_line()[:200]}"
        if not accepted:
            return "clean_error", sample.kind
    except RecursionError:
        return "traceback", f"{sample.kind}: RecursionError"
    except Exception as exc:  # noqa: BLE001 - what the run is looking for
        return "traceback", f"{sample.kind}: {type(exc).__name__}: {str(exc)[:150]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if contract_rejects(sample):
        return "accepted_invalid", sample.kind
    return "accepted", sample.kind


def run(
    seed: int, n: int, *, deep_every: int = 10, time_limit: float = 20.0
) -> tuple[Counter, dict[str, list[str]], float]:
    """Counts of each outcome over `n` samples, examples of each bad outcome, seconds taken."""
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    start = time.perf_counter()
    for i, sample in enumerate(generate(seed, n)):
        outcome, detail = run_sample(sample, deep=i % deep_every == 0, time_limit=time_limit)
        counts[outcome] += 1
        counts[f"kind:{sample.kind}"] += 1
        if outcome not in ("accepted", "clean_error"):
            examples.setdefault(outcome, [])
            if len(examples[outcome]) < 10:
                examples[outcome].append(detail)
    return counts, examples, time.perf_counter() - start
