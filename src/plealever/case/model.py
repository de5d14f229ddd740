"""The case model. Unknown keys are rejected; every field is documented (docs/case-file.md).

A fact left out is unknown, not false: the calculator does not apply a characteristic on an unknown
fact, and it says so in the worksheet and the warnings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from plealever.case.evidence import Court, Deadlines, EvidenceItem, Prosecutor
from plealever.case.model_base import Acceptance, Category, Count, Distribution, _Model
from plealever.case.negotiation import Negotiation
from plealever.case.scenario import ScenarioSpec
from plealever.errors import choices

# Sizes past any real case that keep every command's time bounded (a prior record's windows and
# single-sentence rules compare records pairwise; every count and scenario is computed).
MAX_COUNTS = 500
MAX_RECORDS = 100
MAX_ITEMS = 100
MAX_SCENARIOS = 30


class Facts(_Model):
    """Offense facts as the user states them. Omitted means unknown."""

    still_images: int | None = Field(None, ge=0, description="Still images (each counts as one).")
    videos: int | None = Field(
        None, ge=0, description="Videos or similar depictions (each counts as 75 images, §2G2.2 n.6)."
    )
    image_count: int | None = Field(
        None, ge=0, description="The already-counted image total (instead of still_images and videos)."
    )
    prepubescent: bool | None = Field(
        None, description="Material involved a prepubescent minor or a minor under 12."
    )
    sadistic_or_violent: bool | None = Field(
        None, description="Material portrays sadistic or masochistic conduct or other violence."
    )
    infant_or_toddler: bool | None = Field(
        None, description="Material portrays the sexual abuse or exploitation of an infant or toddler."
    )
    distribution: Distribution | None = Field(
        None,
        description="The most serious kind of distribution (§2G2.2(b)(3) limbs): pecuniary (A), "
        "thing_of_value (B), to_minor (C), to_minor_inducement (D), to_minor_sexual_conduct (E), knowing "
        "(F, any other distribution), none.",
    )
    distribution_knowing: bool | None = Field(
        None,
        description="Whether the defendant knowingly engaged in the distribution (e.g. knew the file-sharing "
        "program shared the files). Since Nov. 1, 2016 (amendment 801) §2G2.2(b)(3)(B) and (F) and "
        "§2G2.1(b)(3) need knowing conduct; before, (F) and §2G2.1(b)(3) reached any distribution the "
        "offense involved. Omitted: taken as the kind of distribution states (knowing).",
    )
    distribution_retail_value: float | None = Field(
        None, ge=0, description="Retail value in dollars of material distributed for pecuniary gain."
    )
    receipt_only_no_intent_to_distribute: bool | None = Field(
        None,
        description="Conduct limited to receipt or solicitation, with no intent to traffic or "
        "distribute (§2G2.2(b)(1)).",
    )
    pattern_of_activity: bool | None = Field(
        None,
        description="Two or more separate instances of sexual abuse or exploitation of a minor "
        "(§2G2.2(b)(5)).",
    )
    computer: bool | None = Field(
        None, description="A computer or interactive computer service was used (§2G2.2(b)(6))."
    )
    obstruction: bool | None = Field(None, description="Obstruction of justice (§3C1.1).")
    prior_sex_offense_conviction: bool | None = Field(
        None,
        description="A prior conviction that triggers the statutes' recidivist tiers. A legal finding: "
        "whether a prior qualifies turns on the statute's list and the categorical approach.",
    )
    pattern_of_prohibited_sexual_conduct: bool | None = Field(
        None,
        description="Two or more separate occasions of prohibited sexual conduct with a minor "
        "(§4B1.5(b)); only matters for covered sex crimes.",
    )
    sought_interstate_travel: bool | None = Field(
        None,
        description="The defendant tried to persuade a person to travel in interstate or foreign commerce for "
        "sexual activity (18 U.S.C. § 2422(a)); a plea to it avoids § 2422(b)'s minimum.",
    )
    transmitted_minor_information: bool | None = Field(
        None,
        description="The defendant transmitted a minor's name, address, number or e-mail address to entice "
        "sexual activity (18 U.S.C. § 2425).",
    )
    obscene_matter_to_minor: bool | None = Field(
        None,
        description="The defendant sent obscene matter to a person he believed was under 16 (18 U.S.C. § 1470).",
    )
    early_disposition_levels: int | None = Field(
        None,
        ge=0,
        le=4,
        description="Levels of an early disposition decrease moved for by the government (§3F1.1, "
        "Manuals from Nov. 2025).",
    )


UnderSentence = Literal[
    "none", "probation", "parole", "supervised_release", "imprisonment", "work_release", "escape"
]
Ternary = Literal["yes", "no", "undecided"]


class PriorRecord(_Model):
    """One prior conviction or adjudication, as the presentence report or the record shows it."""

    label: str = Field(
        min_length=1, description="How the worksheet names this record, e.g. 'State burglary 2009'."
    )
    description: str | None = Field(None, description="The offense, in words.")
    offense_date: dt.date | None = Field(None, description="Date of the prior offense.")
    sentence_date: dt.date | None = Field(
        None, description="Date the sentence was imposed (omit only with convicted_not_sentenced)."
    )
    conviction_date: dt.date | None = Field(
        None,
        description="Date guilt was established (plea, verdict or nolo plea). §4B1.5(a) and the statutes' "
        "recidivist tiers ask whether the instant offense came after the conviction, not the sentence.",
    )
    release_date: dt.date | None = Field(
        None, description="Last release from confinement on this sentence, including any revocation term."
    )
    imprisonment_months: float = Field(
        0, ge=0, description="Term of imprisonment pronounced, in months (the stated maximum, §4A1.2(b))."
    )
    imprisonment_days: int = Field(0, ge=0, description="Term of imprisonment in days, added to the months.")
    suspended_months: float = Field(0, ge=0, description="The part of the term suspended, in months.")
    probation_months: float = Field(0, ge=0, description="Term of probation, in months.")
    revocation_months: float = Field(
        0,
        ge=0,
        description="Imprisonment imposed on revocation of probation, parole or supervision (§4A1.2(k)).",
    )
    juvenile: bool = Field(False, description="Adjudicated as a juvenile (false: an adult conviction).")
    age_at_offense: int | None = Field(None, ge=0, le=120, description="Age at the prior offense.")
    offense_class: Literal["felony", "misdemeanor", "petty", "infraction"] = Field(
        "felony", description="Felony: punishable by more than a year (§4A1.2(o))."
    )
    listed_offense: str | None = Field(
        None,
        description="Where the offense is on (or similar to) a §4A1.2(c) list: one of the names in "
        "`plealever rules show 4A1.2(c)`, e.g. disorderly_conduct, minor_traffic_infraction, "
        "driving_while_intoxicated.",
    )
    similar_to_instant_offense: bool = Field(
        False, description="Similar to an instant offense (§4A1.2(c)(1)(B))."
    )
    jurisdiction: Literal["state", "federal", "tribal", "foreign", "military"] = "state"
    court_martial: Literal["general", "special", "summary", "article_15"] | None = Field(
        None, description="For military sentences, the forum (§4A1.2(g))."
    )
    charging_instrument: str | None = Field(
        None, description="An identifier; records sharing one were charged in the same instrument."
    )
    intervening_arrest: bool | None = Field(
        None,
        description="Arrested for this offense before committing the next prior offense in time "
        "(§4A1.2(a)(2)). Unknown is treated as no arrest, with a warning.",
    )
    arrest_was_traffic_stop: bool = Field(False, description="That 'arrest' was only a traffic stop.")
    consecutive: bool = Field(
        False, description="Ran consecutively to the other sentences it is counted with as a single sentence."
    )
    crime_of_violence: bool = Field(
        False, description="A crime of violence under §4B1.2(a) (a legal finding)."
    )
    part_of_instant_offense: bool = Field(
        False, description="Conduct that is relevant conduct to the instant offense."
    )
    convicted_not_sentenced: bool = Field(False, description="Guilt established, sentence not yet imposed.")
    diversion: Literal["none", "without_admission", "with_admission", "juvenile_court"] = "none"
    expunged: bool = False
    pardoned_or_set_aside: bool = Field(
        False,
        description="Pardoned or set aside for reasons unrelated to innocence or legal error (still counted).",
    )
    reversed_or_invalid: bool = Field(
        False,
        description="Reversed or vacated for legal error or innocence, or ruled constitutionally invalid.",
    )
    statutory_sex_offense_prior: Ternary = Field(
        "no",
        description="Qualifies under the recidivist list of 18 U.S.C. §§ 2251(e), 2252(b), 2252A(b) (a legal "
        "finding under the categorical approach). 'undecided' shows both outcomes.",
    )
    sex_offense_against_minor: Ternary = Field(
        "no",
        description="A 'sex offense conviction' under 18 U.S.C. § 2426(b) for §4B1.5(a) (not a trafficking, "
        "receipt or possession prior). 'undecided' shows both outcomes.",
    )
    prior_sex_offense_2426: Ternary | None = Field(
        None,
        description="A 'prior sex offense conviction' under 18 U.S.C. § 2426(b)(1) (chapters 109A, 110, 117, "
        "§ 1591, or the state equivalent), which triples the maximum for a chapter 117 count (§ 2426(a)). "
        "Omitted: yes where sex_offense_against_minor is yes; otherwise as statutory_sex_offense_prior, "
        "with a warning (the lists differ). 'undecided' shows both outcomes.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> PriorRecord:
        if self.sentence_date is None and not self.convicted_not_sentenced:
            raise ValueError("sentence_date is required (or set convicted_not_sentenced: true)")
        if self.offense_date and self.sentence_date and self.sentence_date < self.offense_date:
            raise ValueError(f"sentence_date {self.sentence_date} is before offense_date {self.offense_date}")
        if self.conviction_date and self.sentence_date and self.sentence_date < self.conviction_date:
            raise ValueError(
                f"sentence_date {self.sentence_date} is before conviction_date {self.conviction_date}"
            )
        if self.conviction_date and self.offense_date and self.conviction_date < self.offense_date:
            raise ValueError(
                f"conviction_date {self.conviction_date} is before offense_date {self.offense_date}"
            )
        if self.release_date and self.sentence_date and self.release_date < self.sentence_date:
            raise ValueError(f"release_date {self.release_date} is before sentence_date {self.sentence_date}")
        if self.suspended_months > self.imprisonment_months + self.imprisonment_days / 30.4375 + 1e-9:
            raise ValueError("suspended_months is larger than the term of imprisonment")
        return self


class CriminalHistory(_Model):
    """Criminal history: a category or a point total given directly, or the prior record to compute from."""

    category: Category | None = None
    points: int | None = Field(None, ge=0)
    records: list[PriorRecord] = Field(
        default_factory=list,
        max_length=MAX_RECORDS,
        description=f"The prior record (§4A1.1, §4A1.2), at most {MAX_RECORDS} entries (more: give the category "
        "or points).",
    )
    instant_offense_commenced: dt.date | None = Field(
        None,
        description="When the instant offense, including relevant conduct, began (§4A1.2 n.8); the time "
        "windows run back from it. Omitted: offense_date is used, with a warning (a later start shortens "
        "the windows). Must not be after offense_date.",
    )
    under_sentence: UnderSentence | None = Field(
        None,
        description="Criminal justice sentence the defendant was under when committing the instant offense "
        "(an outstanding violation warrant counts; failing to report is escape).",
    )

    @model_validator(mode="after")
    def _one_of(self) -> CriminalHistory:
        if self.category is not None and self.points is not None:
            raise ValueError("give category or points, not both")
        if self.category is None and self.points is None and not self.records and self.under_sentence is None:
            raise ValueError("give a category (I-VI), points (a whole number >= 0), or the prior records")
        return self


class Defendant(_Model):
    """Facts about the defendant that the sentencing records measure (never race, sex or national origin)."""

    custody: Literal["detained", "released"] | None = Field(
        None,
        description="Pre-sentence custody: detained (in custody) or released (bail, bond, own recognizance "
        "or other release); the Commission's PRESENT. Unknown if omitted.",
    )


class Case(_Model):
    """A case file: the counts, facts, findings, acceptance and criminal history to compute."""

    name: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00-\x1f]*$",
        description="A label for the case (not a client's name).",
    )
    manual: dt.date | None = Field(
        None,
        description="Guidelines Manual edition to use (its effective date or any date it was in "
        "force). Otherwise chosen from offense_date and sentencing_date under §1B1.11.",
    )
    offense_date: dt.date | None = Field(
        None, description="Last date of the offense of conviction (controls ex post facto)."
    )
    sentencing_date: dt.date | None = Field(None, description="Date of sentencing, actual or expected.")
    counts: list[Count] = Field(
        min_length=1,
        max_length=MAX_COUNTS,
        description=f"Counts of conviction ({MAX_COUNTS} counts in all at most, adding up each entry's count).",
    )
    facts: Facts = Field(default_factory=Facts)
    findings: list[str] = Field(
        default_factory=list, description="Provisions found to apply (pins, optionally with limb)."
    )
    not_applicable: list[str] = Field(
        default_factory=list, description="Provisions found not to apply (pins)."
    )
    acceptance: Acceptance | None = Field(
        None,
        description="none, two_level (§3E1.1(a)) or three_level (the government also moves under §3E1.1(b)).",
    )
    criminal_history: CriminalHistory = Field(description="Category or points.")
    mitigation: list[EvidenceItem] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description=f"The mitigation evidence inventory (at most {MAX_ITEMS} items).",
    )
    prosecutor: Prosecutor = Field(
        default_factory=Prosecutor, description="The prosecutor's policy constraints."
    )
    court: Court = Field(default_factory=Court)
    defendant: Defendant = Field(default_factory=Defendant)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    negotiation: Negotiation = Field(
        default_factory=Negotiation, description="The government's offers over time and the defense's plea notice."
    )
    scenarios: list[ScenarioSpec] = Field(
        default_factory=list,
        max_length=MAX_SCENARIOS,
        description=f"Dispositions to compare, added to the generated ones (at most {MAX_SCENARIOS}).",
    )
    outcome_parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the outcome model's parameters (law/data/outcome-model.yaml).",
    )

    @model_validator(mode="after")
    def _bounded(self) -> Case:
        total = sum(c.count for c in self.counts)
        if total > MAX_COUNTS:
            raise ValueError(f"{total} counts in all; the limit is {MAX_COUNTS} (the work grows with each count)")
        return self

    @field_validator("scenarios")
    @classmethod
    def _unique_scenarios(cls, scenarios: list[ScenarioSpec]) -> list[ScenarioSpec]:
        # An id names one scenario: a repeated one would leave two rows the comparison cannot tell apart.
        ids = [s.id for s in scenarios]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"scenario ids must be unique; repeated: {choices(dupes)}")
        return scenarios

    @model_validator(mode="after")
    def _scenario_ids(self) -> Case:
        taken = sorted({s.id for s in self.scenarios} & {f"offer-{o.id}" for o in self.negotiation.offers})
        if taken:
            raise ValueError(
                f"scenarios: {choices(taken)} is the id of an offer's own scenario (negotiation.offers); "
                "choose another id"
            )
        return self

    @model_validator(mode="after")
    def _dates(self) -> Case:
        if self.offense_date and self.sentencing_date and self.sentencing_date < self.offense_date:
            raise ValueError(
                f"sentencing_date {self.sentencing_date} is before offense_date {self.offense_date}"
            )
        commenced = self.criminal_history.instant_offense_commenced
        if commenced and self.offense_date and commenced > self.offense_date:
            raise ValueError(
                f"criminal_history.instant_offense_commenced {commenced} is after offense_date "
                f"{self.offense_date}; the offense, with its relevant conduct, cannot begin after it ended"
            )
        return self
