"""Typed model of law/data/circuit-law.yaml: what each circuit's law says on the trial defenses,
mental-condition evidence and the two variance arguments, and the frames that bind every circuit.

Loaded by the Rulebook; a defect (an unknown circuit, a missing topic, an element id outside the
vocabulary) fails at load with the file and the key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CIRCUITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "DC")
Stance = Literal["accepted", "skeptical", "rejected", "unsettled"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Element(_Strict):
    label: str
    authorities: list[str]


class Frame(_Strict):
    text: str
    authorities: list[str]


class GeneralDuress(Frame):
    elements: list[str]


class Rule(_Strict):
    """A circuit's rule on one topic, or `unsettled` when none was found."""

    status: Literal["settled", "unsettled"]
    text: str | None = None
    authorities: list[str] = Field(default_factory=list)
    elements: list[str] | None = None  # duress only

    @model_validator(mode="after")
    def _settled_has_text(self) -> Rule:
        if self.status == "settled" and (not self.text or not self.authorities):
            raise ValueError("a settled rule needs text and authorities")
        return self


class Position(_Strict):
    """A circuit's stance on a variance argument, with the cases behind it."""

    stance: Stance
    text: str | None = None
    authorities: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cited(self) -> Position:
        if self.stance != "unsettled" and not self.authorities:
            raise ValueError(f"stance {self.stance} needs authorities")
        return self


class Circuit(_Strict):
    name: str
    duress: Rule
    entrapment: Rule
    mental_condition: Rule
    policy_variance_2G2_2: Position
    sentencing_entrapment: Position


class General(_Strict):
    duress: GeneralDuress
    entrapment: Frame
    insanity: Frame
    mental_condition: Frame
    knowledge: Frame
    individualized_variance: Frame
    policy_variance: Frame
    departures_removed: Frame
    departures_limited: Frame
    cooperation: Frame


class MentalState(_Strict):
    classes: list[str]
    text: str
    authorities: list[str]
    what: dict[str, str] = Field(default_factory=dict)


class CircuitLaw(_Strict):
    templates: dict[Literal["unsettled", "no_circuit"], str]
    topics: dict[str, str]
    elements: dict[Literal["duress", "entrapment", "insanity", "knowledge"], dict[str, Element]]
    general: General
    mental_state: dict[Literal["knowing", "specific_intent"], MentalState]
    circuits: dict[str, Circuit]

    @model_validator(mode="after")
    def _complete(self) -> CircuitLaw:
        if sorted(self.circuits) != sorted(CIRCUITS):
            raise ValueError(f"circuits must be exactly {', '.join(CIRCUITS)}")
        duress = set(self.elements["duress"])
        for key, c in self.circuits.items():
            unknown = set(c.duress.elements or []) - duress
            if unknown:
                raise ValueError(f"circuit {key}: unknown duress elements {sorted(unknown)}")
        if set(self.general.duress.elements) - duress:
            raise ValueError("general.duress.elements names an unknown element")
        for spec in self.mental_state["specific_intent"].what:
            if spec not in self.mental_state["specific_intent"].classes:
                raise ValueError(f"mental_state.specific_intent.what names {spec!r}, not one of its classes")
        return self

    def authority_ids(self) -> list[str]:
        ids: list[str] = []
        for group in self.elements.values():
            for e in group.values():
                ids += e.authorities
        for name in General.model_fields:
            ids += getattr(self.general, name).authorities
        for m in self.mental_state.values():
            ids += m.authorities
        for c in self.circuits.values():
            for topic in (
                "duress",
                "entrapment",
                "mental_condition",
                "policy_variance_2G2_2",
                "sentencing_entrapment",
            ):
                ids += getattr(c, topic).authorities
        return ids

    def duress_elements(self, circuit: str | None) -> tuple[list[str], bool]:
        """The duress elements for `circuit`, and whether they are the circuit's own statement."""
        if circuit and self.circuits[circuit].duress.elements:
            return list(self.circuits[circuit].duress.elements or []), True
        return list(self.general.duress.elements), False

    def unsettled(self, circuit: str | None, topic: str) -> str:
        if circuit is None:
            return self.templates["no_circuit"]
        return self.templates["unsettled"].format(
            topic=self.topics[topic], circuit=self.circuits[circuit].name
        )
