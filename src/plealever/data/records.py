"""Read Sentencing Commission offender rows, in the Commission's own variable names, with DuckDB.

Formats: CSV (optionally xz-compressed) and the Commission's SAS files (.sas7bdat, or SAS transport
.xpt, through pyreadstat: `pip install plealever[sas]`). Only the columns the model and the panel use
are kept. Every value is checked before anything is kept: a bad file is one error naming the file,
the data row (0-based, as in the scoring contract) and the column.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import lzma
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from plealever.errors import RecordsError

# The columns kept, in the Commission's names, with whether a value may be missing. Decodes: the
# Commission's codebook (FY1999-2017), see docs/decisions/0013-practice-model.md.
COLUMNS: dict[str, dict[str, Any]] = {
    "FISCAL_YEAR": {"kind": "int", "required": True},
    "OFFGUIDE": {"kind": "int", "required": False},  # primary offense category; 7 = child pornography
    "DISTRICT": {"kind": "int", "required": True},  # codebook Attachment A-3
    "DSPLEA": {"kind": "int", "required": False},  # 1/2/3 agreement, 5 straight plea, 8 trial, 9 unknown
    "PRESENT": {"kind": "int", "required": False},  # 1 in custody, 2 bail, 3 own recognizance, 4 other
    "CRIMPTS": {"kind": "int", "required": False},  # criminal-history points from prior sentences
    "XMINSOR": {"kind": "int", "required": False},  # range as found, before statutory limits; 9996 life
    "XMAXSOR": {"kind": "int", "required": False},
    "SENTTOT": {"kind": "num", "required": False},  # prison months; empty for probation
    "SENTIMP": {"kind": "int", "required": False},  # 0 fine, 1-2 prison, 3-4 probation
}
CHILD_PORNOGRAPHY = 7
LIFE_CODE = 9996
MISSING = ("", ".")
BUNDLED_NAME = "ussc_cp_fy19_fy23.csv.xz"


def bundled_path() -> Path:
    return Path(str(resources.files("plealever.data") / "records" / BUNDLED_NAME))


@dataclass
class Records:
    """Offender rows as arrays (NaN where a value is missing), in file order."""

    columns: dict[str, np.ndarray]
    source: str
    files: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns["FISCAL_YEAR"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def subset(self, mask: np.ndarray) -> Records:
        return Records({k: v[mask] for k, v in self.columns.items()}, self.source, self.files)

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.columns["FISCAL_YEAR"]})

    def counts_by_year(self) -> dict[str, int]:
        ys, ns = np.unique(self.columns["FISCAL_YEAR"].astype(int), return_counts=True)
        return {str(int(y)): int(n) for y, n in zip(ys, ns, strict=True)}

    def checksum(self) -> str:
        """sha256 of the kept columns, independent of the file format and of row order."""
        arr = np.column_stack([np.nan_to_num(self.columns[c], nan=-1.0) for c in COLUMNS])
        order = np.lexsort(arr.T[::-1])
        return hashlib.sha256(np.ascontiguousarray(arr[order]).tobytes()).hexdigest()


def _fail(path: Path | str, message: str, *, row: int | None = None, column: str | None = None):
    where = []
    if row is not None:
        where.append(f"data row {row} (line {row + 2})")
    if column:
        where.append(f"column {column}")
    raise RecordsError(message, file=str(path), field=", ".join(where) or None)


def _header(path: Path, shown: Path) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            first = next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _fail(shown, f"cannot read the file ({exc})")
    if not first or not any(c.strip() for c in first):
        raise RecordsError(
            f"empty file: expected a header row with the columns {', '.join(COLUMNS)}",
            file=str(shown),
            field="line 1",
        )
    return [c.strip() for c in first]


def _decompress(path: Path, workdir: Path) -> Path:
    out = workdir / (path.name.removesuffix(".xz") or "records.csv")
    try:
        with lzma.open(path, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, lzma.LZMAError, EOFError) as exc:
        _fail(path, f"cannot decompress the file ({exc})")
    return out


def _sas_to_csv(path: Path, workdir: Path) -> Path:
    try:
        import pyreadstat
    except ImportError:
        _fail(path, "reading SAS files needs pyreadstat: pip install 'plealever[sas]'")
    reader = pyreadstat.read_xport if path.suffix.lower() == ".xpt" else pyreadstat.read_sas7bdat
    try:
        _, meta = reader(str(path), metadataonly=True)
        names = {n.upper(): n for n in meta.column_names}
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise RecordsError(
                f"missing column(s) {', '.join(missing)} (expected the Commission's variable names)",
                file=str(path),
                field="variables",
            )
        data, _ = reader(str(path), usecols=[names[c] for c in COLUMNS], output_format="dict")
    except pyreadstat.ReadstatError as exc:
        _fail(path, f"cannot read the SAS file ({exc})")
    out = workdir / "records.csv"
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(COLUMNS))
        cols = [np.asarray(data[names[c]]) for c in COLUMNS]
        for values in zip(*cols, strict=True):
            w.writerow(["" if _is_missing(v) else _plain(v) for v in values])
    return out


def _is_missing(v: Any) -> bool:
    return (
        v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and v.strip() in MISSING)
    )


def _plain(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def stage(con, path: str | Path, table: str) -> int:
    """Read one file into the DuckDB table `table` (typed, with its 0-based `row`); return its row count.

    Nothing is created unless the whole file is valid.
    """
    path = Path(path)
    if not path.is_file():
        _fail(path, "no such file")
    if path.stat().st_size == 0:
        raise RecordsError(
            f"empty file: expected a header row with the columns {', '.join(COLUMNS)}",
            file=str(path),
            field="line 1",
        )
    with tempfile.TemporaryDirectory(prefix="plealever-records-") as tmp:
        work = Path(tmp)
        suffix = path.suffix.lower()
        if suffix in (".sas7bdat", ".xpt"):
            csv_path = _sas_to_csv(path, work)
        elif suffix == ".xz":
            csv_path = _decompress(path, work)
        else:
            csv_path = path
        header = _header(csv_path, path)
        upper = {h.upper(): h for h in header}
        missing = [c for c in COLUMNS if c not in upper]
        if missing:
            raise RecordsError(
                f"missing column(s) {', '.join(missing)} (expected the Commission's variable names)",
                file=str(path),
                field="header row (line 1)",
            )
        return _load_csv(con, csv_path, path, header, {c: upper[c] for c in COLUMNS}, table)


def _load_csv(con, csv_path: Path, shown: Path, header: list[str], names: dict[str, str], table: str) -> int:
    import duckdb

    raw = f"_raw_{table}"
    cols = ", ".join(f"'{h}': 'VARCHAR'" for h in _dedupe(header))
    select = ", ".join(f'"{names[c]}" AS "{c}"' for c in COLUMNS)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {select} FROM read_csv(?, auto_detect=false, "
            f"header=true, delim=',', quote='\"', escape='\"', columns={{{cols}}}, strict_mode=true)",
            [str(csv_path)],
        )
    except duckdb.Error as exc:
        text = str(exc)
        line = re.search(r"Line: (\d+)", text)
        reason = re.search(r"Expected Number of Columns: \d+ Found: \d+", text)
        if line:
            _fail(
                shown,
                f"malformed CSV row ({reason.group(0) if reason else text.splitlines()[0]})",
                row=int(line.group(1)) - 2,
            )
        _fail(shown, f"cannot parse the CSV ({text.splitlines()[0]})")
    try:
        n = con.execute(f"SELECT count(*) FROM {raw}").fetchone()[0]
        if n == 0:
            _fail(shown, "no data rows after the header")
        _validate(con, raw, shown)
        typed = ", ".join(
            f"CAST(NULLIF(NULLIF(trim(\"{c}\"), ''), '.') AS DOUBLE) AS \"{c}\"" for c in COLUMNS
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT rowid AS row, {typed} FROM {raw} ORDER BY rowid"
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {raw}")
    return int(n)


def _dedupe(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        k = seen.get(h, 0)
        seen[h] = k + 1
        out.append(h if k == 0 else f"{h}_{k}")
    return [h.replace("'", "''") for h in out]


def _validate(con, raw: str, shown: Path) -> None:
    from plealever.law.districts import codes

    def first(where: str, column: str):
        return con.execute(
            f'SELECT rowid, "{column}" FROM {raw} WHERE {where} ORDER BY rowid LIMIT 1'
        ).fetchone()

    for column, spec in COLUMNS.items():
        v = f'trim("{column}")'
        present = f"\"{column}\" IS NOT NULL AND {v} NOT IN ('', '.')"
        bad = first(f"{present} AND TRY_CAST({v} AS DOUBLE) IS NULL", column)
        what = "a whole number" if spec["kind"] == "int" else "a number"
        if bad is None and spec["kind"] == "int":
            bad = first(f"{present} AND TRY_CAST({v} AS DOUBLE) <> floor(TRY_CAST({v} AS DOUBLE))", column)
        if bad is None:
            bad = first(f"{present} AND NOT isfinite(TRY_CAST({v} AS DOUBLE))", column)
        if bad is not None:
            _fail(shown, f"expected {what}, got {bad[1]!r}", row=bad[0], column=column)
        if spec["required"]:
            bad = first(f"NOT ({present})", column)
            if bad is not None:
                _fail(shown, "a value is required here", row=bad[0], column=column)
    known = ", ".join(str(c) for c in sorted(codes()))
    bad = first(f'TRY_CAST(trim("DISTRICT") AS DOUBLE) NOT IN ({known})', "DISTRICT")
    if bad is not None:
        _fail(
            shown,
            f"unknown district code {bad[1]!r} (expected a code of the codebook's Attachment A-3)",
            row=bad[0],
            column="DISTRICT",
        )
    bad = first('TRY_CAST(trim("FISCAL_YEAR") AS DOUBLE) NOT BETWEEN 1987 AND 2100', "FISCAL_YEAR")
    if bad is not None:
        _fail(
            shown,
            f"expected a fiscal year between 1987 and 2100, got {bad[1]!r}",
            row=bad[0],
            column="FISCAL_YEAR",
        )
    for column in ("XMINSOR", "XMAXSOR", "SENTTOT", "CRIMPTS"):
        bad = first(f'TRY_CAST(trim("{column}") AS DOUBLE) < 0', column)
        if bad is not None:
            _fail(shown, f"expected a number of at least 0, got {bad[1]!r}", row=bad[0], column=column)
    bad = first('TRY_CAST(trim("XMINSOR") AS DOUBLE) > TRY_CAST(trim("XMAXSOR") AS DOUBLE)', "XMINSOR")
    if bad is not None:
        _fail(
            shown,
            f"the range minimum {bad[1]!r} is above the maximum (XMAXSOR)",
            row=bad[0],
            column="XMINSOR",
        )


def fetch(con, table: str, *, source: str, where: str = "") -> Records:
    """The table's rows as arrays, in file order."""
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    rows = con.execute(f"SELECT {cols} FROM {table} {where} ORDER BY row").fetchnumpy()
    arrays = {c: np.asarray(rows[c], dtype=float) for c in COLUMNS}
    for c in arrays:  # DuckDB hands back masked arrays for NULLs
        if np.ma.isMaskedArray(rows[c]):
            arrays[c] = np.ma.filled(rows[c].astype(float), np.nan)
    return Records(arrays, source)


def read(path: str | Path) -> Records:
    """Every row of one file, in order (for scoring)."""
    import duckdb

    con = duckdb.connect()
    try:
        stage(con, path, "staged")
        return fetch(con, "staged", source=str(path))
    finally:
        con.close()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@contextlib.contextmanager
def private_umask():
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)
