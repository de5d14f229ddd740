"""The input: a case file, validated into a Case, with contradictions flagged."""

from plealever.case.load import load_case, parse_case
from plealever.case.model import Case, Count, CriminalHistory, Facts

__all__ = ["Case", "Count", "CriminalHistory", "Facts", "load_case", "parse_case"]
