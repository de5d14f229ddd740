"""Client data at rest: owner-only files whatever the umask, and kill -9 at random moments of an
import, a save, a web save and a memo write: the store opens, the previous version is intact, no
partial output is left (a temporary file of a killed writer is removed by the next write)."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from plealever.files import clean_leftovers, write_atomic
from plealever.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "receipt-plea.yaml"
EXE = str(Path(sys.executable).parent / "plealever")
SEED = 1212  # the random moments are reproducible


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(args, *, umask: int, env=None, timeout=120):
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: os.umask(umask),
    )


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_client_files_are_owner_only_whatever_the_umask(tmp_path, umask):
    store_dir = tmp_path / "named" / "deeper"  # folders the store creates
    db = store_dir / "cases.sqlite3"
    out = _run(["cases", "import", str(EXAMPLE), "--db", f"sqlite:///{db}"], umask=umask)
    assert out.returncode == 0, out.stderr
    case_id = out.stdout.strip()
    assert _mode(db) == 0o600
    assert _mode(store_dir) == 0o700 and _mode(store_dir.parent) == 0o700
    for side in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if side.exists():
            assert _mode(side) == 0o600, side
    env_db = tmp_path / "env-store.sqlite3"  # PLEALEVER_DB names the store
    out = _run(["cases", "import", str(EXAMPLE)], umask=umask, env={"PLEALEVER_DB": f"sqlite:///{env_db}"})
    assert out.returncode == 0 and _mode(env_db) == 0o600, out.stderr
    memo = tmp_path / "memo.md"
    assert _run(["memo", str(EXAMPLE), "-o", str(memo)], umask=umask).returncode == 0
    export = tmp_path / "export.yaml"
    assert (
        _run(
            ["cases", "export", case_id, "-o", str(export), "--db", f"sqlite:///{db}"], umask=umask
        ).returncode
        == 0
    )
    assert _mode(memo) == 0o600 and _mode(export) == 0o600
    assert not list(tmp_path.glob(".*.part"))


def test_an_existing_store_file_readable_by_others_is_tightened(tmp_path):
    db = tmp_path / "old.sqlite3"
    Store(f"sqlite:///{db}")
    db.chmod(0o644)  # as version 0.1 left it
    Store(f"sqlite:///{db}")
    assert _mode(db) == 0o600


def test_default_data_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.delenv("PLEALEVER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    old = os.umask(0)
    try:
        store = Store()
    finally:
        os.umask(old)
    path = Path(store.url.removeprefix("sqlite:///"))
    assert _mode(path.parent) == 0o700 and _mode(path) == 0o600


def test_output_paths_that_cannot_be_written_are_one_line_errors(tmp_path):
    for target, expected in (
        (tmp_path, "is a folder"),
        (tmp_path / "missing" / "m.md", "folder does not exist"),
    ):
        for args in (
            ["memo", str(EXAMPLE), "-o", str(target)],
            ["cases", "export", "x", "-o", str(target), "--db", "sqlite://"],
        ):
            out = _run(args, umask=0o022)
            assert out.returncode == 2 and expected in out.stderr and "Traceback" not in out.stderr, (
                out.stderr
            )
            assert len(out.stderr.strip().splitlines()) == 1


def test_temporary_files_go_on_every_failure_and_leftovers_go_on_the_next_write(tmp_path, monkeypatch):
    target = tmp_path / "memo.md"
    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    from plealever.errors import OutputError

    with pytest.raises(OutputError, match="No space left"):
        write_atomic(target, b"memo")
    monkeypatch.setattr(os, "replace", real_replace)
    assert list(tmp_path.iterdir()) == []
    # A writer killed mid-write leaves its (unlocked) temporary file; a live writer's is locked.
    dead = tmp_path / ".memo.md.plealever-abc123.part"
    dead.write_bytes(b"half a memo")
    foreign = tmp_path / "download.part"  # another program's file: not ours to remove
    foreign.write_bytes(b"x")
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path / ".other.plealever-live.part")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        write_atomic(target, b"whole memo")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == [".other.plealever-live.part", "download.part", "memo.md"]
    finally:
        holder.kill()
        holder.wait()
    assert clean_leftovers(tmp_path) == [tmp_path / ".other.plealever-live.part"]  # its writer died
    assert target.read_bytes() == b"whole memo"


LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


# --- kill -9 at random moments -----------------------------------------------------------------


def _kill_at(args, delay: float, env=None) -> None:
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _store_intact(url: str, known: dict[str, dict]) -> None:
    store = Store(url)  # opens
    for case_id, data in known.items():
        assert store.get(case_id, 1).data == data  # the earlier version, unchanged
    for r in store.list():
        assert store.get(r.id).data["counts"]  # every stored version is whole


def test_kill_9_during_cli_import_and_saves(tmp_path):
    rng = random.Random(SEED)
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    first = Store(url).import_file(EXAMPLE)
    known = {first.id: first.data}
    for _ in range(3):  # cases import, killed anywhere from start-up to commit
        _kill_at([EXE, "cases", "import", str(EXAMPLE), "--db", url], rng.uniform(0.05, 1.5))
        _store_intact(url, known)
    for _ in range(3):  # a loop of saves, killed at a random moment
        _kill_at([sys.executable, "-c", SAVER, url, first.id], rng.uniform(0.3, 2.0))
        _store_intact(url, known)
        history = Store(url).history(first.id)
        assert [v["version"] for v in history] == list(range(1, len(history) + 1))  # no gap, no torn row


SAVER = """
import json, sys
from plealever.store import Store
store = Store(sys.argv[1])
while True:
    r = store.get(sys.argv[2])
    data = json.loads(json.dumps(r.data))
    data["facts"]["videos"] = (data["facts"].get("videos") or 0) % 50 + 1
    store.save(sys.argv[2], data, expected_version=r.version)
