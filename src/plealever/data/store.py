"""The local records store: a DuckDB file in the user's data directory, written atomically.

`import_files` validates every file first, then writes a new store beside the old one and swaps it
in with one rename, so a failed import leaves the store exactly as it was. Importing a fiscal year
that is already loaded replaces that year's rows (a newer release of the same year's file).
Without a store, the bundled FY2019-2023 child-pornography rows are used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from plealever.data import records as rec
from plealever.errors import RecordsError

STORE_NAME = "records.duckdb"


def data_dir() -> Path:
    """$PLEALEVER_DATA_DIR, else the platform's user data directory (created 0700: privileged work)."""
    if os.environ.get("PLEALEVER_DATA_DIR"):
        folder = Path(os.environ["PLEALEVER_DATA_DIR"])
    else:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("plealever", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    return folder


def store_path() -> Path:
    return data_dir() / STORE_NAME


def import_files(paths: list[str | Path]) -> dict[str, Any]:
    """Validate and import the files; return what the store holds afterwards."""
    import duckdb

    if not paths:
        raise RecordsError("no files given")
    target = store_path()
    tmp = target.with_name(f".{STORE_NAME}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    imported: list[dict[str, Any]] = []
    try:
        with rec.private_umask():
            con = duckdb.connect(str(tmp))
        try:
            for i, path in enumerate(paths):
                n = rec.stage(con, path, f"staged_{i}")
                kept = con.execute(
                    f"SELECT count(*) FROM staged_{i} WHERE OFFGUIDE = {rec.CHILD_PORNOGRAPHY}"
                ).fetchone()[0]
                years = [
                    int(y)
                    for (y,) in con.execute(
                        f"SELECT DISTINCT FISCAL_YEAR FROM staged_{i} WHERE OFFGUIDE = "
                        f"{rec.CHILD_PORNOGRAPHY} ORDER BY 1"
                    ).fetchall()
                ]
                if kept == 0:
                    raise RecordsError(
                        f"none of its {n} rows has OFFGUIDE {rec.CHILD_PORNOGRAPHY} (child pornography)",
                        file=str(path),
                    )
                imported.append(
                    {
                        "file": str(Path(path).resolve()),
                        "sha256": rec.file_sha256(path),
                        "rows_read": n,
                        "rows_kept": int(kept),
                        "fiscal_years": years,
                    }
                )
            _write(con, target, imported)
        finally:
            con.close()
        with contextlib.suppress(OSError):
            tmp.chmod(0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    return status()


def _write(con, target: Path, imported: list[dict[str, Any]]) -> None:
    cols = ", ".join(f'"{c}" DOUBLE' for c in rec.COLUMNS)
    con.execute(f"CREATE TABLE records (import_id INTEGER, row BIGINT, {cols})")
    con.execute(
        "CREATE TABLE imports (id INTEGER, file VARCHAR, sha256 VARCHAR, rows_read BIGINT, rows_kept BIGINT, "
        "fiscal_years VARCHAR, imported_at VARCHAR, superseded_years VARCHAR)"
    )
    new_years = sorted({y for f in imported for y in f["fiscal_years"]})
    next_id = 1
    if target.exists():
        con.execute(f"ATTACH '{target}' AS old (READ_ONLY)")
        years = ", ".join(map(str, new_years))
        con.execute(f"INSERT INTO records SELECT * FROM old.records WHERE FISCAL_YEAR NOT IN ({years})")
        for row in con.execute("SELECT * FROM old.imports ORDER BY id").fetchall():
            old_years = json.loads(row[5])
            gone = sorted(set(old_years) & set(new_years) | set(json.loads(row[7])))
            con.execute("INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*row[:7], json.dumps(gone)])
            next_id = max(next_id, row[0] + 1)
        con.execute("DETACH old")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    names = ", ".join(f'"{c}"' for c in rec.COLUMNS)
    for i, f in enumerate(imported):
        iid = next_id + i
        con.execute(
            f"INSERT INTO records SELECT {iid}, row, {names} FROM staged_{i} "
            f"WHERE OFFGUIDE = {rec.CHILD_PORNOGRAPHY}"
        )
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, '[]')",
            [iid, f["file"], f["sha256"], f["rows_read"], f["rows_kept"], json.dumps(f["fiscal_years"]), now],
        )
        con.execute(f"DROP TABLE staged_{i}")
    con.execute("CHECKPOINT")


def _open():
    import duckdb

    path = store_path()
    if not path.exists():
        return None
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise RecordsError(
            f"cannot open the records store ({str(exc).splitlines()[0]})", file=str(path)
        ) from None


def load() -> rec.Records:
    """The loaded rows (the store if there is one, else the bundled FY2019-2023 rows)."""
    con = _open()
    if con is None:
        return bundled()
    try:
        out = rec.fetch(con, "records", source=str(store_path()))
        out.files = _imports(con)
        return out
    finally:
        con.close()


@cache  # package data: read and checked once per process (a server reads it for every analysis)
def bundled() -> rec.Records:
    out = rec.read(rec.bundled_path())
    out.source = "bundled"
    out.files = [
        {
            "file": rec.BUNDLED_NAME,
            "sha256": rec.file_sha256(rec.bundled_path()),
            "rows_kept": len(out),
            "fiscal_years": out.years,
        }
    ]
    return out


def _imports(con) -> list[dict[str, Any]]:
    keys = [
        "id",
        "file",
        "sha256",
        "rows_read",
        "rows_kept",
        "fiscal_years",
        "imported_at",
        "superseded_years",
    ]
    out = []
    for row in con.execute("SELECT * FROM imports ORDER BY id").fetchall():
        d = dict(zip(keys, row, strict=True))
        d["fiscal_years"] = json.loads(d["fiscal_years"])
        d["superseded_years"] = json.loads(d["superseded_years"])
        out.append(d)
    return out


def status() -> dict[str, Any]:
    records = load()
    return {
        "source": records.source,
        "store": str(store_path()) if records.source != "bundled" else None,
        "rows": len(records),
        "fiscal_years": records.counts_by_year(),
        "checksum": records.checksum(),
        "files": records.files,
    }
