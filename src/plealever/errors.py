"""One exception tree. Every error says where (file and field, or provision and edition) and how to fix it.

Each class says how a face shows it: ``exit_code`` for the command line, ``http_status`` for the web
app and its API. Only ``cli.py`` and ``web/app.py`` read those, each in one place; nothing shows a
user a traceback.
"""

from __future__ import annotations


class PlealeverError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = 2
    http_status = 422

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.field = field

    def one_line(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.message}" if where else self.message
        return " ".join(text.split())


# --- the user's input -------------------------------------------------------------------------


class CaseFileError(PlealeverError):
    """The case file cannot be read or does not match the case model."""


class UsageError(CaseFileError):
    """A command-line option or request parameter is not one the tool accepts."""


class UnknownStatuteError(CaseFileError):
    """A count names a statute the law data does not model."""


class UnknownPinError(CaseFileError):
    """A finding names a provision the law data does not hold."""


class EditionError(CaseFileError):
    """The Manual edition asked for, or implied by the dates, is outside the modelled range."""


class NotModelledError(CaseFileError):
    """The case needs a rule the tool does not compute (yet); guessing would give a wrong range."""


class RecordsError(PlealeverError):
    """A file of sentencing records cannot be read: the file, the data row and the column are named."""


# --- the tool's own data and environment ------------------------------------------------------


class LawDataError(PlealeverError):
    """The bundled law data is inconsistent: a defect in the tool, not in the user's input."""

    exit_code = 3
    http_status = 500


class RenderError(PlealeverError):
    """A document could not be produced from an analysis (e.g. the analysis lacks a part it needs)."""

    exit_code = 3
    http_status = 500


class MissingExtraError(PlealeverError):
    """An optional dependency the command needs is not installed; the message names the extra."""

    exit_code = 3
    http_status = 501


# --- the case store ---------------------------------------------------------------------------


class StoreError(PlealeverError):
    """The case store refused an operation (bad id, bad data, conflict)."""


class NotFoundError(StoreError):
    """No case (or version) with that id."""

    http_status = 404


class ConflictError(StoreError):
    """The case changed since it was opened; the save would overwrite someone else's edit."""

    http_status = 409


class DatabaseError(StoreError):
    """The database cannot be reached or used."""

    http_status = 503
