"""Load and validate the law data in ``law/data``; answer "what does provision P say in edition E?".

The YAML files are validated once into typed models, so a defect in the data fails at load with the
file and key, not later in a calculation: duplicate keys, a version dated on a day that is no Manual
edition, a `when` condition on a fact the case model lacks, a typo'd key in a document. Lookups by
(pin, edition) pick the version in force (law/dated.py). The validated rulebook is cached on disk by
the digest of the data, so a new process does not parse and validate the YAML again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plealever.errors import LawDataError
from plealever.law.circuit_law import CircuitLaw
from plealever.law.dated import in_force

Certainty = Literal["verified", "unverified", "contested"]
# Files that are structured documents rather than guideline sections; each is validated against its
# model in law/documents.py, and every `authorities` list in them is checked against the registry here.
DOCUMENTS = (
    "facts.yaml",
    "mitigation-rubric.yaml",
    "negotiation-policy.yaml",
    "consequences.yaml",
    "outcome-model.yaml",
    "investigation.yaml",
)
LIFE = "life"
# Bumped when the Rulebook's shape changes, so an old on-disk cache is never read into new code.
_CACHE_FORMAT = 2


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (when PyYAML has it) that refuses a key given twice in one mapping: YAML
    would silently keep the last, and a provision would lose a fact without a word."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML's signature
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise LawDataError(
                    f"key {key!r} is given twice (lines {seen[key]} and {line})", field=str(key)
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _increasing(versions: list, what: str) -> list:
    """Dated versions must be listed oldest first, one per date (the in-force rule relies on it)."""
    dates = [v.effective for v in versions]
    if not versions or dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ValueError(f"{what} must be non-empty with strictly increasing effective dates")
    return versions


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Authority(_Strict):
    cite: str
    url: str
    year: int | None = None
    proposition: str | None = None
    verified: bool = True
    note: str | None = None
    # Editions (effective dates) whose text of the provisions citing this source was read in it: the
    # Manual itself, an amendment's inserted text, or an archived Manual's section. A provision version
    # is `verified` for an edition before 2025 only through such a source (tests/test_certainty.py).
    editions_read: list[dt.date] = Field(default_factory=list)


class TableRow(_Strict):
    limb: str
    at_least: int
    levels: int


class Version(_Strict):
    """One dated version of a provision. Which fields are set depends on the provision's kind."""

    effective: dt.date
    authorities: list[str]
    certainty: Certainty
    note: str | None = None
    deleted: bool = False
    levels: int | None = None
    minimum: int | None = None
    max_levels: int | None = None
    threshold: int | None = None
    floor: int | None = None
    minimum_other_points: int | None = None
    minimum_category: str | None = None
    statutes: list[str] | None = None
    when: dict[str, Any] | None = None
    table: list[dict[str, Any]] | None = None
    table_ref: str | None = None
    images_per_video: int | None = None
    rows: list[dict[str, Any]] | None = None
    bands: list[dict[str, Any]] | None = None
    units: list[dict[str, Any]] | None = None
    increase: list[dict[str, Any]] | None = None
    cap: int | None = None
    requires_violent_lead: bool | None = None
    pin: str | None = None
    reduced_levels: int | None = None
    window_years: int | None = None
    rule: str | None = None
    traffic_stop_is_arrest: bool | Literal["unsettled"] | None = None
    c1: list[str] | None = None
    c2: list[str] | None = None
    always_counted: list[str] | None = None
    c1_probation_over_months: int | None = None
    c1_imprisonment_at_least_days: int | None = None
    long_sentence_over_months: int | None = None
    long_window_years: int | None = None
    other_window_years: int | None = None
    two_point_at_least_days: int | None = None
    # Conditions on the count the provision can apply to, from its own text: the base offense level that
    # must apply (`base`), statutes of conviction it needs (`statutes`) or excludes (`not_statutes`).
    # A statute entry matches its subsections: "2421A" covers "2421A(b)(2)".
    conditions: dict[str, list[str]] | None = None
    # Amendment 801: since Nov. 1, 2016 some distribution limbs need knowing conduct ("required"); before,
    # the circuits split on whether they did ("split"). Read against facts.distribution_knowing.
    knowledge: Literal["required", "split"] | None = None
    grouped_under_d: list[str] | None = None
    excluded_from_d: list[str] | None = None
    excluded_chapters: list[str] | None = None
    excepted_classes: list[str] | None = None  # offense classes of those chapters the exclusion spares


