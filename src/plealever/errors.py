"""One exception tree. Every error says where (file and field, or provision and edition) and how to fix it.

Only ``cli.py`` turns these into exit codes; nothing shows a user a traceback.
"""

from __future__ import annotations


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
        return " ".join(text.split())


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


class LawDataError(PlealeverError):
    """The bundled law data is inconsistent: a defect in the tool, not in the user's input."""


class RecordsError(PlealeverError):
    """A file of sentencing records cannot be read: the file, the data row and the column are named."""
