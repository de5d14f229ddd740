"""One exception tree. Every error says where (file and field, or provision and edition) and how to fix it.

Each class says how a face shows it: ``exit_code`` for the command line, ``http_status`` for the web
app and its API. Only ``cli.py`` and ``web/app.py`` read those, each in one place; nothing shows a
user a traceback.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE = 500  # characters in one error message (after its file and field); more is cut, never printed
QUOTE = 40  # characters of a value quoted in a message


def quote(value: Any) -> str:
    """A value as a message may show it: a short escaped prefix, never the repr of a whole input."""
    if isinstance(value, str):
        text = repr(value[:QUOTE])
        return text + f"... ({len(value)} characters)" if len(value) > QUOTE else text
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, int):
        return str(value) if -(10**20) < value < 10**20 else "a number with more than 20 digits"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__}"


def choices(names, limit: int = 240) -> str:
    """Names a message offers as the expected values, cut to a budget with a count: a message never
    grows with the data (a law-data file of 40 parameters or 30 statutes)."""
    names = [str(n) for n in names]
    out = ""
    for i, name in enumerate(names):
        piece = name if not out else f", {name}"
        if len(out) + len(piece) > limit:
            return f"{out}, ... ({len(names)} in all; {len(names) - i} not shown)"
        out += piece
    return out


def _clean(text: str, limit: int) -> str:
    text = " ".join(str(text).split()).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 15] + "... (cut short)"


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
        # One line, printable whatever the input held (a lone surrogate would break the terminal's
        # encoder), and bounded: a message never carries a whole input. The file's path is the user's
        # own and is shown whole; the message and the field are capped.
        parts = [_clean(self.file, 10**6) if self.file else "", _clean(self.field, 250) if self.field else ""]
        where = ": ".join(part for part in parts if part)
        text = _clean(self.message, MAX_MESSAGE)
        return f"{where}: {text}" if where else text


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


class InputRefusedError(CaseFileError):
    """The input breaks a rule of the case-file boundary: a duplicate key, a YAML tag or an ambiguous
    YAML number, or a fixed limit on size, nesting, aliases, numbers or text (case/boundary.py)."""


class TooLargeError(InputRefusedError):
    """The document is larger than the case-file limit."""

    http_status = 413


class RecordsError(PlealeverError):
    """A file of sentencing records cannot be read: the file, the data row and the column are named."""


class OutputError(PlealeverError):
    """An output file cannot be written where it was asked for (a folder, a missing folder, no room)."""


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
