"""The case store: SQLAlchemy over SQLite (default) or PostgreSQL; every save keeps the previous version.

Names load on first use, so a command that only reads a case file (`plealever calc FILE`, through
store/refs.py) never imports SQLAlchemy."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["CaseRecord", "ConflictError", "Store", "default_url"]

if TYPE_CHECKING:  # pragma: no cover
    from plealever.store.db import CaseRecord, ConflictError, Store, default_url


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("plealever.store.db"), name)
    raise AttributeError(f"module 'plealever.store' has no attribute {name!r}")
