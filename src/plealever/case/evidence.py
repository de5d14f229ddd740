"""Mitigation evidence, the prosecutor and court profile, and the case's deadlines (case-file input).

Each evidence item names its `kind`; the fields it may carry depend on the kind, and unknown fields
are rejected so a typo never silently drops a fact.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Source = Literal[
    "licensed_psychologist",
    "psychiatrist",
    "forensic_specialist",
    "treating_clinician",
    "family",
    "friend",
    "employer",
    "clergy",
    "teacher",
    "community",
    "forensic_examiner",
    "government_discovery",
    "defendant",
    "records_custodian",
    "other",
]
Status = Literal["sought", "in_hand", "disclosed"]
PROFESSIONAL = ("licensed_psychologist", "psychiatrist", "forensic_specialist")


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    label: str = Field(min_length=1, description="How the assessment names this item.")
    date: dt.date | None = Field(None, description="Date of the item, or the date expected if still sought.")
    source: Source = Field(description="Who made or supplied it.")
    author: str | None = Field(None, description="Name and credentials, e.g. 'Dr. A, licensed psychologist'.")
    status: Status = Field(description="sought (not yet in hand), in_hand, or disclosed (to the government).")
    privileged: bool = Field(False, description="Held under privilege or work product.")
    notes: str | None = None


class PsychEvaluation(_Item):
    kind: Literal["psych_evaluation"]
    evaluation_type: Literal["psychological", "psychosexual"] = "psychological"
    diagnoses: list[str] = Field(default_factory=list)
    nexus_to_conduct: Literal["none", "asserted", "explained"] = Field(
        "none", description="How the evaluation ties the condition to the conduct."
    )
    recidivism_opinion: Literal["low", "moderate", "high", "none"] = "none"
    insanity_opinion: bool = Field(
        False,
        description="Opines a severe disease left the defendant unable to appreciate wrongfulness (18 U.S.C. § 17).",
    )


class TreatmentRecords(_Item):
    kind: Literal["treatment_records"]
    period: Literal["before_arrest", "after_arrest"]
    diagnoses: list[str] = Field(default_factory=list)


class RiskAssessment(_Item):
    kind: Literal["risk_assessment"]
    instrument: str = Field(description="e.g. CPORT, Static-99R")
    score: float | None = None
    risk_band: Literal["low", "moderate", "high"]
    validated_for_offense: bool = Field(
        description="The instrument is validated for this kind of offender (e.g. CPORT for these offenses)."
    )


class SexOffenseTreatment(_Item):
    kind: Literal["sex_offense_treatment"]
    progress: Literal["enrolled", "engaged", "completed"]


class SupportLetter(_Item):
    kind: Literal["support_letter"]
    relationship: Literal["family", "friend", "employer", "clergy", "community", "other"]
    knows_of_offense: bool = Field(description="The writer knows what the defendant is charged with.")


class History(_Item):
    kind: Literal[
        "employment",
        "education",
        "military_service",
        "family_responsibilities",
        "physical_health",
        "age",
        "trauma_history",
        "post_offense_rehabilitation",
    ]
    detail: str | None = None
    corroborated_by_records: bool = Field(
        description="Documented by records, not only the defendant's account."
    )


class CoercionDuress(_Item):
    kind: Literal["coercion_duress"]
    threat: Literal["death_or_serious_injury", "sexual_violence", "exposure", "financial", "other"]
    made_by: str
    threat_date: dt.date | None = None
    immediate: bool = Field(description="Present, immediate or impending when the conduct occurred.")
    reasonable_escape: bool = Field(
        description="The defendant had a reasonable opportunity to escape or report."
    )
    independent_corroboration: list[str] = Field(
        default_factory=list, description="Independent evidence: messages, witnesses, reports."
    )
    reported_at_the_time: bool = False


Inducement = Literal[
    "sympathy",
    "friendship_or_romance",
    "persistence",
    "pressure_or_threats",
    "promised_benefit",
    "normalization",
]


class Entrapment(_Item):
    kind: Literal["entrapment"]
    initiated_by: Literal["government", "defendant", "third_party", "unknown"]
    government_approaches: int = Field(0, ge=0)
    inducements: list[Inducement] = Field(default_factory=list)
    defendant_reluctance: bool = False
    prior_interest_or_collection: bool = Field(
        description="Interest in or collection of such material before government contact (predisposition)."
    )
    prior_related_conviction: bool = False
    ready_response: bool = Field(False, description="Agreed readily at the first approach.")


ForensicIssue = Literal[
    "shared_device",
    "automatic_file_sharing",
    "cache_or_unallocated_only",
    "timestamps_inconsistent",
    "no_user_interaction",
]


class Knowledge(_Item):
    kind: Literal["knowledge_forensic"]
    issues: list[ForensicIssue] = Field(min_length=1)
    defense_examiner: bool = Field(description="A defense forensic examiner reviewed the device images.")


class Cooperation(_Item):
    kind: Literal["cooperation"]
    value: Literal["low", "moderate", "high"]
    early: bool = Field(description="Can be offered early, while still useful.")
    safety_risk: bool = False


EvidenceItem = Annotated[
    PsychEvaluation
    | TreatmentRecords
    | RiskAssessment
    | SexOffenseTreatment
    | SupportLetter
    | History
    | CoercionDuress
    | Entrapment
    | Knowledge
    | Cooperation,
    Field(discriminator="kind"),
]


class Prosecutor(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    policy_era: (
        Literal["ashcroft_2003", "holder_2010", "sessions_2017", "garland_2022", "bondi_2025"] | None
    ) = Field(None, description="The Attorney General's charging memorandum in force (default: by the date).")
    office_rules: list[
        Literal[
            "no_charge_bargains",
            "no_plea_below_receipt",
            "no_binding_pleas",
            "no_variance_recommendations",
            "no_stipulations_against_facts",
        ]
    ] = Field(default_factory=list)
    public_safety: list[
        Literal[
            "contact_offense_history",
            "production_conduct",
            "access_to_children",
            "distribution_to_minors",
            "violence_or_threats",
        ]
    ] = Field(default_factory=list)
    supervisory_approval_obtained: bool = False
    evidence_strength: Literal["weak", "moderate", "strong"] = Field(
        "strong", description="The strength of the government's evidence, for the trial model."
    )


class Court(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    circuit: Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "DC"] | None = None
    district: str | None = Field(
        None,
        max_length=120,
        description="The district of sentencing: the Sentencing Commission's name (e.g. 'Texas East') or a "
        "common spelling ('E.D. Tex.', 'Eastern District of Texas'); it sets the circuit and the local "
        "practice the outcome model and the similar-offender panel use.",
    )
    judge_tendency: Literal["more_lenient", "typical", "less_lenient"] | None = Field(
        None,
        description="How the sentencing judge's record in these cases compares with the district's, if known.",
    )
    policy_disagreement_2G2_2: Literal["accepted", "skeptical", "unsettled"] | None = Field(
        None,
        description="The court's known stance on varying from §2G2.2 on policy grounds (else the circuit's).",
    )

    @model_validator(mode="after")
    def _district(self) -> Court:
        if self.district is None:
            return self
        from plealever.law.districts import names_hint, resolve

        found = resolve(self.district)
        if found is None:
            raise ValueError(
                f"{self.district!r} is not a federal district; expected a district in the Sentencing "
                f"Commission's list (its name, e.g. 'Texas East', or 'E.D. Tex.' or 'Eastern District of "
                f"Texas'): {names_hint()}"
            )
        if self.circuit is not None and self.circuit != found.circuit:
            raise ValueError(
                f"district {self.district!r} ({found.court_name}) is in circuit {found.circuit}, "
                f"not circuit {self.circuit}"
            )
        return self

    def district_record(self):
        """The district as the Commission codes it (plealever.law.districts.District), or None."""
        from plealever.law.districts import resolve

        return resolve(self.district) if self.district else None

    def effective_circuit(self) -> str | None:
        """The circuit given, else the district's."""
        d = self.district_record()
        return self.circuit or (d.circuit if d else None)


class Deadlines(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    plea_offer_expires: dt.date | None = None
    acceptance_timeliness: dt.date | None = Field(
        None, description="The last date a plea notice still lets the government avoid preparing for trial."
    )
    rule_12_2_notice: dt.date | None = None
    pretrial_motions: dt.date | None = None
    trial: dt.date | None = None
    psr_interview: dt.date | None = None
    sentencing_memo: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> Deadlines:
        if self.trial and self.pretrial_motions and self.pretrial_motions > self.trial:
            raise ValueError(f"pretrial_motions {self.pretrial_motions} is after trial {self.trial}")
        return self
