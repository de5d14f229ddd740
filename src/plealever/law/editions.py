"""Which Guidelines Manual applies (USSG §1B1.11).

The Manual in force at sentencing applies unless the Manual in force on the last date of the offense
gives a lower range, in which case that one applies, as one book (Peugh v. United States). The
comparison itself needs two calculations, so it lives in the engine; this module only maps dates to
editions.
"""

from __future__ import annotations

import datetime as dt

from plealever.errors import EditionError
from plealever.law.rulebook import Rulebook


def last_day_modelled(book: Rulebook) -> dt.date:
    """The last day the latest modelled edition is known to be in force: a new Manual may take effect on
    the next Nov. 1 (amendments take effect each Nov. 1), so the day before it."""
    last = book.edition_dates()[-1]
    return last.replace(year=last.year + 1) - dt.timedelta(days=1)


def edition_in_force(book: Rulebook, day: dt.date, *, field: str) -> dt.date:
    """The effective date of the edition in force on `day`."""
    found = book.edition_at(day)
    if found is None:
        first = book.edition_dates()[0]
        raise EditionError(
            f"{day} is before the earliest modelled Manual ({first}); editions before November 2004 "
            "are not modelled",
            field=field,
        )
    return found.effective
