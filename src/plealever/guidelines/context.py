"""Shared state of one calculation: the case, the edition, findings in force, and the step log."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from plealever.case.model import Case
from plealever.errors import LawDataError, UnknownPinError
from plealever.guidelines.trace import Step
from plealever.law.rulebook import Rulebook, Version

_ARCHIVED = re.compile(r"^manual-\d{4}-")
_PIN_PREFIX = re.compile(r"^\s*(?:U\.?S\.?S\.?G\.?)?\s*§?\s*", re.I)


def normalize_pin(text: str) -> str:
    """'USSG §2G2.2(b)(7)(D)' -> '2G2.2(b)(7)(D)'."""
    return re.sub(r"\s+", "", _PIN_PREFIX.sub("", text))


def check_pins(book: Rulebook, pins: list[str], *, field_name: str, source: str | None) -> list[str]:
    known = book.known_pins()
    out = []
    for i, raw in enumerate(pins):
        pin = normalize_pin(raw)
        if pin not in known:
            raise UnknownPinError(
                f"unknown provision {raw!r}; expected a modelled pin such as 2G2.2(b)(4)(A) "
                "(`plealever rules show SECTION` lists them)",
                file=source,
                field=f"{field_name}[{i}]",
            )
        out.append(pin)
    return out


def _covers(listed: set[str], pin: str) -> bool:
    """A listed pin covers itself and its limbs: 2G2.2(b)(3) covers 2G2.2(b)(3)(B)."""
    return any(pin == p or pin.startswith(p + "(") for p in listed)


@dataclass
class Scope:
    """Findings that bear on one group: the case's plus those given on the group's counts.

    A finding may name a clause the Manual pins inside a provision (2G2.1(b)(6)(B)): it finds the
    provision, and the step shows the clause. A clause listed as not applicable leaves the others open.
    """

    findings: set[str]
    not_applicable: set[str]
    clauses: dict[str, str] = field(default_factory=dict)  # provision pin -> the clause pin found

    @classmethod
    def build(cls, book: Rulebook, findings: set[str], not_applicable: set[str]) -> Scope:
        found, clauses = set(), {}
        for pin in findings:
            parent = book.clause_of(pin)
            if parent is None:
                found.add(pin)
            elif not _covers(not_applicable, pin):
                found.add(parent)
                clauses.setdefault(parent, pin)
        excluded = {p for p in not_applicable if book.clause_of(p) is None}
        for provision in book.provisions.values():
            top = [c for c in provision.clauses if not any(c != o and c.startswith(o) for o in provision.clauses)]
            if top and all(provision.pin + c in not_applicable for c in top):
                excluded.add(provision.pin)
        return cls(found, excluded, clauses)

    def found(self, pin: str) -> bool:
        return pin in self.findings

    def shown(self, pin: str) -> str:
        """The pin a step for `pin` shows: the clause found, if a finding named one."""
        return self.clauses.get(pin, pin)

    def excluded(self, pin: str) -> bool:
        return _covers(self.not_applicable, pin)

    def found_limb(self, pin: str) -> list[str]:
        return [p for p in self.findings if p.startswith(pin + "(")]


@dataclass
class Ctx:
    case: Case
    book: Rulebook
    edition: dt.date
    warnings: list[str] = field(default_factory=list)
    used_findings: set[str] = field(default_factory=set)
    unknown_facts: set[str] = field(default_factory=set)
    statutory_prior: bool = False  # a prior that triggers the statutes' recidivist tiers
    minor_sex_offense_prior: bool = False  # a § 2426(b) sex offense conviction, for §4B1.5(a)
    priors: Any = None  # guidelines.priors.Priors: what each recidivist rule rests on, dates included

    def __post_init__(self) -> None:
        # In an edition not fully read, a provision carried forward from an earlier version is unverified.
        edition = self.book.edition(self.edition)
        self.edition_verified = edition.verified
        self.downgrade_carried_forward = edition.carried_forward_unverified

    def version(self, pin: str) -> Version | None:
        return self.book.at(pin, self.edition)

    def required(self, pin: str) -> Version:
        """The version of a provision the calculation cannot do without; its absence is a data defect."""
        version = self.book.at(pin, self.edition)
        if version is None:
            raise LawDataError(f"the law data has no version of §{pin} in force in the {self.edition} Manual")
        return version

    def citation(self, pin: str, version: Version | None) -> str:
        year = self.edition.year
        cite = f"USSG §{pin} (Nov. 1, {year} Manual)"
        if version is not None and version.authorities:
            extra = [
                self.book.authorities[a].cite
                for a in version.authorities
                if not a.startswith("ussg-") and not a.startswith("manual-")
            ]
            if extra:
                cite += "; " + "; ".join(extra)
        return cite

    def step(
        self,
        pin: str,
        levels: int,
        reason: str,
        *,
        status: str = "applied",
        version: Version | None = None,
        certainty: str | None = None,
        group: str | None = None,
        cite_pin: str | None = None,
    ) -> Step:
        version = version if version is not None else self._safe_version(cite_pin or pin)
        provision_pin = cite_pin or pin
        section = self.book.provisions.get(provision_pin)
        # An archived Manual's section (manual-2005-4A1, ...) is cited only in the edition it was read for.
        authorities = [
            a
            for a in (version.authorities if version else [])
            if not _ARCHIVED.match(a) or self.edition in self.book.authorities[a].editions_read
        ]
        if section is not None:
            for a in self.book.sections[section.section].authorities:
                if a not in authorities:
                    authorities.insert(0, a)
        if certainty is None:
            certainty = self.book.certainty_in(version, self.edition) if version else "verified"
        if (
            self.downgrade_carried_forward
            and certainty == "verified"
            and (version is None or version.effective < self.edition)
        ):
            certainty = "unverified"
        return Step(
            pin=pin,
            levels=levels if status == "applied" else 0,
            reason=reason,
            status=status,  # type: ignore[arg-type]
            citation=self.citation(pin, version),
            authorities=authorities,
            certainty=certainty,  # type: ignore[arg-type]
            group=group,
        )

    def _safe_version(self, pin: str) -> Version | None:
        if pin in self.book.provisions:
            return self.version(pin)
        return None
