"""The case's own facts in words: each evidence item, the counts, and each factor's summary. The memo's
sections name these rather than repeating general guidance, so two memos share few sentences."""

from __future__ import annotations

from typing import Any

from plealever.law.statutes import find_statute

NEXUS = {
    "explained": "explains how the condition relates to the conduct",
    "asserted": "asserts a link to the conduct without explaining it",
    "none": "draws no link between the condition and the conduct",
}
PLAIN_CLASS = {
    "possession": "having illegal images of children",
    "receipt_or_distribution": "receiving or sharing illegal images of children",
    "trafficking": "sending or selling illegal images of children",
    "advertising": "advertising for illegal images of children",
    "production": "making illegal images of a child",
    "enterprise": "taking part in a child exploitation enterprise",
    "enticement": "using the internet to try to get a minor to take part in sexual activity",
    "transportation": "taking a minor across state lines for sexual activity",
    "travel": "traveling to have sexual contact with a minor",
}


def _words(values) -> str:
    values = [str(v).replace("_", " ") for v in values]
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


# The protections a disclosure is made under, as a lawyer names them (case/evidence.py: Protection).
PROTECTIONS = {
    "none": "none needed",
    "rule_11f_410": "Rule 11(f) / FRE 410",
    "proffer_agreement": "written proffer agreement",
    "kastigar_letter": "informal immunity letter or §1B1.8 terms",
    "court_order": "court order (Rule 12.2(c)(2))",
}


def status_text(item) -> str:
    if item.status == "sought":
        return "sought" + (f" (expected {item.date})" if item.date else "")
    if item.status == "disclosed":
        parts = ["disclosed"]
        if item.disclosed_on:
            parts.append(f"on {item.disclosed_on}")
        if item.to_whom:
            parts.append(f"to the {item.to_whom.replace('_', ' ')}")
        if item.under == "none":
            parts.append("with no protection")
        elif item.under:
            parts.append(f"under {PROTECTIONS.get(item.under, item.under.replace('_', ' '))}")
        return " ".join(parts)
    return "in hand" + (" (privileged)" if item.privileged else "")


def item_facts(item) -> str:
    """What the item shows, in the case's own terms."""
    k = item.kind
    if k == "psych_evaluation":
        who = item.author or item.source.replace("_", " ")
        parts = [f"{item.evaluation_type} evaluation by a {who}"]
        if item.diagnoses:
            parts.append("diagnoses " + _words(item.diagnoses))
        parts.append(NEXUS[item.nexus_to_conduct])
        if item.recidivism_opinion != "none":
            parts.append(f"{item.recidivism_opinion} recidivism opinion")
        if item.insanity_opinion:
            parts.append("opines he could not appreciate the wrongfulness of his acts")
        elif item.severe_disease_at_offense:
            parts.append("finds a severe mental disease at the time of the offense")
    elif k == "treatment_records":
        when = "before the arrest" if item.period == "before_arrest" else "after the arrest"
        parts = [f"treatment records made {when}"]
        if item.diagnoses:
            parts.append("diagnoses " + _words(item.diagnoses))
    elif k == "risk_assessment":
        score = f" score {item.score:g}" if item.score is not None else ""
        valid = (
            "validated for these offenses"
            if item.validated_for_offense
            else "not validated for these offenses"
        )
        parts = [f"{item.instrument}{score}, {item.risk_band} risk ({valid})"]
    elif k == "sex_offense_treatment":
        parts = [f"sex-offense-specific treatment, {item.progress}"]
    elif k == "lay_account":
        seen = "before the arrest" if item.observed == "before_arrest" else "after the arrest"
        hand = "" if item.first_hand else ", second-hand"
        parts = [f"the {item.relationship} describes {item.condition}, seen {seen}{hand}"]
    elif k == "support_letter":
        knows = (
            "acknowledges the charge"
            if item.knows_of_offense
            else "does not show the writer knows the charge"
        )
        parts = [f"letter from a {item.relationship} that {knows}"]
        if item.describes_condition:
            parts.append(f"describes {item.describes_condition}")
    elif k == "coercion_duress":
        when = f" on {item.threat_date}" if item.threat_date else ""
        parts = [f"threat of {item.threat.replace('_', ' ')} by the {item.made_by}{when}"]
        parts.append("immediate" if item.immediate else "not immediate")
        parts.append(
            "no reasonable way out" if not item.reasonable_escape else "a reasonable way out existed"
        )
        if item.independent_corroboration:
            parts.append("corroborated by " + _words(item.independent_corroboration))
        else:
            parts.append("his account only")
    elif k == "coercive_control":
        months = item.duration_months()
        span = f" for {months} months" if months is not None else ""
        parts = [f"the {item.controller} controlled his {_words(item.over)}{span}"]
        if item.violence:
            parts.append("with violence")
        if item.independent_corroboration:
            parts.append("shown by " + _words(item.independent_corroboration))
    elif k == "entrapment":
        who = {"government": "the government", "defendant": "he", "third_party": "a third party"}.get(
            item.initiated_by, "it is not known who"
        )
        parts = [f"{who} first proposed the crime", f"{item.government_approaches} government approaches"]
        if item.inducements:
            parts.append("inducements: " + _words(item.inducements))
        if item.defendant_reluctance:
            parts.append("he was reluctant")
        if item.prior_interest_or_collection:
            parts.append("earlier interest or material")
        if item.devices_clean:
            parts.append("his devices showed no earlier interest")
    elif k == "knowledge_forensic":
        parts = []
        if item.issues:
            parts.append(_words(item.issues))
        if item.inculpatory:
            parts.append("showing knowledge: " + _words(item.inculpatory))
        elif item.inculpatory == []:
            parts.append("no folders, organisation, repeated access or search terms found")
        parts.append("reviewed by a defense examiner" if item.defense_examiner else "no defense examiner yet")
    elif k == "cooperation":
        parts = [f"information of {item.value} value", "available early" if item.early else "not early"]
        if item.safety_risk:
            parts.append("a safety risk")
    else:  # the history kinds
        parts = [item.detail or item.kind.replace("_", " ")]
        parts.append("documented" if item.corroborated_by_records else "his account only")
    if item.admissions:
        parts.append("records admissions (" + _words(item.admissions) + ")")
    return "; ".join(parts)


