"""Cases and their versions. A save is one transaction that inserts the new version and moves the
case's current version forward only if it is still the version the editor started from; a second
edit of the same version gets a ConflictError instead of overwriting the first. A process killed in
the middle of a save leaves the database at the previous version (the transaction never commits)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from plealever.case.boundary import MAX_BYTES, check_characters, check_data
from plealever.case.load import parse_case, read_case_text
from plealever.errors import (  # noqa: F401 - re-exported for the store's callers
    CaseFileError,
    ConflictError,
    DatabaseError,
    InputRefusedError,
    NotFoundError,
    PlealeverError,
    StoreError,
    TooLargeError,
)
from plealever.files import private_dir, private_file


class _Base(DeclarativeBase):
    pass


class _Case(_Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class _Archived(_Base):
    """Archived cases: a table of its own, so stores made before archiving existed need no migration."""

    __tablename__ = "archived_cases"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    archived_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class _Version(_Base):
    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("case_id", "version"),)
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_format: Mapped[str | None] = mapped_column(String(8), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass
class CaseRecord:
    id: str
    name: str
    version: int
    current_version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    data: dict[str, Any]
    note: str | None = None
    source_text: str | None = None  # the version's file text, when it has one (imported, or edited from one)
    source_format: str | None = None
    archived: bool = False


def default_url() -> str:
    """SQLite in the user's data directory unless PLEALEVER_DB names another database."""
    if os.environ.get("PLEALEVER_DB"):
        return os.environ["PLEALEVER_DB"]
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("plealever", appauthor=False))
    private_dir(folder)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)  # the tool's own folder: privileged client files, owner only
    return f"sqlite:///{folder / 'cases.sqlite3'}"


def shown_url(url: str) -> str:
    """A database URL as it may be printed: the password hidden, however the URL is written."""
    import re

    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):  # unparseable: hide what looks like user:password@
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", url)


def _hide_secrets(text: str, url: str) -> str:
    """An error text with the URL's password removed, wherever the driver quoted it."""
    from urllib.parse import quote, unquote

    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError, TypeError):
        password = None
    for secret in {password, unquote(password or ""), quote(password or "", safe="")} - {None, ""}:
        text = text.replace(secret, "***")
    return text.replace(url, shown_url(url))