"""


def test_kill_9_during_web_saves(tmp_path):
    rng = random.Random(SEED + 1)
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    first = Store(url).import_file(EXAMPLE)
    known = {first.id: first.data}
    for _ in range(4):
        proc = subprocess.Popen(
            [EXE, "serve", "--port", "0", "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            address = re.search(r"(http://[\d.]+:\d+)/\?token=(\S+)", proc.stdout.readline())
            base, token = address.group(1), address.group(2)
            deadline = time.monotonic() + rng.uniform(0.2, 1.5)
            while time.monotonic() < deadline:  # saves through the API until the kill
                current = json.load(_call(f"{base}/api/cases/{first.id}", token))
                data = dict(current["data"], acceptance=rng.choice(["none", "two_level", "three_level"]))
                body = json.dumps({"data": data, "expected_version": current["version"]}).encode()
                _call(f"{base}/api/cases/{first.id}", token, method="PUT", body=body)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        _store_intact(url, known)


def _call(url: str, token: str, method: str = "GET", body: bytes | None = None):
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Authorization": f"Bearer {token}"}
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    return urllib.request.urlopen(request, timeout=30)


def _assert_whole(data: bytes, first: bytes, fmt: str) -> None:
    if fmt == "md":
        assert data == first  # the same case on the same day: the same memo
    else:  # a PDF carries its creation time; whole means its header and its end-of-file marker
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:] and abs(len(data) - len(first)) < 2048


@pytest.mark.parametrize("fmt", ["pdf", "md"])
def test_kill_9_during_memo_writes(tmp_path, fmt):
    rng = random.Random(SEED + (2 if fmt == "pdf" else 3))
    target = tmp_path / f"memo.{fmt}"
    started = time.monotonic()
    assert _run(["memo", str(EXAMPLE), "-f", fmt, "-o", str(target)], umask=0o022).returncode == 0
    duration = time.monotonic() - started
    whole = target.read_bytes()
    for _ in range(2):
        # Anywhere in the run's second half, where the memo is rendered and written.
        _kill_at([EXE, "memo", str(EXAMPLE), "-f", fmt, "-o", str(target)], rng.uniform(0.5, 1.0) * duration)
        _assert_whole(target.read_bytes(), whole, fmt)  # the old memo or the new one, never half
        leftovers = list(tmp_path.glob(".*.part"))
        # A killed writer may leave its temporary file; the next write removes it.
        assert _run(["memo", str(EXAMPLE), "-f", fmt, "-o", str(target)], umask=0o022).returncode == 0
        assert not list(tmp_path.glob(".*.part")), leftovers
    if fmt == "pdf":
        from pypdf import PdfReader

        assert "Bottom line" in "".join(page.extract_text() for page in PdfReader(target).pages)