def counts_text(book, case) -> str:
    """'one count of receiving or distributing material (18 U.S.C. § 2252A(a)(2))'."""
    out = []
    for c in case.counts:
        s = find_statute(book, c.statute)
        n = "one count" if c.count == 1 else f"{c.count} counts"
        label = s.label.lower() if s else c.statute
        out.append(f"{n} of {label} (18 U.S.C. § {s.key if s else c.statute})")
    return _words(out)


def offense_classes(book, case) -> list[str]:
    out: list[str] = []
    for c in case.counts:
        s = find_statute(book, c.statute)
        if s is not None and s.offense_class not in out:
            out.append(s.offense_class)
    return out


def plain_offense(book, case) -> str:
    return _words([PLAIN_CLASS.get(c, c.replace("_", " ")) for c in offense_classes(book, case)])


def factor_summary(f, case) -> str:
    """One sentence naming the factor's strongest facts: the items, what they show, and the defense."""
    by_label = {i.label: i for i in case.mitigation}
    shown = [
        f"{label} ({item_facts(by_label[label])})" for label in f.items if by_label[label].status != "sought"
    ]
    sought = [label for label in f.items if by_label[label].status == "sought"]
    text = f"{f.title}: {f.band}"
    if shown:
        text += ", from " + "; ".join(shown)
    if sought:
        text += ("; " if shown else ", nothing in hand yet; ") + "still sought: " + _words(sought)
    return text


def defense_summary(f) -> str | None:
    """Whether the trial defense is complete, and if not which elements stand in the way."""
    if not f.elements or not f.items:
        return None
    name = {
        "mental_health": "Insanity",
        "coercion_duress": "Duress",
        "entrapment": "Entrapment",
        "knowledge": "A knowledge defense",
    }[f.factor]
    if f.complete_defense:
        return (
            f"{name} is a complete defense on this record: "
            + "; ".join(f"{e.label} ({e.provability}, {_words(e.items)})" for e in f.elements)
            + "."
        )
    gaps = [
        f"{e.label} ({'not met' if e.met is False else 'not shown' if e.met is None else e.provability})"
        for e in f.elements
        if e.met is not True or e.provability in ("absent", "weak")
    ]
    return f"{name} is not a complete defense on this record: " + "; ".join(gaps) + "."


def element_lines(f) -> list[str]:
    out = []
    for e in f.elements:
        state = {True: "met", False: "not met", None: "not shown"}[e.met]
        out.append(f"{e.label}: {state}, {e.provability} — " + "; ".join(e.reasons))
    return out


def years(months: float) -> str:
    y = months / 12
    if y < 1:
        return f"about {months:.0f} months"
    half = round(y * 2) / 2
    return f"about {half:g} years"


def lever_groups(levers: dict[str, Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name, st in levers.items():
        groups.setdefault(st.status, []).append(name.replace("_", " "))
    return groups
