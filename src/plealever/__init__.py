"""plealever: sentencing exposure and plea-negotiation analysis for federal child-exploitation cases.

The public API is small and stable: load a case file, calculate its exposure.
"""

from plealever.case import Case, load_case, parse_case
from plealever.errors import PlealeverError
from plealever.guidelines import Calculation, Result, Step, calculate

__all__ = ["Calculation", "Case", "PlealeverError", "Result", "Step", "calculate", "load_case", "parse_case"]
__version__ = "0.1.0"