class Provision(_Strict):
    pin: str
    section: str
    label: str
    kind: str = "characteristic"
    select: Literal["greatest", "least"] | None = None
    target: str | None = None
    excludes: list[str] = Field(default_factory=list)
    excluded_by: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    # The Manual's own pins for alternative clauses that share the provision's levels, e.g. "(A)" and
    # "(B)" of §2G2.1(b)(6): a finding may name a clause; the provision applies once.
    clauses: list[str] = Field(default_factory=list)
    note: str | None = None
    versions: list[Version]

    @field_validator("versions")
    @classmethod
    def _ordered(cls, versions: list[Version]) -> list[Version]:
        return _increasing(versions, "versions")

    def at(self, edition: dt.date) -> Version | None:
        """The version in force in `edition`, or None if the provision did not exist then."""
        found = in_force(self.versions, edition)
        if found is None or found.deleted:
            return None
        return found


class Section(_Strict):
    section: str
    title: str
    authorities: list[str]
    special_instruction: dict[str, str] | None = None
    provisions: dict[str, dict[str, Any]]


class Penalty(_Strict):
    min: int
    max: int | Literal["life"]


class PenaltyVersion(_Strict):
    effective: dt.date
    base: Penalty
    prior: Penalty | None = None
    # The statute's own tier for two or more qualifying priors (e.g. § 2251(e)); shown, not applied,
    # because the case file counts priors by record and which of them qualify is a legal question.
    two_or_more_priors: Penalty | None = None
    prepubescent: Penalty | None = None
    authorities: list[str]
    certainty: Certainty
    note: str | None = None


class Statute(_Strict):
    key: str
    label: str
    guideline: str
    offense_class: str = Field(alias="class")
    chapter: str
    penalties: list[PenaltyVersion]
    # Months of supervised release § 3583(b) allows for an offense § 3583(k) does not list; None for
    # the offenses § 3583(k) covers (5 years to life).
    supervised_release_max: int | None = None
    # Inchoate forms the statute itself punishes as the completed offense ("attempts or conspires").
    inchoate: list[Literal["attempt", "conspiracy"]] = Field(default_factory=list)
    # A "Federal sex offense" under 18 U.S.C. § 3559(e)(2)(A): life after a qualifying prior (warned).
    mandatory_life_3559e: bool = False
    note: str | None = None

    @field_validator("penalties")
    @classmethod
    def _ordered(cls, versions: list[PenaltyVersion]) -> list[PenaltyVersion]:
        return _increasing(versions, "penalties")

    def at(self, offense_date: dt.date) -> PenaltyVersion | None:
        return in_force(self.penalties, offense_date)


class RepeatOffender(_Strict):
    """A recidivist increase in the maximum for a whole chapter, e.g. 18 U.S.C. § 2426(a)."""

    effective: dt.date
    chapters: list[str]
    multiplier: int
    authorities: list[str]
    certainty: Certainty
    note: str | None = None


class SupervisedRelease(_Strict):
    effective: dt.date
    min: int
    max: int | Literal["life"]
    authorities: list[str]
    certainty: Certainty
    note: str | None = None


class Edition(_Strict):
    effective: dt.date
    authorities: list[str]
    verified: bool
    carried_forward_unverified: bool = False
    note: str | None = None


