"""The federal districts in the Sentencing Commission's codes, their circuits, and the spellings accepted.

The list is data (districts.yaml, from the codebook's Attachment A-3); this module only builds the
accepted spellings from each district's state and division and resolves free text against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from plealever.errors import LawDataError

DIVISIONS = {  # the codebook's word -> the court's name for the district, and its Bluebook letter
    "North": ("Northern", "N"),
    "East": ("Eastern", "E"),
    "South": ("Southern", "S"),
    "West": ("Western", "W"),
    "Middle": ("Middle", "M"),
    "Central": ("Central", "C"),
}
SHORT = {"Middle": ("Mid",), "Central": ("Cent",)}  # the codebook abbreviates these two
# Districts written "District of the ...": the District of Columbia, the Virgin Islands and the Northern
# Mariana Islands (D.D.C., D.V.I., D.N. Mar. I.).
WITH_THE = {"District of Columbia", "Virgin Islands", "Northern Mariana Islands"}


@dataclass(frozen=True)
class District:
    code: int  # the Commission's DISTRICT code
    name: str  # the Commission's name (codebook Attachment A-3)
    circuit: str  # "1".."11" or "DC"
    state: str
    division: str | None

    @property
    def court_name(self) -> str:
        """'Eastern District of Texas', 'District of Oregon', 'District of the District of Columbia'."""
        if self.division:
            return f"{DIVISIONS[self.division][0]} District of {self.state}"
        the = "the " if self.state in WITH_THE else ""
        return f"District of {the}{self.state}"

    @property
    def circuit_name(self) -> str:
        return "D.C. Circuit" if self.circuit == "DC" else f"Circuit {self.circuit}"


_COURT = re.compile(r"^\s*(the\s+)?((united\s+states|u\.?\s*s\.?)\s+)?district\s+court\s+(for\s+)?(the\s+)?")


def _norm(text: str) -> str:
    text = _COURT.sub("", text.lower().replace("&", "and"))
    return re.sub(r"[^a-z0-9]", "", text)


def _spellings(d: District, abbr: str, postal: str) -> set[str]:
    names = {d.name, d.court_name, f"{d.state} {d.division or ''}"}
    if d.state in WITH_THE:
        names.add(f"District of {d.state}")  # as commonly written, without "the"
    if d.division:
        long, letter = DIVISIONS[d.division]
        names |= {
            f"{letter}.D. {abbr}",
            f"{letter}D{postal}",
            f"{d.state} {long}",
            f"{d.state} {long} District",
            f"{d.state}, {long} District",
            f"{long} {d.state}",
        }
        names |= {f"{d.state} {short}" for short in SHORT.get(d.division, ())}
    else:
        names |= {f"D. {abbr}", f"D{postal}", f"{d.state} District", d.state}
    return {_norm(n) for n in names}


@cache
def _load() -> tuple[dict[int, District], dict[str, District], dict]:
    doc = yaml.safe_load(resources.files("plealever.law").joinpath("districts.yaml").read_text())
    by_code: dict[int, District] = {}
    by_spelling: dict[str, District] = {}
    for row in doc["districts"]:
        d = District(int(row["code"]), row["name"], str(row["circuit"]), row["state"], row.get("division"))
        by_code[d.code] = d
        state = doc["states"][d.state]
        for s in _spellings(d, state["abbr"], state["postal"]):
            other = by_spelling.setdefault(s, d)
            if other is not d:
                raise LawDataError(f"the spelling {s!r} names two districts", file="law/districts.yaml")
    return by_code, by_spelling, doc["source"]


def by_code(code: int) -> District | None:
    return _load()[0].get(int(code))


def all_districts() -> list[District]:
    return sorted(_load()[0].values(), key=lambda d: (d.state, d.division or ""))


def codes() -> frozenset[int]:
    return frozenset(_load()[0])


def source() -> dict[str, str]:
    return dict(_load()[2])


def resolve(text: str) -> District | None:
    """The district a free-text name means, or None when it matches none of the list."""
    return _load()[1].get(_norm(text))


def circuit_of(code: int) -> str | None:
    d = by_code(code)
    return d.circuit if d else None


def closest(text: str, n: int = 3) -> list[District]:
    """The districts whose accepted spellings come closest to `text` (for a "did you mean")."""
    import difflib

    spellings = _load()[1]
    out: list[District] = []
    for key in difflib.get_close_matches(_norm(text), list(spellings), n=12, cutoff=0.6):
        if spellings[key] not in out:
            out.append(spellings[key])
    return out[:n]


def unknown_message(text: str) -> str:
    """Why `text` is refused: the nearest names, and where the whole list is (94 names are too many for
    one line of error)."""
    near = closest(text)
    hint = f"; did you mean {' or '.join(repr(d.name) for d in near)}?" if near else ""
    return (
        f"not a district in the Sentencing Commission's list{hint} (`plealever districts` lists all "
        f"{len(_load()[0])}, e.g. 'Texas East'; 'E.D. Tex.' and 'Eastern District of Texas' work too)"
    )
