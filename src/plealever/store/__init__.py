"""The case store: SQLAlchemy over SQLite (default) or PostgreSQL; every save keeps the previous version."""

from plealever.store.db import CaseRecord, ConflictError, Store, default_url

__all__ = ["CaseRecord", "ConflictError", "Store", "default_url"]