class Rulebook:
    """Every provision, statute, edition and authority, validated and indexed."""

    def __init__(self, files: dict[str, str]):
        self.provisions: dict[str, Provision] = {}
        self.sections: dict[str, Section] = {}
        self.statutes: dict[str, Statute] = {}
        self.authorities: dict[str, Authority] = {}
        self.editions: list[Edition] = []
        self.supervised_release: list[SupervisedRelease] = []
        self.repeat_offender: list[RepeatOffender] = []
        self.table: dict[int, list[tuple[int, int | str]]] = {}
        self.categories: list[str] = []
        self.zones: list[dict[str, Any]] = []
        self.documents: dict[str, dict[str, Any]] = {}
        self.circuit_law: CircuitLaw | None = None
        self.digest = digest(files)
        for name in sorted(files):
            self._load(name, files[name])
        self._check_references()
        self._check_dates()
        self._check_conditions()

    def _load(self, name: str, text: str) -> None:
        from plealever.law.documents import DOCUMENT_MODELS

        where = f"law/data/{name}"
        try:
            data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader
            if not isinstance(data, dict):
                raise LawDataError("expected a mapping at the top level", file=where)
            if name == "authorities.yaml":
                for key, value in data["authorities"].items():
                    self.authorities[key] = Authority(**value)
            elif name == "editions.yaml":
                self.earliest = dt.date.fromisoformat(str(data["earliest_supported"]))
                self.editions = [Edition(**e) for e in data["editions"]]
            elif name == "statutes.yaml":
                for key, value in data["statutes"].items():
                    self.statutes[key] = Statute(key=key, **value)
                self.supervised_release = [SupervisedRelease(**v) for v in data["supervised_release"]]
                self.repeat_offender = [RepeatOffender(**v) for v in data.get("repeat_offender", [])]
            elif name == "circuit-law.yaml":
                self.circuit_law = CircuitLaw(**data)
            elif name in DOCUMENTS:
                key = name.removesuffix(".yaml")
                DOCUMENT_MODELS[key].model_validate(data)
                self.documents[key] = data
            elif name == "sentencing-table.yaml":
                self.categories = list(data["categories"])
                for level, cells in data["rows"].items():
                    self.table[int(level)] = [tuple(cell) for cell in cells]
                self.zones = list(data["zones"])
                self.table_authorities = list(data["authorities"])
            else:
                section = Section(**data)
                self.sections[section.section] = section
                for pin, body in section.provisions.items():
                    if pin in self.provisions:
                        raise ValueError(f"provision {pin} is defined twice")
                    self.provisions[pin] = Provision(pin=pin, section=section.section, **body)
        except LawDataError as exc:
            exc.file = exc.file or where
            raise
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
            raise LawDataError(f"{first['msg']}{more}", file=where, field=loc or None) from exc
        except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
            raise LawDataError(f"invalid law data: {' '.join(str(exc).split())}", file=where) from exc

    def _check_references(self) -> None:
        from plealever.law.documents import check_levers

        for provision in self.provisions.values():
            for version in provision.versions:
                for ref in version.authorities:
                    if ref not in self.authorities:
                        raise LawDataError(f"{provision.pin} cites unknown authority {ref!r}")
        for statute in self.statutes.values():
            for version in statute.penalties:
                for ref in version.authorities:
                    if ref not in self.authorities:
                        raise LawDataError(f"statute {statute.key} cites unknown authority {ref!r}")
        others = [(f"section {k}", v.authorities) for k, v in self.sections.items()]
        others += [(f"edition {e.effective}", e.authorities) for e in self.editions]
        others += [(f"supervised release from {v.effective}", v.authorities) for v in self.supervised_release]
        others += [(f"repeat_offender from {v.effective}", v.authorities) for v in self.repeat_offender]
        others += [("the Sentencing Table", getattr(self, "table_authorities", []))]
        for what, refs in others:
            for ref in refs:
                if ref not in self.authorities:
                    raise LawDataError(f"{what} cites unknown authority {ref!r}")
        for doc, refs in self._document_refs():
            for ref in refs:
                if ref not in self.authorities:
                    raise LawDataError(f"law/data/{doc}.yaml cites unknown authority {ref!r}")
        # circuit-law.yaml is checked when present (the bundled data has it; a test holds that), so a
        # minimal rulebook built for a test of something else need not carry it.
        for ref in self.circuit_law.authority_ids() if self.circuit_law is not None else []:
            if ref not in self.authorities:
                raise LawDataError(f"law/data/circuit-law.yaml cites unknown authority {ref!r}")
        if sorted(self.table) != list(range(1, 44)) or any(len(r) != 6 for r in self.table.values()):
            raise LawDataError("the Sentencing Table must have levels 1-43 with six categories each")
        if {"mitigation-rubric", "negotiation-policy"} <= set(self.documents):
            for problem in check_levers(self.documents):
                raise LawDataError(problem, file="law/data/negotiation-policy.yaml")

    def _check_dates(self) -> None:
        """Editions in order; every provision version takes effect on the date of a Manual edition."""
        dates = self.edition_dates()
        if not dates or dates != sorted(set(dates)):
            raise LawDataError(
                "editions must be listed once each, oldest first", file="law/data/editions.yaml"
            )
        known = set(dates)
        for provision in self.provisions.values():
            for version in provision.versions:
                if version.effective not in known:
                    raise LawDataError(
                        f"version dated {version.effective} is not the effective date of a Manual edition "
                        "in editions.yaml",
                        file=f"law/data/{provision.section}.yaml",
                        field=f"{provision.pin}.versions",
                    )
        starts = [v.effective for v in self.supervised_release]
        if starts != sorted(starts):
            raise LawDataError(
                "supervised_release versions must be oldest first", file="law/data/statutes.yaml"
            )

    def _check_conditions(self) -> None:
        """A `when` names a fact the case model has, with a value that fact can take."""
        vocabulary = self.documents.get("facts", {}).get("facts")
        if vocabulary is None:
            return
        for provision in self.provisions.values():
            for version in provision.versions:
                for fact, value in (version.when or {}).items():
                    where = {"file": f"law/data/{provision.section}.yaml", "field": f"{provision.pin}.when"}
                    if fact not in vocabulary:
                        raise LawDataError(
                            f"condition on {fact!r}, which is not a fact the case file can state "
                            "(law/data/facts.yaml)",
                            **where,
                        )
                    if value not in vocabulary[fact]["values"]:
                        raise LawDataError(
                            f"condition {fact} = {value!r}, which that fact cannot take; expected one of "
                            + ", ".join(map(str, vocabulary[fact]["values"])),
                            **where,
                        )

    def _document_refs(self):
        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "authorities" and isinstance(value, list):
                        yield from value
                    elif key in ("accepted", "skeptical", "rejected") and isinstance(value, dict):
                        for refs in value.values():
                            yield from refs
                    elif key == "general" and isinstance(value, list):
                        yield from value
                    else:
                        yield from walk(value)
            elif isinstance(node, list):
                for item in node:
                    yield from walk(item)

        for name, doc in self.documents.items():
            yield name, list(walk(doc))

    # --- lookups -------------------------------------------------------------------------------

    def provision(self, pin: str) -> Provision:
        try:
            return self.provisions[pin]
        except KeyError:
            raise LawDataError(f"no provision {pin} in the law data") from None

    def at(self, pin: str, edition: dt.date) -> Version | None:
        return self.provision(pin).at(edition)

    def limbs(self, pin: str) -> list[str]:
        """Pins of the lettered limbs of `pin`, in the Manual's order: (b)(3) -> (b)(3)(A)...(F)."""
        return [p for p in self.provisions if p.startswith(pin + "(") and p.count("(") == pin.count("(") + 1]

    def known_pins(self) -> set[str]:
        """Every pin a finding may name, including table limbs such as 2G2.2(b)(7)(D)."""
        pins = set(self.provisions)
        for provision in self.provisions.values():
            pins.update(provision.pin + clause for clause in provision.clauses)
            for version in provision.versions:
                for row in version.table or []:
                    if "limb" in row:
                        pins.add(f"{provision.pin}({row['limb']})")
        return pins

    def clause_of(self, pin: str) -> str | None:
        """The provision a clause pin belongs to: '2G2.1(b)(6)(B)' -> '2G2.1(b)(6)'; None otherwise."""
        for provision in self.provisions.values():
            if pin.startswith(provision.pin) and pin[len(provision.pin) :] in provision.clauses:
                return provision.pin
        return None

    def read_for(self, version: Version, edition: dt.date) -> bool:
        """Whether the text of `version` in `edition` was read in one of the sources it cites."""
        return any(edition in self.authorities[a].editions_read for a in version.authorities)

    def certainty_in(self, version: Version, edition: dt.date) -> Certainty:
        """How sure the law data is of `version` in `edition`: a version read for that edition (the 2025
        Manual, an amendment, an archived section) prints verified there even if its history before is not
        confirmed; a contested reading stays contested."""
        if version.certainty == "unverified" and self.read_for(version, edition):
            return "verified"
        if version.certainty == "verified" and version.effective < edition and not self.read_for(version, edition):
            # An edition whose amendments were not read: whatever it carries forward is unverified.
            info = next((e for e in self.editions if e.effective == edition), None)
            if info is not None and info.carried_forward_unverified:
                return "unverified"
        return version.certainty

    def cite(self, ids: list[str]) -> str:
        return "; ".join(self.authorities[i].cite for i in ids)

    def edition_dates(self) -> list[dt.date]:
        return [e.effective for e in self.editions]

    def edition_at(self, day: dt.date) -> Edition | None:
        """The edition in force on `day` (None before the earliest modelled)."""
        return in_force(self.editions, day)

    def edition(self, effective: dt.date) -> Edition:
        for e in self.editions:
            if e.effective == effective:
                return e
        raise LawDataError(f"no edition {effective}")


