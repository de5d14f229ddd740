"""The calculator: a case and the law data in, a traced Calculation out."""

from plealever.guidelines.engine import calculate
from plealever.guidelines.trace import Calculation, Result, Step

__all__ = ["Calculation", "Result", "Step", "calculate"]
