"""Which prior convictions the recidivist rules reach, judged by their dates as well as their kind.

- §4B1.5(a): the defendant "committed the instant offense of conviction subsequent to sustaining" a sex
  offense conviction. A conviction is sustained when guilt is established (plea, verdict, nolo plea; the
  Manual's own sense in §4A1.2(a)(4)), so the prior's conviction date is compared with the offense of
  conviction (offense_date, its last day), not its sentence date with the start of relevant conduct.
- The statutes' tiers (18 U.S.C. §§ 2251(e), 2252(b), 2252A(b): "has a prior conviction"; § 2426(a): "a
  violation of this chapter after a prior sex offense conviction") do not say when the conviction must
  come. One entered after the offense ended is not a prior; one entered while the conduct was under way
  is flagged, since the statutes are silent.
- 18 U.S.C. § 3559(e)(2)(C): a "prior sex conviction" is one "for which the sentence was imposed before the
  conduct occurred constituting the subsequent Federal sex offense".

A record whose timing cannot be told (no conviction date, sentenced after the offense) is treated as
qualifying, the exposure the client faces, and the engine also computes the figures without it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from plealever.case.model import Case, PriorRecord

Timing = Literal["before", "during", "after", "unknown"]


@dataclass
class Prior:
    record: PriorRecord
    timing: Timing
    when: str  # how the timing was found, for reasons and warnings


@dataclass
class Priors:
    """The recidivist facts of one case, with what each rests on."""

    statutory: bool = False  # the tiers of §§ 2251(e), 2252(b), 2252A(b)
    statutory_contested: bool = False
    repeat_2426: bool = False  # § 2426(a), for chapter 117 counts
    repeat_2426_derived: list[str] = field(default_factory=list)  # labels whose § 2426 status was inferred
    repeat_2426_contested: bool = False
    minor_sex_offense: bool = False  # §4B1.5(a)
    minor_sex_offense_contested: bool = False
    minor_refused: list[str] = field(default_factory=list)  # why a marked record does not count for (a)
    life_3559e: list[str] = field(default_factory=list)  # records whose sentence came before the offense
    unknown_timing: list[str] = field(default_factory=list)  # labels of records counted without a date
    warnings: list[str] = field(default_factory=list)


def timing(record: PriorRecord, offense_end: dt.date | None, commenced: dt.date | None) -> Prior:
    """When guilt on `record` was established, relative to the instant offense."""
    if offense_end is None:
        return Prior(record, "unknown", "offense_date is not given")
    conviction = record.conviction_date
    if conviction is not None:
        when = f"convicted {conviction}"
        if conviction >= offense_end:
            return Prior(record, "after", f"{when}, on or after the offense ended ({offense_end})")
        if commenced is not None and conviction >= commenced:
            return Prior(
                record, "during", f"{when}, after the conduct began ({commenced}) and before it ended ({offense_end})"
            )
        return Prior(record, "before", f"{when}, before the offense")
    sentenced = record.sentence_date
    if sentenced is not None and sentenced < offense_end:
        # Guilt is established no later than the sentence.
        if commenced is not None and sentenced >= commenced:
            return Prior(
                record,
                "during",
                f"sentenced {sentenced} (no conviction_date), after the conduct began ({commenced})",
            )
        return Prior(record, "before", f"sentenced {sentenced} (no conviction_date), before the offense")
    shown = f"sentenced {sentenced}" if sentenced else "convicted, not yet sentenced"
    return Prior(record, "unknown", f"{shown}, with no conviction_date")


def _flag_2426(record: PriorRecord) -> tuple[str, bool]:
    """(yes/no/undecided, inferred) for § 2426(b)(1)."""
    if record.prior_sex_offense_2426 is not None:
        return record.prior_sex_offense_2426, False
    if record.sex_offense_against_minor != "no":
        # §4B1.5 n.3(A)(ii): a "sex offense conviction" is a § 2426(b)(1) offense against a minor.
        return record.sex_offense_against_minor, False
    return record.statutory_sex_offense_prior, record.statutory_sex_offense_prior != "no"


def assess(case: Case) -> Priors:
    out = Priors()
    records = case.criminal_history.records
    end = case.offense_date
    commenced = case.criminal_history.instant_offense_commenced
    stated = case.facts.prior_sex_offense_conviction

    late: dict[str, tuple[Prior, list[str]]] = {}

    def counts(prior: Prior, rule: str) -> bool:
        if prior.timing == "after":
            late.setdefault(prior.record.label, (prior, []))[1].append(rule)
            return False
        if prior.timing == "unknown" and end is not None and prior.record.label not in out.unknown_timing:
            out.unknown_timing.append(prior.record.label)
        return True

    statutory_records = False
    for r in records:
        prior = timing(r, end, commenced)
        if r.statutory_sex_offense_prior == "yes" and counts(prior, "the statutory recidivist tiers"):
            statutory_records = True
            if prior.timing == "during":
                out.statutory_contested = True
                out.warnings.append(
                    f"{r.label}: {prior.when}. 18 U.S.C. §§ 2251(e), 2252(b) and 2252A(b) do not say when the prior "
                    "conviction must come; it is counted, but whether a conviction entered while the offense was "
                    "under way is a 'prior' is open."
                )
        flag, inferred = _flag_2426(r)
        if flag == "yes" and counts(prior, "18 U.S.C. § 2426(a)"):
            out.repeat_2426 = True
            if inferred:
                out.repeat_2426_derived.append(r.label)
            if prior.timing == "during":
                out.repeat_2426_contested = True
        if r.sex_offense_against_minor == "yes":
            if prior.timing == "after":
                out.minor_refused.append(
                    f"{r.label}: {prior.when}, so the instant offense of conviction was not committed after "
                    "sustaining it (§4B1.5(a))"
                )
            else:
                out.minor_sex_offense = True
                if prior.timing == "during":
                    out.minor_sex_offense_contested = True
                    out.warnings.append(
                        f"{r.label}: {prior.when}. §4B1.5(a) needs the instant offense of conviction to have been "
                        "committed after the conviction; the relevant conduct began earlier, so whether the offense "
                        "of conviction came after it is a question of fact (applied, contested)."
                    )
                elif prior.timing == "unknown" and end is not None and r.label not in out.unknown_timing:
                    out.unknown_timing.append(r.label)
            # § 3559(e)(2)(C): the prior's sentence must precede the conduct of the new offense.
            if r.sentence_date is not None and end is not None and r.sentence_date < end:
                out.life_3559e.append(r.label)
    for label, (prior, rules) in late.items():
        out.warnings.append(
            f"{label} is not a prior conviction for {' or '.join(rules)}: {prior.when}; a conviction entered "
            "after the offense is not one."
        )
    if stated is not None and records and stated != statutory_records:
        out.warnings.append(
            f"facts.prior_sex_offense_conviction is {stated} but the records say {statutory_records}; the fact is used."
        )
    out.statutory = stated if stated is not None else statutory_records
    if stated and not records:
        # The direct fact carries no dates and no list: it triggers the chapter 117 increase too, with a warning.
        out.repeat_2426 = True
        out.repeat_2426_derived.append("facts.prior_sex_offense_conviction")
    elif stated is False:
        out.repeat_2426 = False
    for r in records:
        if r.label in late:
            continue
        if r.statutory_sex_offense_prior == "yes" and stated is None:
            out.warnings.append(
                f"{r.label} is treated as a qualifying sex-offense prior for the statutory tiers: a legal finding "
                "under the categorical approach on each statute's list (18 U.S.C. §§ 2251(e), 2252(b)(1)-(2), "
                "2252A(b)(1)-(2)); contest it if the prior's elements are broader."
            )
        if r.sex_offense_against_minor == "yes":
            out.warnings.append(
                f"{r.label} is treated as a sex offense conviction under 18 U.S.C. § 2426(b) for §4B1.5(a) "
                "(a legal finding; trafficking, receipt and possession priors do not qualify, §4B1.5 n.3)."
            )
    marked = [r for r in records if "yes" in (r.statutory_sex_offense_prior, r.sex_offense_against_minor)]
    if end is None and marked:
        out.warnings.append(
            "offense_date not given: whether the sex-offense priors came before the offense cannot be checked; "
            "they are counted."
        )
    if out.unknown_timing:
        out.warnings.append(
            f"{', '.join(out.unknown_timing)}: when guilt was established is not known (give "
            "criminal_history.records[].conviction_date); counted as a prior conviction, the exposure the client "
            "faces. A conviction entered after the offense ended would not count."
        )
    return out
