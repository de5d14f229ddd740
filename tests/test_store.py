"""The case store against SQLite and, when PLEALEVER_TEST_POSTGRES_URL is set (scripts/test starts a
server), PostgreSQL: round trips, history, conflicts, and a process killed in the middle of a save."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy

from plealever.errors import CaseFileError
from plealever.store import ConflictError, Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
PG = os.environ.get("PLEALEVER_TEST_POSTGRES_URL")


def _pg_url() -> str:
    """A fresh database on the test server, so runs never share state."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(PG, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return sqlalchemy.engine.make_url(PG).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    if not PG:
        if os.environ.get("CI"):
            pytest.fail("CI must run the store tests against PostgreSQL (PLEALEVER_TEST_POSTGRES_URL unset)")
        pytest.skip("PLEALEVER_TEST_POSTGRES_URL not set (scripts/test sets it)")
    return _pg_url()


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_import_export_round_trips_exactly(url, example, tmp_path):
    store = Store(url)
    record = store.import_file(example)
    assert store.export(record.id) == example.read_text(encoding="utf-8")
    as_json = store.export(record.id, fmt="json")
    again = Store(url).import_text(as_json, fmt="json")
    assert again.data == record.data
    assert store.export(again.id, fmt="json") == as_json


def test_history_keeps_every_version_with_diffs(url):
    store = Store(url)
    r = store.import_file(ROOT / "examples" / "receipt-plea.yaml")
    d2 = json.loads(json.dumps(r.data))
    d2["facts"]["videos"] = 12
    store.save(r.id, d2, expected_version=1)
    d3 = json.loads(json.dumps(d2))
    d3["acceptance"] = "two_level"
    store.save(r.id, d3, expected_version=2)
    history = store.history(r.id)
    assert [v["version"] for v in history] == [1, 2, 3]
    assert "-  videos: 10" in history[1]["diff"] and "+  videos: 12" in history[1]["diff"]
    assert "+acceptance: two_level" in history[2]["diff"]
    assert store.get(r.id, 1).data["facts"]["videos"] == 10
    assert store.get(r.id).version == 3


def test_two_edits_of_one_version_conflict(url):
    store = Store(url)
    r = store.import_file(ROOT / "examples" / "receipt-plea.yaml")
    first = json.loads(json.dumps(r.data))
    first["facts"]["videos"] = 11
    second = json.loads(json.dumps(r.data))
    second["facts"]["videos"] = 99
    store.save(r.id, first, expected_version=1)
    with pytest.raises(ConflictError, match="reload it"):
        store.save(r.id, second, expected_version=1)
    assert store.get(r.id).data["facts"]["videos"] == 11


def test_invalid_case_is_refused_and_nothing_is_stored(url):
    store = Store(url)
    r = store.import_file(ROOT / "examples" / "receipt-plea.yaml")
    bad = json.loads(json.dumps(r.data))
    bad["facts"]["videos"] = -1
    with pytest.raises(CaseFileError, match="facts.videos"):
        store.save(r.id, bad, expected_version=1)
    assert store.get(r.id).version == 1
    with pytest.raises(CaseFileError):
        store.import_text("counts: [", fmt="yaml")
    assert len(store.list()) == 1


KILLER = """
import json, sys, time
from plealever.store import Store
store = Store(sys.argv[1])
record = store.get(sys.argv[2])
data = json.loads(json.dumps(record.data))
data["facts"]["videos"] = 777
def hang():
    print("in-transaction", flush=True)
    time.sleep(60)
store.save(sys.argv[2], data, expected_version=record.version, before_commit=hang)
"""


def test_a_process_killed_mid_save_leaves_the_previous_version(url):
    store = Store(url)
    r = store.import_file(ROOT / "examples" / "receipt-plea.yaml")
    proc = subprocess.Popen([sys.executable, "-c", KILLER, url, r.id], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "in-transaction"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.2)
    fresh = Store(url)
    current = fresh.get(r.id)
    assert current.version == 1 and current.data["facts"]["videos"] == 10
    assert [v["version"] for v in fresh.history(r.id)] == [1]
    # The database still takes writes normally.
    data = json.loads(json.dumps(current.data))
    data["facts"]["videos"] = 12
    assert fresh.save(r.id, data, expected_version=1).version == 2


def test_cases_cli(tmp_path):
    from tests.test_cli import plealever

    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    out = plealever("cases", "import", str(ROOT / "examples" / "receipt-plea.yaml"), "--db", db)
    assert out.returncode == 0, out.stderr
    case_id = out.stdout.strip()
    assert case_id in plealever("cases", "list", "--db", db).stdout
    assert plealever("cases", "export", case_id, "--db", db).stdout == (
        ROOT / "examples" / "receipt-plea.yaml"
    ).read_text(encoding="utf-8")
    assert "version 1" in plealever("cases", "history", case_id, "--db", db).stdout
    assert "acceptance: three_level" in plealever("cases", "show", case_id, "--db", db).stdout
    bad = plealever("cases", "show", "nope", "--db", db)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: no case nope")


def test_the_optional_encrypted_store(tmp_path, monkeypatch):
    """SQLCipher through SQLAlchemy's pysqlcipher dialect (the `encrypted` extra; a test dependency)."""
    pytest.importorskip("sqlcipher3")
    from tests.test_cli import plealever

    path = tmp_path / "sealed.sqlite3"
    url = f"sqlite+pysqlcipher://:correct%20horse@/{path}"
    record = Store(url).import_file(ROOT / "examples" / "receipt-plea.yaml")
    assert Store(url).get(record.id).data["facts"]["videos"] == 10
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and b"receipt" not in raw  # nothing readable on disk
    assert path.stat().st_mode & 0o077 == 0
    out = plealever("cases", "list", "--db", f"sqlite+pysqlcipher://:wrong@/{path}")
    assert out.returncode == 2 and "the key does not open this store" in out.stderr
    assert "wrong" not in out.stderr and "correct" not in out.stderr and "ERROR CORE" not in out.stderr


def test_a_large_imported_file_exports_as_it_was(tmp_path):
    """The text kept from an import may be far longer than one value may be (up to the document limit)."""
    text = (ROOT / "examples" / "receipt-plea.yaml").read_text(encoding="utf-8") + "# note\n" * 10_000
    assert 60_000 < len(text) < 256 * 1024
    store = Store(f"sqlite:///{tmp_path / 'big.sqlite3'}")
    record = store.import_text(text, fmt="yaml", source="big.yaml")
    assert store.export(record.id) == text
