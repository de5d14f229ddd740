"""Hardening (issue 12): the case-file boundary, errors after loading, no hang, outbound references,
secrets in messages. Permissions and kill -9: tests/test_crash_safety.py; the session cookie in a
browser: tests/test_e2e.py."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plealever.case import boundary
from plealever.case.load import load_case, parse_case, read_case_text
from plealever.errors import InputRefusedError, PlealeverError
from tests.adversarial import STATUTES, run, unclean
from tests.test_cli import plealever

ROOT = Path(__file__).resolve().parents[1]
BASE = {"counts": [{"statute": "2252A(a)(2)"}], "criminal_history": {"category": "I"}}


def _refused(text: str, fmt: str = "yaml") -> str:
    with pytest.raises(InputRefusedError) as info:
        read_case_text(text, fmt=fmt, source=f"f.{fmt}")
    message = info.value.one_line()
    assert unclean(message, text, f"f.{fmt}") is None, message
    return message


# --- the boundary, rule by rule -----------------------------------------------------------------

REFUSED = [
    # (format, text, what the one-line message must say)
    (
        "yaml",
        "name: a\nfacts:\n  videos: 1\n  videos: 2\n",
        "f.yaml: facts: duplicate key 'videos' (lines 3 and 4)",
    ),
    (
        "json",
        '{"facts": {"videos": 1,\n "videos": 2}}',
        "f.json: facts: duplicate key 'videos' (lines 1 and 2)",
    ),
    ("json", '{"mitigation": [{"a": 1}, {"b": 1, "b": 2}]}', "f.json: mitigation[1]: duplicate key 'b'"),
    (
        "yaml",
        "facts:\n  image_count: 0150\n",
        "facts.image_count (line 2): '0150' has a leading zero",
    ),  # 1.1: 104
    (
        "yaml",
        "facts:\n  videos: 2:30\n",
        "facts.videos (line 2): '2:30' looks like a base-60 number",
    ),  # 1.1: 150
    ("yaml", "facts:\n  videos: 1_000\n", "'1_000' looks like a number with underscores"),
    ("yaml", "facts:\n  videos: 0x1F\n", "'0x1F' looks like a number in another base"),
    (
        "yaml",
        "name: !!python/object/apply:os.system [ls]\n",
        "name (line 1): YAML tag 'python/object/apply:os.system'",
    ),
    ("yaml", "name: !!binary aGk=\n", "YAML tag 'binary' is not allowed"),
    ("yaml", "name: !custom x\n", "YAML tag '!custom' is not allowed"),
    (
        "yaml",
        "a: &x 1\n" + "".join(f"b{i}: *x\n" for i in range(40)),
        "more than the limit of 32 YAML aliases",
    ),
    # Four aliases of a 5,001-value list: 25,005 values once expanded, past the budget of 20,000.
    (
        "yaml",
        "a: &a [" + ", ".join(["x"] * 5000) + "]\nb: [*a, *a, *a, *a]\n",
        "values (aliases counted in full)",
    ),
    ("yaml", "a: &x [*x]\n", "alias *'x' refers to itself"),
    ("yaml", "<<: {name: a}\n", "merge keys (<<) are not supported"),
    ("yaml", "a: " + "[" * 30 + "]" * 30 + "\n", "nesting deeper than the limit of 24 levels"),
    ("yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nesting deeper than the limit of 24 levels"),
    (
        "json",
        "[" * 5000 + "]" * 5000,
        "f.json: nesting deeper than the limit of 24 levels",
    ),  # RecursionError before
    ("json", '{"a": ' + "[" * 30 + "]" * 30 + "}", "nesting deeper than the limit of 24 levels"),
    ("yaml", "name: " + "x" * 20_001 + "\n", "text longer than the limit of 20000 characters: 'xxxx"),
    ("yaml", "x" * 101 + ": 1\n", "a key longer than the limit of 100 characters"),
    ("yaml", "findings:\n" + "- a\n" * 20_001, "more than the limit of 20000 values"),
    ("yaml", "name: a\n" + "#" * (257 * 1024), "larger than the limit of 256 KiB"),
    (
        "yaml",
        "facts:\n  videos: " + "9" * 4301 + "\n",
        "number 99999999999999999999... is beyond the limit of 15 digits",
    ),
    (
        "json",
        '{"facts": {"videos": ' + "9" * 4301 + "}}",
        "is beyond the limit of 15 digits",
    ),  # ValueError before
    (
        "yaml",
        "facts:\n  videos: 1000000000000000\n",
        "facts.videos (line 2): number 1000000000000000 is beyond the limit of 15 digits",
    ),
    (
        "yaml",
        "facts:\n  distribution_retail_value: 1e300\n",
        "number 1e+300 is beyond the limit of 15 digits",
    ),
    ("yaml", "facts:\n  distribution_retail_value: .inf\n", "numbers must be finite"),
    ("yaml", "facts:\n  distribution_retail_value: 1e400\n", "numbers must be finite"),
    ("json", '{"facts": {"distribution_retail_value": NaN}}', "facts.distribution_retail_value: numbers must be finite"),
    ("json", '{"counts": [{"count": -Infinity}]}', "counts[0].count: numbers must be finite"),
    (
        "json",
        '{"facts": {"distribution_retail_value": 1e400}}',
        "facts.distribution_retail_value: numbers must be finite",
    ),
    (
        "json",
        '{"name": "a\\ud800b"}',
        "f.json: name: text contains a lone surrogate (invalid Unicode) at character 2",
    ),
    ("json", '{"name": "a\\u0000b"}', "name: text contains a NUL character"),
    ("yaml", 'name: "\\ud800"\n', "not valid YAML"),  # libyaml refuses the escape itself
    ("yaml", "name: a\n---\nname: b\n", "more than one YAML document"),
    ("yaml", "1: a\n", "keys must be field names (text), got 1"),
    ("yaml", "name: [1, \n", "f.yaml: line 2: not valid YAML"),
    ("json", '{"name": 1,}', "f.json: line 1: not valid JSON"),
]


@pytest.mark.parametrize(("fmt", "text", "expected"), REFUSED, ids=[e for _, _, e in REFUSED])
def test_the_boundary_refuses_in_one_clean_line(fmt, text, expected):
    message = _refused(text, fmt)
    assert expected in message, message
    assert len(message) <= 300, message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # YAML 1.2 core schema: what each form means is what it looks like.
        (
            "a: 0\nb: -3\nc: 150\nd: 0.5\ne: 1e3\nf: ~\ng: null\nh: true\ni: False\n",
            {"a": 0, "b": -3, "c": 150, "d": 0.5, "e": 1000.0, "f": None, "g": None, "h": True, "i": False},
        ),
        # Text stays text: quoted numbers, dates (the model reads them), 1.1 booleans.
        (
            "a: '0150'\nb: 2024-01-31\nc: yes\nd: off\ne: !!str 12\n",
            {"a": "0150", "b": "2024-01-31", "c": "yes", "d": "off", "e": "12"},
        ),
        # Anchors within the budget are plain copies.
        ("a: &x {k: 1}\nb: *x\n", {"a": {"k": 1}, "b": {"k": 1}}),
        ("", None),
    ],
)
def test_the_boundary_reads_plain_yaml_as_yaml_1_2(text, expected):
    assert read_case_text(text, fmt="yaml", source="f.yaml") == expected


def test_yes_reads_as_the_word_for_a_three_way_field_and_as_true_for_a_flag():
    data = read_case_text(
        "counts: [{statute: 2252A(a)(2)}]\ncriminal_history:\n  records:\n"
        "    - {label: a, sentence_date: 2010-01-01, statutory_sex_offense_prior: yes}\n"
        "facts: {computer: yes}\n",
        fmt="yaml",
        source="f.yaml",
    )
    case = parse_case(data)
    assert case.criminal_history.records[0].statutory_sex_offense_prior == "yes"  # YAML 1.1: true, an error
    assert case.facts.computer is True


def test_long_values_are_quoted_as_a_short_prefix_everywhere():
    long = "L" * 15_000
    for data in (
        {**BASE, "counts": [{"statute": long}]},  # an engine's message
        {**BASE, "acceptance": long},  # a model message
        {**BASE, "facts": {"videos": [1] * 5000}},  # a big list
    ):
        with pytest.raises(PlealeverError) as info:
            from plealever.guidelines import calculate

            calculate(parse_case(data, source="f.yaml"), source="f.yaml")
        message = info.value.one_line()
        assert len(message) < 500 and "L" * 50 not in message and "1, 1, 1, 1" not in message, message


def test_every_front_end_uses_the_boundary(tmp_path):
    from fastapi.testclient import TestClient

    from plealever.store import Store
    from plealever.web import forms
    from plealever.web.app import create_app
    from plealever.web.security import Settings

    dup = "counts:\n  - statute: 2252A(a)(2)\ncriminal_history: {category: I}\nacceptance: none\nacceptance: two_level\n"
    path = tmp_path / "dup.yaml"
    path.write_text(dup)
    with pytest.raises(InputRefusedError, match="duplicate key 'acceptance'"):
        load_case(path)  # a case file
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    with pytest.raises(InputRefusedError, match="duplicate key 'acceptance'"):
        store.import_file(path)  # cases import
    raw = {"counts.__mode": ["yaml"], "counts.__yaml": ["- statute: 2252A(a)(2)\n  statute: 2251(a)\n"]}
    _, errors = forms.from_form(raw)
    assert "duplicate key 'statute'" in errors["counts"]  # the web form's YAML fields
    s = Settings(host="testserver", port=80)
    client = TestClient(create_app(store, s))
    auth = {"Authorization": f"Bearer {s.token}"}
    r = client.post("/import", files={"file": ("dup.yaml", dup.encode())}, headers=auth)
    assert r.status_code == 422 and "duplicate key" in r.text  # Import
    body = '{"counts": [{"statute": "2252A(a)(2)"}], "criminal_history": {"category": "I"}, "name": "a", "name": "b"}'
    for method, url in (("post", "/api/cases"), ("post", "/api/calculate")):
        r = getattr(client, method)(url, content=body, headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 422 and "duplicate key 'name'" in r.json()["error"], r.text  # the JSON API
    deep = '{"data": ' + "[" * 3000 + "]" * 3000 + ', "expected_version": 1}'
    r = client.put("/api/cases/x", content=deep, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and "nesting deeper" in r.json()["error"]
    big = b'{"name": "' + b"x" * (300 * 1024) + b'"}'
    r = client.post("/api/cases", content=big, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and "256 KiB" in r.json()["error"]
    r = client.post("/import", files={"file": ("big.yaml", b"name: a\n" + b"#" * (300 * 1024))}, headers=auth)
    assert r.status_code == 413 and "256 KiB" in r.text  # read no further than the limit
    assert len(store.list()) == 0  # nothing stored on the way


def test_a_billion_laughs_upload_does_not_freeze_the_server(tmp_path):
    from fastapi.testclient import TestClient

    from plealever.store import Store
    from plealever.web.app import create_app
    from plealever.web.security import Settings

    bomb = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert len(bomb) < 500
    s = Settings(host="testserver", port=80)
    client = TestClient(create_app(Store("sqlite://"), s))
    auth = {"Authorization": f"Bearer {s.token}"}
    signal.alarm(30)  # a correctness limit: before the fix this upload never answered
    try:
        r = client.post("/import", files={"file": ("bomb.yaml", bomb.encode())}, headers=auth)
    finally:
        signal.alarm(0)
    assert r.status_code == 422 and len(r.text) < 400, r.text
    assert "limit of 20000 values (aliases counted in full)" in r.text or "limit of 32 YAML aliases" in r.text
    assert client.get("/api/cases", headers=auth).status_code == 200


# --- errors after loading -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        # A scenario with no counts: "max() arg is an empty sequence" in scenarios and memo before.
        ({"scenarios": [{"id": "x", "label": "none", "counts": []}]}, "scenarios[0] ('none').counts"),
        # An unknown statute reached the scenario generator: 'NoneType' object has no attribute 'penalties'.
        ({"counts": [{"statute": ""}]}, "counts[0].statute"),
        # A number read as a date (pydantic: seconds since 1970) silently changed the record.
        ({"offense_date": 0}, "offense_date"),
        ({"criminal_history": {"records": [{"label": "a", "sentence_date": 1700000000}]}}, "sentence_date"),
        # true read as one video.
        ({"facts": {"videos": True}}, "facts.videos"),
    ],
)
def test_errors_after_loading_name_the_field(extra, field):
    from plealever.analysis import analyse

    with pytest.raises(PlealeverError) as info:
        analysis = analyse(parse_case({**BASE, **extra}, source="f.yaml"), source="f.yaml", draws=100)
        raise analysis.error or AssertionError("no error")
    assert field in info.value.one_line(), info.value.one_line()


def test_criminal_history_windows_reaching_before_year_one_compute():
    from plealever.guidelines import calculate

    data = {
        **BASE,
        "offense_date": "2020-05-01",
        "criminal_history": {
            "instant_offense_commenced": "0001-01-01",
            "records": [
                {
                    "label": "a",
                    "offense_date": "0001-01-01",
                    "sentence_date": "0001-01-01",
                    "imprisonment_months": 20,
                }
            ],
        },
    }  # before: ValueError "year -14 is out of range" from the 15-year window
    result = calculate(parse_case(data))
    assert result.calculation.criminal_history_category in ("I", "II")


def _productive(node, pins):
    """Narrow the schema where random values only ever reach the first refusal: statutes and pins
    from the law data, short lists and texts, numbers of a size a case has, a criminal-history
    category always given. Every value drawn is still one the JSON Schema allows."""
    if isinstance(node, list):
        for item in node:
            _productive(item, pins)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in ("integer", "number"):
        node.setdefault("maximum", 100_000)
    elif kind == "array":
        node["maxItems"] = min(node.get("maxItems", 3), 3)
    elif kind == "string" and not ({"enum", "pattern", "format", "const"} & set(node)):
        node.setdefault("maxLength", 30)
    for name, sub in list(node.get("properties", {}).items()):
        if name in ("findings", "not_applicable"):
            node["properties"][name] = {"type": "array", "items": {"enum": pins}, "maxItems": 2}
        else:
            _productive(sub, pins)
    for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
        if key in node:
            _productive(node[key], pins)


def _case_bodies():
    """Case files drawn from the JSON Schema (schemathesis's generator over the API's OpenAPI
    document, whose Case component is the schema of `plealever schema`), narrowed by _productive."""
    import schemathesis

    from plealever.store import Store
    from plealever.web.app import create_app
    from plealever.web.security import Settings

    spec = json.loads(json.dumps(create_app(Store("sqlite://"), Settings(host="t", port=80)).openapi()))
    schemas = spec["components"]["schemas"]
    _productive(list(schemas.values()), ["2G2.2(b)(4)(A)", "2G2.2(b)(5)", "3C1.1", "2G1.3(b)(3)(A)"])
    schemas["Count"]["properties"]["statute"] = {"enum": STATUTES}
    history = schemas["CriminalHistory"]
    history["properties"]["category"] = {"enum": ["I", "II", "III", "IV", "V", "VI"]}
    history["required"] = ["category"]
    schemas["Case"]["required"] = sorted({*schemas["Case"].get("required", []), "criminal_history"})
    api = schemathesis.openapi.from_dict(spec)
    api.config.generation.update(allow_x00=False)
    return api["/api/calculate"]["POST"].as_strategy().map(lambda case: case.body)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_anything_the_schema_allows_computes_or_fails_with_the_package_error(data):
    """load -> calculate -> assess -> scenarios -> memo (Markdown): nothing but PlealeverError escapes."""
    from plealever.analysis import analyse
    from plealever.report import build_context
    from plealever.report.render import to_markdown

    text = json.dumps(data.draw(_CASES))
    try:
        case = parse_case(read_case_text(text, fmt="json", source="p.json"), source="p.json")
        analysis = analyse(case, source="p.json", draws=100)  # calculation, assessment, scenarios
        to_markdown(build_context(analysis, charts=False))
        if analysis.error is not None:
            raise analysis.error
    except PlealeverError as exc:
        assert unclean(exc.one_line(), text, "p.json") is None, exc.one_line()


_CASES = _case_bodies()


def test_adversarial_files_give_zero_tracebacks_hangs_accepted_invalid_and_unclean_messages():
    """A bounded run of the seeded generator (tests/adversarial.py; the large run is
    benchmarks/bench_adversarial.py). Every tenth accepted file also goes through scenarios and the memo."""
    counts, examples, _seconds = run(seed=12, n=2500, deep_every=25, time_limit=20.0)
    bad = {k: counts[k] for k in ("traceback", "hang", "accepted_invalid", "unclean")}
    assert bad == {"traceback": 0, "hang": 0, "accepted_invalid": 0, "unclean": 0}, examples
    assert counts["accepted"] > 200 and counts["clean_error"] > 1500  # the run reached both sides
    kinds = {k for k in counts if k.startswith("kind:")}
    assert len(kinds) >= 26  # every kind of file was made


# --- no hang: the worst cases through the command line ------------------------------------------

WORST = {
    "alias-bomb.yaml": "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep.yaml": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "huge-int.json": '{"facts": {"videos": ' + "9" * 200_000 + "}}",
    "long-string.yaml": "name: " + "x" * 250_000 + "\n",
    "many-values.yaml": "findings:\n" + "- 2G2.2(b)(4)(A)\n" * 16_000,
    "too-big.yaml": "name: a\n" + "# padding\n" * 100_000,
}


@pytest.mark.parametrize("name", sorted(WORST))
@pytest.mark.parametrize("command", ["calc", "memo"])
def test_worst_cases_finish_through_the_cli(tmp_path, name, command):
    path = tmp_path / name
    path.write_text(WORST[name], encoding="utf-8")
    exe = Path(sys.executable).parent / "plealever"
    # The timeout is a correctness limit (an alias bomb hung before), not a speed check.
    out = subprocess.run([str(exe), command, str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, out.stderr[-500:]
    line = out.stderr.strip()
    assert line.startswith(f"error: {path}: ") and "\n" not in line and "Traceback" not in line, line
    assert len(line) < 400, line


def test_a_case_at_every_size_limit_finishes_through_the_cli(tmp_path):
    """500 counts, 100 prior records, 100 mitigation items, 30 scenarios of one's own: the largest
    case the model takes computes in full (before the limits, 150,000 counts took minutes)."""
    from plealever.case.model import MAX_COUNTS, MAX_ITEMS, MAX_RECORDS, MAX_SCENARIOS

    data = load_case(ROOT / "examples" / "mitigation-sting.yaml").model_dump(mode="json", exclude_unset=True)
    items = data["mitigation"]
    data["counts"] = [{"statute": "2252A(a)(2)", "count": 5} for _ in range(MAX_COUNTS // 5 - 1)]
    data["counts"].append({"statute": "2422(b)", "count": 5})
    data["criminal_history"] = {
        "records": [
            {
                "label": f"r{i}",
                "sentence_date": f"{1990 + i % 30}-01-01",
                "offense_date": f"{1989 + i % 30}-06-01",
                "imprisonment_months": [0, 2, 14, 30][i % 4],
                "release_date": f"{1991 + i % 30}-01-01",
            }
            for i in range(MAX_RECORDS)
        ]
    }
    data["mitigation"] = [dict(items[i % len(items)], label=f"item {i}") for i in range(MAX_ITEMS)]
    data["scenarios"] = [
        {"id": f"s{i}", "label": f"S{i}", "counts": [{"statute": "2252A(a)(5)(B)", "count": 1 + i % 3}]}
        for i in range(MAX_SCENARIOS)
    ]
    path = tmp_path / "at-limits.json"
    path.write_text(json.dumps(data))
    exe = Path(sys.executable).parent / "plealever"
    out = subprocess.run([str(exe), "memo", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert "Bottom line" in out.stdout
    data["counts"].append({"statute": "2252A(a)(2)"})  # one count past the limit
    path.write_text(json.dumps(data))
    out = subprocess.run([str(exe), "calc", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "501 counts in all; the limit is 500" in out.stderr


# --- outbound references and secrets ------------------------------------------------------------

HOSTILE = "![x](http://198.51.100.7/a.png) <img src=http://198.51.100.7/b.png> [l](javascript:alert(1)) `c`"


def test_the_markdown_memo_escapes_user_text_like_the_html_memo():
    from plealever.report import build_context
    from plealever.report.render import to_html, to_markdown

    case = load_case(ROOT / "examples" / "mitigation-sting.yaml")
    data = case.model_dump(mode="json", exclude_unset=True)
    data["name"] = HOSTILE
    for item in data["mitigation"]:
        item["label"] = HOSTILE
        item["notes"] = HOSTILE
    from plealever.analysis import analyse

    memo = build_context(analyse(parse_case(data), source="x.yaml", draws=100), charts=False)
    md = to_markdown(memo)
    assert HOSTILE.split(")")[0] in md.replace("\\", "") and "198.51.100.7" in md  # the text is all there
    # Only escaped forms remain: a backslash before each character that would make markup.
    for raw in (r"!\[", r"<img", r"\]\(javascript", r"`c"):
        assert not re.search(r"(?<!\\)" + raw, md), raw
    assert r"\!\[x\](http://198.51.100.7/a.png) \<img" in md
    html = to_html(memo)
    assert "<img src=http" not in html and "&lt;img" in html


def test_weasyprint_fetches_nothing_but_data_and_the_package(tmp_path, monkeypatch):
    from plealever.report.render import _offline_fetcher

    fetch = _offline_fetcher()
    secret = tmp_path / "secret.txt"
    secret.write_text("client data")
    for url in ("http://198.51.100.7/x.png", "https://example.com/a.css", f"file://{secret}", "ftp://x/y"):
        with pytest.raises(ValueError, match="renders offline"):
            fetch(url)
    data = fetch("data:text/plain;base64,aGk=")
    assert data is not None
    import plealever

    own = Path(plealever.__file__).parent / "report" / "templates" / "memo.html.j2"
    assert fetch(own.as_uri()) is not None


def test_database_urls_are_printed_without_the_password():
    out = plealever("cases", "list", "--db", "postgresql+psycopg://lawyer:hunter2%21x@127.0.0.1:9/cases")
    assert out.returncode == 2 and "hunter2" not in out.stderr and "lawyer:***@" in out.stderr, out.stderr
    out = plealever("cases", "list", "--db", "nosuchdb://lawyer:hunter2@host/x")
    assert out.returncode == 2 and "hunter2" not in out.stderr, out.stderr


def test_a_lone_surrogate_already_in_a_store_is_a_clean_error(tmp_path):
    """Old stores may hold what the boundary now refuses; export and the API say so instead of a 500."""
    import sqlalchemy
    from fastapi.testclient import TestClient

    from plealever.store import Store
    from plealever.web.app import create_app
    from plealever.web.security import Settings

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = Store(url)
    r = store.create({**BASE, "name": "old"})
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sqlalchemy.text("UPDATE case_versions SET data = :d"),
            {"d": json.dumps({**BASE, "name": "bad \ud800 name"})},
        )
    out = plealever("cases", "export", r.id, "-f", "json", "--db", url)
    assert out.returncode == 2 and "lone surrogate" in out.stderr and "Traceback" not in out.stderr, (
        out.stderr
    )
    s = Settings(host="testserver", port=80)
    client = TestClient(create_app(Store(url), s))
    got = client.get(f"/api/cases/{r.id}", headers={"Authorization": f"Bearer {s.token}"})
    assert got.status_code == 422 and "lone surrogate" in got.json()["error"]


def test_limits_are_documented():
    text = (ROOT / "docs" / "case-file.md").read_text(encoding="utf-8")
    for limit in (
        boundary.MAX_BYTES // 1024,
        boundary.MAX_DEPTH,
        boundary.MAX_NODES,
        boundary.MAX_ALIASES,
        boundary.MAX_STRING,
        boundary.MAX_DIGITS,
    ):
        assert str(limit) in text, limit


BASE_CASE = {"counts": [{"statute": "2252(a)(2)"}], "criminal_history": {"category": "I"}}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (  # two scenarios under one id crashed the comparison inside `scenarios`, `memo` and `assess`
            {"scenarios": [{"id": "s2", "label": "a", "kind": "plea"}, {"id": "s2", "label": "b", "kind": "trial"}]},
            "scenarios: scenario ids must be unique; repeated: s2",
        ),
        (
            {
                "scenarios": [{"id": "offer-first", "label": "mine", "kind": "plea"}],
                "negotiation": {
                    "offers": [
                        {"id": "first", "date": "2026-03-01", "status": "open", "terms": {"plea_type": "B"}}
                    ]
                },
            },
            "offer-first is the id of an offer's own scenario",
        ),
    ],
)
def test_a_scenario_id_names_one_scenario(extra, expected):
    with pytest.raises(PlealeverError) as caught:
        parse_case({**BASE_CASE, **extra}, source="ids.yaml")
    assert expected in caught.value.one_line()
