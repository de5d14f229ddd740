"""What the command line's CASE means: a case file on disk, or a stored case by id (or a unique prefix
of one), optionally pinned to a version with "@N" (e.g. ``3f2a@2``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from plealever.case.model import Case
from plealever.errors import CaseFileError

# A stored reference: hex digits and dashes (a UUID or a prefix), then an optional @version.
_REF = re.compile(r"[0-9a-fA-F][0-9a-fA-F-]{0,35}(@[0-9]{1,10})?", re.ASCII)


@dataclass
class LoadedCase:
    case: Case
    source: str  # how errors and the worksheet name where the case came from
    name: str  # the case's name, for titles
    case_id: str | None = None
    version: int | None = None


def looks_like_ref(ref: str) -> bool:
    return bool(_REF.fullmatch(ref))


def read_case(ref: str, db: str | None = None) -> LoadedCase:
    """A file if one exists at `ref`; otherwise a stored case. The store is opened only when needed."""
    from plealever.case import load_case

    path = Path(ref)
    if path.exists() or not looks_like_ref(ref):
        case = load_case(path)
        return LoadedCase(case, str(path), case.name or path.name)
    from plealever.case.load import parse_case
    from plealever.store import Store
    from plealever.store.db import StoreError

    store = Store(db)
    try:
        case_id, version = store.resolve(ref)
    except StoreError as exc:
        raise CaseFileError(f"no such file, and {exc.message}", file=ref) from None
    record = store.get(case_id, version)
    # The web names a stored case by its name too, so the CLI's and the web's memo of a version agree.
    source = record.name
    return LoadedCase(parse_case(record.data, source=source), source, record.name, case_id, record.version)