def digest(files: dict[str, str]) -> str:
    return hashlib.sha256("\0".join(f"{k}\0{files[k]}" for k in sorted(files)).encode()).hexdigest()


def _bundled_files() -> dict[str, str]:
    folder = resources.files("plealever.law") / "data"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".yaml")}


def _cache_path(key: str) -> Path:
    from platformdirs import user_cache_dir

    base = Path(os.environ.get("PLEALEVER_CACHE_DIR") or user_cache_dir("plealever", appauthor=False))
    return base / f"rulebook-{key[:32]}.pickle"


@cache
def rulebook() -> Rulebook:
    """The bundled law data, loaded once per process.

    The validated rulebook is kept in the user's cache folder under the digest of the data files (and
    the Python and cache-format versions): a new process reads that instead of parsing and validating
    the YAML again. The cache holds only the bundled law data, never case data. A missing, stale or
    unreadable cache is rebuilt; one that cannot be written is simply not kept."""
    files = _bundled_files()
    key = hashlib.sha256(f"{digest(files)}:{_CACHE_FORMAT}:{sys.version_info[:2]}".encode()).hexdigest()
    path = _cache_path(key)
    try:
        with open(path, "rb") as fh:
            book = pickle.load(fh)  # noqa: S301 - a file this function wrote, named by its digest
        if isinstance(book, Rulebook) and book.digest == digest(files):
            return book
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    book = Rulebook(files)
    _write_cache(path, book)
    return book


def _write_cache(path: Path, book: Rulebook) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".rulebook.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(book, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        return  # a read-only or full disk only costs the next process the YAML parse
