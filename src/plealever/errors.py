"""One exception tree. Every error says where (file and field, or provision and edition) and how to fix it.

Only ``cli.py`` turns these into exit codes; nothing shows a user a traceback.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE = 500  # characters in one error line; anything longer is cut, never printed whole
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


class PlealeverError(Exception):
    """Base of every error the tool raises on purpose."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.field = field

    def one_line(self) -> str:
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.message}" if where else self.message
        # One line, printable whatever the input held (a lone surrogate would break the terminal's
        # encoder), and bounded: a message never carries a whole input.
        text = " ".join(text.split()).encode("utf-8", "backslashreplace").decode("utf-8")
        return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 15] + "... (cut short)"


class CaseFileError(PlealeverError):
    """The case file cannot be read or does not match the case model."""


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


class OutputError(PlealeverError):
    """An output file cannot be written where it was asked for (a folder, a missing folder, no room)."""


class LawDataError(PlealeverError):
    """The bundled law data is inconsistent: a defect in the tool, not in the user's input."""