def _private_sqlite(url: str) -> None:
    """A SQLite file the user names (--db, PLEALEVER_DB) is created 0600 in a 0700 folder if new,
    and tightened to 0600 if it exists; SQLite gives its -wal and -shm files the same mode."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database
    if not parsed.drivername.startswith("sqlite") or not database or database == ":memory:":
        return
    if database.startswith("file:") or parsed.query.get("uri"):
        return  # a URI filename: SQLite opens it as it says
    path = Path(database)
    private_dir(path.parent)
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if part is path or part.exists():
            private_file(part)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json_safe(data: Any) -> Any:
    try:
        text = json.dumps(data, default=str, allow_nan=False)
    except ValueError:
        raise CaseFileError("numbers must be finite (no Infinity or NaN)") from None
    if "\\u0000" in text:
        raise CaseFileError("text must not contain NUL characters")
    return json.loads(text)


def canonical_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _guarded(method):
    """Database failures become a DatabaseError the front ends can report; the transaction rolled back."""
    import functools

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"the database refused the operation ({exc.__class__.__name__}); nothing was changed"
            ) from None

    return wrapper


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite drops the offset


class Store:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            _private_sqlite(self.url)
            if self.url in ("sqlite://", "sqlite:///:memory:"):
                # One shared connection, so every thread sees the same in-memory database.
                self.engine = create_engine(
                    self.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            else:
                self.engine = create_engine(self.url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            _Base.metadata.create_all(self.engine)
        except (SQLAlchemyError, ImportError, OSError, ValueError) as exc:
            detail = _hide_secrets(" ".join(str(exc).split()), self.url)
            if "pysqlcipher" in self.url and "not a database" in detail:
                detail = "the key does not open this store, or it is not an encrypted store"
            raise StoreError(
                f"cannot open the case store: {exc.__class__.__name__}: {detail}", file=shown_url(self.url)
            ) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    # --- writing -------------------------------------------------------------------------------

    @_guarded
    def create(
        self,
        data: dict[str, Any],
        *,
        source_text: str | None = None,
        source_format: str | None = None,
        note: str | None = "created",
    ) -> CaseRecord:
        data = self._validated(data)
        now = _now()
        case_id = str(uuid.uuid4())
        name = data.get("name") or f"Case {case_id[:8]}"
        with self.sessions.begin() as s:
            s.add(_Case(id=case_id, name=name, current_version=1, created_at=now, updated_at=now))
            s.flush()
            s.add(
                _Version(
                    case_id=case_id,
                    version=1,
                    created_at=now,
                    data=data,
                    source_text=source_text,
                    source_format=source_format,
                    note=note,
                )
            )
        return self.get(case_id)

    @_guarded
    def save(
        self,
        case_id: str,
        data: dict[str, Any],
        *,
        expected_version: int,
        note: str | None = None,
        before_commit: Callable[[], None] | None = None,
        source_text: str | None = None,
        source_format: str | None = None,
    ) -> CaseRecord:
        """Store `data` as the next version, if `expected_version` is still current.

        `source_text` is the version as a file (the web editor keeps an imported file's comments and
        layout through edits); it must read back as `data`, else it is not kept.
        `before_commit` runs inside the transaction just before it commits (tests use it to kill the
        process mid-save)."""
        data = self._validated(data)
        if source_text is not None and not _reads_as(source_text, source_format, data):
            source_text = source_format = None
        if not 1 <= expected_version <= 2**31 - 1:
            raise StoreError(f"case {case_id} has no version {expected_version}")
        now = _now()
        with self.sessions.begin() as s:
            moved = s.execute(
                update(_Case)
                .where(_Case.id == case_id, _Case.current_version == expected_version)
                .values(
                    current_version=expected_version + 1,
                    updated_at=now,
                    name=data.get("name") or f"Case {case_id[:8]}",
                )
            ).rowcount
            if moved != 1:
                current = s.scalar(select(_Case.current_version).where(_Case.id == case_id))
                if current is None:
                    raise NotFoundError(f"no case {case_id}")
                raise ConflictError(
                    f"case {case_id} was saved as version {current} after you opened version {expected_version}; "
                    "reload it and apply your changes again"
                )
            s.add(
                _Version(
                    case_id=case_id,
                    version=expected_version + 1,
                    created_at=now,
                    data=data,
                    note=note,
                    source_text=source_text,
                    source_format=source_format,
                )
            )
            if before_commit is not None:
                before_commit()
        return self.get(case_id)

    def import_file(self, path: str | Path) -> CaseRecord:
        path = Path(path)
        try:
            with path.open("rb") as fh:  # bytes, so CRLF line ends survive the round trip
                raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CaseFileError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
        if len(raw) > MAX_BYTES:
            raise TooLargeError(f"the document is larger than the limit of {MAX_BYTES // 1024} KiB", file=str(path))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CaseFileError(f"not UTF-8 text (byte {exc.start + 1} cannot be decoded)", file=str(path)) from None
        return self.import_text(
            text, fmt="json" if path.suffix.lower() == ".json" else "yaml", source=str(path)
        )

    @_guarded
    def import_text(self, text: str, *, fmt: str, source: str = "<import>") -> CaseRecord:
        data = read_case_text(text, fmt=fmt, source=source)
        parse_case(data, source=source)
        return self.create(
            _json_safe(data), source_text=text, source_format=fmt, note=f"imported from {source}"
        )

    def _validated(self, data: dict[str, Any]) -> dict[str, Any]:
        parse_case(data, source="case")
        return _json_safe(data)

    # --- reading -------------------------------------------------------------------------------

    @staticmethod
    def _version(s: Session, case_id: str, version: int | None) -> tuple[_Case, _Version]:
        if "\x00" in case_id:
            raise NotFoundError(f"no case {case_id!r}")
        if version is not None and not 1 <= version <= 2**31 - 1:
            raise NotFoundError(f"case {case_id} has no version {version}")
        case = s.get(_Case, case_id)
        if case is None:
            raise NotFoundError(f"no case {case_id}")
        v = s.scalar(
            select(_Version).where(
                _Version.case_id == case_id, _Version.version == (version or case.current_version)
            )
        )
        if v is None:
            raise NotFoundError(f"case {case_id} has no version {version}")
        try:  # a store written before the boundary's checks may hold what they refuse
            check_data(v.data, source="")
            if v.source_text is not None:
                check_characters(v.source_text, source="")  # the file as imported: any length it had
        except InputRefusedError as exc:
            raise StoreError(
                f"the stored case breaks an input rule ({exc.field or 'the text'}: {exc.message}); "
                "it was saved before that rule existed",
                file=f"case {case_id} version {v.version}",
            ) from None
        return case, v

    @_guarded
    def get(self, case_id: str, version: int | None = None) -> CaseRecord:
        with self.sessions() as s:
            case, v = self._version(s, case_id, version)
            return CaseRecord(
                case.id,
                v.data.get("name") or case.name,
                v.version,
                case.current_version,
                _utc(case.created_at),
                _utc(case.updated_at),
                v.data,
                v.note,
                v.source_text,
                v.source_format,
                s.get(_Archived, case.id) is not None,
            )

    @_guarded
    def list(self, search: str | None = None, *, archived: bool | None = False) -> list[CaseRecord]:
        """Cases, most recently changed first: the active ones (archived=False), the archived ones
        (True) or all (None)."""
        with self.sessions() as s:
            shelved = set(s.scalars(select(_Archived.case_id)))
            q = select(_Case).order_by(_Case.updated_at.desc())
            if search:
                if "\x00" in search:
                    return []
                escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                q = q.where(_Case.name.ilike(f"%{escaped}%", escape="\\"))
            return [
                CaseRecord(
                    c.id,
                    c.name,
                    c.current_version,
                    c.current_version,
                    _utc(c.created_at),
                    _utc(c.updated_at),
                    {},
                    archived=c.id in shelved,
                )
                for c in s.scalars(q)
                if archived is None or (c.id in shelved) == archived
            ]

    @_guarded
    def resolve(self, ref: str) -> tuple[str, int | None]:
        """A case reference as the command line takes it: an id or a unique prefix of one, optionally
        with "@version". Returns the full id and the version (None: the current one)."""
        ref = ref.strip()
        name, _, at = ref.partition("@")
        version = None
        if at:
            if not (at.isascii() and at.isdigit() and len(at) <= 10) or not 1 <= int(at) <= 2**31 - 1:
                raise StoreError(f"expected a version number after @, got {at!r}", field=ref)
            version = int(at)
        if not name or not name.isascii() or not all(c.isalnum() or c == "-" for c in name):
            raise NotFoundError(f"no case {ref}")
        with self.sessions() as s:
            if s.get(_Case, name) is not None:
                return name, version
            escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found = list(s.scalars(select(_Case.id).where(_Case.id.like(f"{escaped}%", escape="\\")).limit(3)))
        if not found:
            raise NotFoundError(f"no case {name} (`plealever cases list` shows the ids)")
        if len(found) > 1:
            raise StoreError(f"{name!r} matches more than one case; give more of the id")
        return found[0], version

    @_guarded
    def delete(self, case_id: str) -> int:
        """Remove a case and every version of it; returns how many versions went with it."""
        from sqlalchemy import delete, func

        with self.sessions.begin() as s:
            if s.get(_Case, case_id) is None:
                raise NotFoundError(f"no case {case_id}")
            n = s.scalar(select(func.count()).select_from(_Version).where(_Version.case_id == case_id))
            s.execute(delete(_Version).where(_Version.case_id == case_id))
            s.execute(delete(_Archived).where(_Archived.case_id == case_id))
            s.execute(delete(_Case).where(_Case.id == case_id))
        return int(n or 0)

    @_guarded
    def archive(self, case_id: str, archived: bool = True) -> None:
        """Archive a case (kept, with its history, but out of the list) or bring it back."""
        with self.sessions.begin() as s:
            if s.get(_Case, case_id) is None:
                raise NotFoundError(f"no case {case_id}")
            shelf = s.get(_Archived, case_id)
            if archived and shelf is None:
                s.add(_Archived(case_id=case_id, archived_at=_now()))
            elif not archived and shelf is not None:
                s.delete(shelf)

    @_guarded
    def history(self, case_id: str) -> list[dict[str, Any]]:
        self.get(case_id)
        with self.sessions() as s:
            versions = list(
                s.scalars(select(_Version).where(_Version.case_id == case_id).order_by(_Version.version))
            )
        out, previous = [], None
        for v in versions:
            text = canonical_yaml(v.data)
            diff = (
                ""
                if previous is None
                else "".join(
                    difflib.unified_diff(
                        previous.splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        fromfile=f"version {v.version - 1}",
                        tofile=f"version {v.version}",
                    )
                )
            )
            out.append(
                {"version": v.version, "created_at": v.created_at.isoformat(), "note": v.note, "diff": diff}
            )
            previous = text
        return out

    @_guarded
    def export(self, case_id: str, version: int | None = None, fmt: str = "yaml") -> str:
        """The case file: exactly as imported if that version was imported in this format."""
        with self.sessions() as s:
            _, v = self._version(s, case_id, version)
            if v.source_text is not None and v.source_format == fmt:
                return v.source_text
            if fmt == "json":
                return json.dumps(v.data, indent=2, ensure_ascii=False) + "\n"
            return canonical_yaml(v.data)


def _reads_as(text: str, fmt: str | None, data: dict[str, Any]) -> bool:
    try:
        loaded = read_case_text(text, fmt="json" if fmt == "json" else "yaml", source="store")
    except PlealeverError:
        return False
    try:
        return _json_safe(loaded) == data
    except CaseFileError:
        return False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlcipher3"):
        cursor.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our one-line error, not C logs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
