"""Late records: a day's digest is issued again when its figures change after it was written.

Every order counts on the IST day it was placed, so a record that arrives after that day's digest
ran (a Meesho export imported the next afternoon, a channel that was down) changes a day that was
already reported. Each digest run stores a fingerprint of the day's rows (`ops.save_digest_stamp`);
the next run compares the days of the last `DIGEST_REVISION_DAYS` with what they hold
now and writes, for each one that changed, its digest again as the next revision, with the figures
it replaces. A digest run on unchanged data changes nothing, so re-runs stay byte-identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel

from chalicelib.dynamo import plain
from chalicelib.ops import digest_stamps, load_digest_stamp, save_digest_stamp
from chalicelib.reports.digest import Digest, Row, day_rows

HEADLINE = ("orders", "units", "gmv_paise", "cancellations", "returns", "delivered")


class DayStamp(BaseModel):
    """What a day's latest digest was written from."""

    fingerprint: str
    revision: int
    totals: dict[str, int]
    previous_totals: dict[str, int] | None = None


def fingerprint(rows: Sequence[Row]) -> str:
    """A digest of the day's own rows (not month-to-date): equal exactly when its figures are."""
    records = [row.as_record() for row in rows if row.period == "day"]
    return hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()


def totals(rows: Sequence[Row]) -> dict[str, int]:
    """The day's headline figures, summed over districts."""
    districts = [row for row in rows if row.period == "day" and row.dimension == "district"]
    return {name: sum(row.counters.get(name, 0) for row in districts) for name in HEADLINE}


def _stored(day: date) -> DayStamp | None:
    item = load_digest_stamp(day)
    return DayStamp.model_validate(plain(item)) if item else None


def stamp(digest: Digest) -> tuple[Digest, DayStamp]:
    """The digest with its revision number, and the stamp to `keep` once its files are written:
    revision 1 the first time a day is digested, one more each time its figures changed since."""
    now = fingerprint(digest.rows)
    stored = _stored(digest.report_date)
    if stored is not None and stored.fingerprint == now:
        current = stored
    else:
        current = DayStamp(
            fingerprint=now,
            revision=stored.revision + 1 if stored else 1,
            totals=totals(digest.rows),
            previous_totals=stored.totals if stored else None,
        )
    revised = digest.model_copy(
        update={"revision": current.revision, "previous_totals": current.previous_totals}
    )
    return revised, current


def keep(day: date, current: DayStamp) -> None:
    save_digest_stamp(day, current.model_dump())


def changed_days(first: date, last: date) -> list[date]:
    """Days in [first, last] that have a digest and whose figures changed since it was written
    (one Query of the stamps, then one of each digested day's partition)."""
    return [
        day for day, stamp in digest_stamps(first, last) if fingerprint(day_rows(day)) != stamp["fingerprint"]
    ]
