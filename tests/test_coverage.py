"""Every modelled provision and every edition is exercised by at least one table-driven case."""

from __future__ import annotations

import re

from plealever.law.rulebook import rulebook
from tests.test_cases import ALL, TODAY, run

CITED = re.compile(r"§(\d[A-Z]\d\.\d+(?:\([a-z0-9]+\))*)")
# Provisions held as data for other parts of the tool and checked in test_law_data instead.
DATA_ONLY: dict[str, str] = {}
# Provisions whose steps carry another pin: the loss table feeds §2G2.2(b)(3)(A); §3E1.1(a) and (b)
# are reported as one acceptance step.
REPORTED_AS = {
    "2B1.1(b)(1)": "2G2.2(b)(3)(A)",
    "3E1.1(a)": "3E1.1",
    "3E1.1(b)": "3E1.1",
    "4A1.1(e)-recency": "4A1.1(e)",
}


def _seen() -> tuple[set[str], set[str]]:
    pins, editions = set(), set()
    for _, item in ALL:
        expect = item["expect"]
        if "error" in expect:
            pins.update(item["case"].get("findings", []))
            continue
        got = run(item).to_dict()
        editions.add(got["edition"])
        history = got["criminal_history"]["steps"] if got["criminal_history"] else []
        for step in got["steps"] + history:
            pins.add(step["pin"])
            pins.update(CITED.findall(step["citation"]))
    return pins, editions


def test_every_provision_is_exercised() -> None:
    book = rulebook()
    pins, _ = _seen()
    missing = []
    for pin, provision in book.provisions.items():
        if pin in DATA_ONLY or provision.kind in ("grouping", "units"):
            continue
        if pin in REPORTED_AS:
            if REPORTED_AS[pin] not in pins:
                missing.append(pin)
            continue
        limbs = book.limbs(pin) if provision.select else []
        rows = {f"{pin}({r['limb']})" for v in provision.versions for r in (v.table or []) if "limb" in r}
        hit = pin in pins or any(p in pins for p in rows) or any(p.startswith(pin + "(") for p in pins)
        if limbs:
            hit = all(limb in pins for limb in limbs)
            missing += [limb for limb in limbs if limb not in pins]
        elif rows:
            missing += [r for r in rows if r not in pins]
        elif not hit:
            missing.append(pin)
    assert not missing, f"provisions no case exercises: {sorted(set(missing))}"


def test_every_edition_is_exercised() -> None:
    book = rulebook()
    _, editions = _seen()
    missing = [str(d) for d in book.edition_dates() if str(d) not in editions]
    assert not missing, f"editions no case uses: {missing}"
    assert TODAY.year == 2026
