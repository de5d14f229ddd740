"""Mitigation evidence, the prosecutor and court profile, and the case's deadlines (case-file input).

Each evidence item names its `kind`; the fields it may carry depend on the kind, and unknown fields
are rejected so a typo never silently drops a fact.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from plealever.case.model_base import _Model

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
# The terms a disclosure was (or is to be) made under. Rule 11(f) / FRE 410 covers statements in plea
# discussions with an attorney for the government; a proffer agreement usually narrows it; a Kastigar
# (informal immunity) letter usually bars use and derivative use; a court order (e.g. Rule 12.2(c)(2)
# sealing, a protective order) limits use as it says.
Protection = Literal["none", "proffer_agreement", "rule_11f_410", "kastigar_letter", "court_order"]
Recipient = Literal[
    "prosecutor",
    "law_enforcement_agent",
    "probation_officer",
    "court",
    "government_examiner",
    "treatment_provider",
    "other",
]
DerivativeUse = Literal["permitted", "barred", "not_addressed"]
# What an item admits beyond the charged conduct; each can prove an enhancement or relevant conduct.
Admission = Literal[
    "uncharged_contact_offense",  # §2G2.2(b)(5) pattern of activity; §4B1.5(b) for covered sex crimes
    "additional_images_or_conduct",  # relevant conduct (§1B1.3): image count, other conduct
    "distribution",  # §2G2.2(b)(3)
    "sexual_interest_in_minors",  # predisposition (entrapment); risk
    "the_charged_conduct",  # knowing possession or receipt, the act itself
]
DISCLOSURE_TERMS = ("disclosed_on", "to_whom", "under", "derivative_use")


class _Item(_Model):
    label: str = Field(min_length=1, description="How the assessment names this item.")
    date: dt.date | None = Field(None, description="Date of the item, or the date expected if still sought.")
    source: Source = Field(description="Who made or supplied it.")
    author: str | None = Field(None, description="Name and credentials, e.g. 'Dr. A, licensed psychologist'.")
    status: Status = Field(description="sought (not yet in hand), in_hand, or disclosed (to the government).")
    privileged: bool = Field(False, description="Held under privilege or work product.")
    notes: str | None = None
    disclosed_on: dt.date | None = Field(None, description="When it was disclosed (status: disclosed).")
    to_whom: Recipient | None = Field(None, description="Who received it (status: disclosed).")
    under: Protection | None = Field(
        None,
        description="The protection it was disclosed under: none, proffer_agreement, rule_11f_410, "
        "kastigar_letter or court_order (status: disclosed).",
    )
    derivative_use: DerivativeUse | None = Field(
        None,
        description="Whether the terms let the government use leads derived from it: permitted, barred "
        "or not_addressed (status: disclosed; default: the usual terms of `under`, shown as assumed).",
    )
    admissions: list[Admission] = Field(
        default_factory=list,
        description="What the item admits beyond the charge: uncharged_contact_offense, "
        "additional_images_or_conduct, distribution, sexual_interest_in_minors, the_charged_conduct.",
    )

    @model_validator(mode="after")
    def _disclosure_terms(self):
        if self.status != "disclosed":
            given = [k for k in DISCLOSURE_TERMS if getattr(self, k) is not None]
            if given:
                raise ValueError(
                    f"{', '.join(given)} given but status is {self.status}: disclosure terms describe a "
                    "disclosure already made; set status: disclosed or remove them"
                )
        return self


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
    severe_disease_at_offense: bool = Field(
        False,
        description="Finds a severe mental disease or defect at the time of the offense (the first limb of § 17), "
        "whether or not it opines on appreciation of wrongfulness.",
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


Relationship = Literal["family", "friend", "employer", "clergy", "teacher", "community", "other"]


class SupportLetter(_Item):
    kind: Literal["support_letter"]
    relationship: Literal["family", "friend", "employer", "clergy", "community", "other"]
    knows_of_offense: bool = Field(description="The writer knows what the defendant is charged with.")
    describes_condition: str | None = Field(
        None,
        min_length=1,
        description="A condition the letter describes from the writer's own observation (e.g. 'depression "
        "since 2019'); the letter then also counts as lay mental-health evidence.",
    )


class LayAccount(_Item):
    """A family member's, employer's or clergy member's account of a condition: low-weight evidence
    that corroborates a diagnosis and its history, never proof of one by itself."""

    kind: Literal["lay_account"]
    relationship: Relationship
    condition: str = Field(min_length=1, description="What the witness describes, e.g. 'severe depression'.")
    observed: Literal["before_arrest", "after_arrest"] = Field(
        description="When the witness observed it; observations before the arrest carry more weight."
    )
    first_hand: bool = Field(True, description="The witness saw it, rather than being told of it.")


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
    maker_capable: bool | None = Field(
        None,
        description="The maker had shown the will and means to carry the threat out (prior violence, weapons, "
        "control): the grounds for a well-grounded fear. Omitted: unknown.",
    )
    placed_self_in_danger: bool | None = Field(
        None,
        description="The defendant recklessly or negligently placed himself where such a threat was probable. "
        "Omitted: unknown.",
    )
    threat_compelled_the_conduct: bool | None = Field(
        None,
        description="The threat was made to compel the charged conduct (the causal link some circuits require). "
        "Omitted: unknown.",
    )


ControlDomain = Literal[
    "devices", "accounts", "money", "movement", "housing", "communications", "documents", "employment"
]


class CoerciveControl(_Item):
    """A third party's control over the defendant's life: who, over what, for how long, and how it is
    shown. It grounds fear and the lack of a way out; a threat of death or injury is a separate item."""

    kind: Literal["coercive_control"]
    controller: str = Field(min_length=1, description="Who exercised the control (a role, not a name).")
    over: list[ControlDomain] = Field(
        min_length=1,
        description="devices, accounts, money, movement, housing, communications, documents, employment",
    )
    since: dt.date | None = None
    until: dt.date | None = None
    months: int | None = Field(None, ge=0, description="How long it lasted, if the dates are not known.")
    violence: bool = Field(False, description="The controller used or threatened violence.")
    independent_corroboration: list[str] = Field(
        default_factory=list, description="Independent evidence: messages, bank records, witnesses, reports."
    )
    reported_at_the_time: bool = False

    @model_validator(mode="after")
    def _period(self) -> CoerciveControl:
        if self.since and self.until and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")
        return self

    def duration_months(self) -> int | None:
        if self.months is not None:
            return self.months
        if self.since and self.until:
            return (self.until.year - self.since.year) * 12 + self.until.month - self.since.month
        return None


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
    devices_clean: bool | None = Field(
        None,
        description="A forensic search of the defendant's devices found no interest or material before government "
        "contact. Omitted: unknown.",
    )


ForensicIssue = Literal[
    "shared_device",
    "automatic_file_sharing",
    "cache_or_unallocated_only",
    "timestamps_inconsistent",
    "no_user_interaction",
]


# Forensic facts that show knowing possession or receipt; each lowers the knowledge factor.
InculpatoryFact = Literal[
    "user_created_folders",
    "organized_collection",
    "repeated_access",
    "search_terms",
    "admissions",
    "wiping_or_encryption",
]


class Knowledge(_Item):
    kind: Literal["knowledge_forensic"]
    issues: list[ForensicIssue] = Field(default_factory=list, description="Exculpatory forensic facts.")
    inculpatory: list[InculpatoryFact] | None = Field(
        None,
        description="Forensic facts showing knowledge (user-created folders, organisation, repeated access, search "
        "terms, admissions, wiping). [] means an examiner looked and found none; omitted means not known.",
    )
    defense_examiner: bool = Field(description="A defense forensic examiner reviewed the device images.")

    @model_validator(mode="after")
    def _something(self) -> Knowledge:
        if not self.issues and not self.inculpatory:
            raise ValueError("a knowledge_forensic item needs issues or inculpatory facts")
        return self


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
    | LayAccount
    | History
    | CoercionDuress
    | CoerciveControl
    | Entrapment
    | Knowledge
    | Cooperation,
    Field(discriminator="kind"),
]


class Prosecutor(_Model):
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


class Court(_Model):
    circuit: Literal["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "DC"] | None = None
    district: str | None = Field(
        None,
        max_length=120,
        description="The district of sentencing: the Sentencing Commission's name (e.g. 'Texas East') or a "
        "common spelling ('E.D. Tex.', 'Eastern District of Texas'); `plealever districts` lists them. It "
        "sets the circuit and the local practice the outcome model and the similar-offender panel use.",
    )
    judge_tendency: Literal["more_lenient", "typical", "less_lenient"] | None = Field(
        None,
        description="How the sentencing judge's record in these cases compares with the district's, if known.",
    )
    policy_disagreement_2G2_2: Literal["accepted", "skeptical", "unsettled"] | None = Field(
        None,
        description="The court's known stance on varying from §2G2.2 on policy grounds (else the circuit's).",
    )

    @field_validator("district")
    @classmethod
    def _known_district(cls, district: str | None) -> str | None:
        from plealever.law.districts import resolve, unknown_message

        if district is not None and resolve(district) is None:
            raise ValueError(unknown_message(district))
        return district

    @model_validator(mode="after")
    def _district(self) -> Court:
        if self.district is None:
            return self
        from plealever.law.districts import resolve

        found = resolve(self.district)
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


class Deadlines(_Model):
    proffer_session: dt.date | None = Field(None, description="A scheduled proffer (debriefing) session.")
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
