"""The daily digest: yesterday (IST) and month-to-date per district, block, SHG, craft, channel and
outlet, the Lakhpati Didi list, payouts to chase; written as CSV, JSON and an HTML page, for the
whole mission or for one district or block (`Scope`): a scoped digest holds only its own area.

Reads only the report partitions (one Query per day of the month, one per income month, one for
unpaid orders): its cost grows with the districts and SHGs that had activity, never with orders.
Nothing in the files depends on when the digest runs, so a re-run writes the same bytes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.calendar import IST, month_days, month_key, trailing_months
from chalicelib.csvfile import csv_bytes
from chalicelib.ops import runs_between
from chalicelib.registry.repository import RegistryCache
from chalicelib.reports.aggregates import (
    day_pk,
    income_day_pk,
    income_month_pk,
    mismatch_pk,
    partition,
    unpaid_before,
)
from chalicelib.reports.settings import ReportSettings
from chalicelib.reports.tally import COUNTERS, DIMENSIONS, PER_BLOCK

PERIODS = ("day", "mtd")
LABEL_COLUMNS = ("district", "block", "shg_id", "craft", "channel", "outlet")
CHANNELS = ("flipkart", "meesho", "amazon", "ondc", "haat")
# The figures of the summary (headline, per channel, per outlet, per craft), in print order.
SUMMARY_COUNTERS = (
    "orders",
    "gmv_paise",
    "cancellations",
    "returns",
    "sla_breaches",
    "delivered",
    "expected_fee_paise",
    "expected_payout_paise",
    "payout_paise",
    "channel_fee_paise",
    "new_listings",
    "listings_exported",
    "listings_live",
    "listings_rejected",
)


class Scope(BaseModel):
    """The part of the mission a digest or page covers: all of it, one district, or one block."""

    model_config = ConfigDict(frozen=True)

    district: str = ""
    block: str = ""

    @model_validator(mode="after")
    def _block_needs_district(self) -> Scope:
        if self.block and not self.district:
            raise ValueError("a block scope names its district too")
        return self

    @property
    def is_mission(self) -> bool:
        return not self.district

    def covers(self, district: str, block: str = "") -> bool:
        if self.is_mission:
            return True
        return district == self.district and (not self.block or block == self.block)

    def describe(self) -> str:
        if self.block:
            return f"block {self.block}, district {self.district}"
        return f"district {self.district}" if self.district else "the whole mission"


MISSION = Scope()
ROW_COLUMNS = (
    "period",
    "dimension",
    "key",
    *LABEL_COLUMNS,
    *COUNTERS,
    "photo_rejection_rate",
    "top_rejection_reasons",
)
TOP_REASONS = 3


class Row(BaseModel):
    """One line of digest.csv: a period, a dimension key, its labels and its counters."""

    period: str
    dimension: str
    key: str
    labels: dict[str, str]
    counters: dict[str, int]
    reasons: dict[str, int]

    def rejection_rate(self) -> float | None:
        checked = self.counters.get("photos_checked", 0)
        return round(self.counters.get("photos_rejected", 0) / checked, 4) if checked else None

    def top_reasons(self) -> list[tuple[str, int]]:
        return sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]

    def as_record(self) -> dict[str, Any]:
        """The row with typed values (JSON): counters as integers, the rate as a fraction or null."""
        return {
            "period": self.period,
            "dimension": self.dimension,
            "key": self.key,
            **{c: self.labels.get(c, "") for c in LABEL_COLUMNS},
            **{c: self.counters.get(c, 0) for c in COUNTERS},
            "photo_rejection_rate": self.rejection_rate(),
            "top_rejection_reasons": [{"code": code, "count": count} for code, count in self.top_reasons()],
        }

    def csv_values(self) -> list[str]:
        rate = self.rejection_rate()
        return [
            *(str(value) for value in list(self.as_record().values())[:-2]),
            "" if rate is None else f"{rate:.4f}",
            ";".join(f"{code}:{count}" for code, count in self.top_reasons()),
        ]


class MemberIncome(BaseModel):
    member_id: str
    shg_id: str
    district: str
    block: str = ""
    income_paise: int = Field(description="settled net income: money the channels paid")
    expected_income_paise: int = Field(description="net income expected from delivered orders")
    progress_percent: float


class Digest(BaseModel):
    report_date: date
    month: str
    rows: list[Row]
    lakhpati: list[MemberIncome]
    approaching: list[MemberIncome]
    unpaid: list[dict[str, Any]]
    payout_mismatches: list[dict[str, Any]]
    fee_rules: list[dict[str, Any]]
    threshold_paise: int
    near_percent: int
    unpaid_after_days: int
    channel_poll_failures: dict[str, int] = {}
    scope: Scope = MISSION
    revision: int = 1  # one more each time late records changed the day's figures after its digest
    previous_totals: dict[str, int] | None = None  # the day's headline figures in the revision before

    def summary(self, period: str) -> dict[str, Any]:
        """Headline totals and the roll-ups per channel, outlet and craft of one period, in scope."""
        return summarize([r for r in self.rows if r.period == period])


def _total(rows: list[Row]) -> dict[str, int]:
    return {name: sum(r.counters.get(name, 0) for r in rows) for name in SUMMARY_COUNTERS}


def roll_up(rows: list[Row], dimension: str) -> dict[str, dict[str, int]]:
    """Per-block rows (channel, outlet, block_craft) summed by their value: channel, outlet or craft."""
    label = PER_BLOCK[dimension]
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.dimension == dimension:
            groups[row.labels.get(label, "unknown")].append(row)
    return {key: _total(group) for key, group in sorted(groups.items())}


def summarize(rows: list[Row]) -> dict[str, Any]:
    """The scope's totals (from its block rows: each sale counts in one block) and its channel,
    outlet and craft roll-ups."""
    by_channel = roll_up(rows, "channel")
    return {
        "totals": _total([r for r in rows if r.dimension == "block"]),
        "by_channel": {c: by_channel.get(c, dict.fromkeys(SUMMARY_COUNTERS, 0)) for c in CHANNELS}
        | {c: v for c, v in by_channel.items() if c not in CHANNELS},
        "by_outlet": roll_up(rows, "outlet"),
        "by_craft": roll_up(rows, "block_craft"),
        "reasons": dict(
            sorted(
                sum((Counter(r.reasons) for r in rows if r.dimension == "block"), Counter()).items(),
                key=lambda kv: (-kv[1], kv[0]),
            )
        ),
    }


def _accumulate(
    totals: dict[str, Counter[str]], labels: dict[str, dict[str, str]], items: Iterator[dict[str, Any]]
) -> None:
    for item in items:
        sk = item["sk"]
        totals[sk].update({k: v for k, v in item.items() if k in COUNTERS or k.startswith("reason_")})
        labels[sk].update({c: item[c] for c in LABEL_COLUMNS if item.get(c)})


def _in_scope(dimension: str, labels: dict[str, str], scope: Scope) -> bool:
    """Mission-wide rows (craft) only in the mission's digest; every other row by its district/block."""
    if scope.is_mission:
        return True
    if dimension == "craft":
        return False
    return scope.covers(
        labels.get("district", ""), labels.get("block", "") if dimension != "district" else ""
    )


def _rows(
    period: str, totals: dict[str, Counter[str]], labels: dict[str, dict[str, str]], scope: Scope = MISSION
) -> list[Row]:
    rows = []
    for sk, counter in totals.items():
        dimension, key = sk.split("#", 1)
        if dimension not in DIMENSIONS or not _in_scope(dimension, labels[sk], scope):
            continue
        if scope.block and dimension == "district":
            continue  # a block coordinator sees her block, not her district's total
        rows.append(
            Row(
                period=period,
                dimension=dimension,
                key=key,
                labels=labels[sk],
                counters={c: counter.get(c, 0) for c in COUNTERS},
                reasons={
                    k.removeprefix("reason_"): v for k, v in counter.items() if k.startswith("reason_") and v
                },
            )
        )
    return sorted(rows, key=lambda r: (DIMENSIONS.index(r.dimension), r.key))


def _incomes(report_date: date, config: ReportSettings) -> tuple[list[MemberIncome], list[MemberIncome]]:
    """Trailing-12-month income per member: 11 whole months plus this month's days up to the report date."""
    income: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    partitions = [income_month_pk(m) for m in trailing_months(report_date, 12)[:-1]]
    partitions += [income_day_pk(d) for d in month_days(report_date)]
    for pk in partitions:
        for item in partition(pk):
            member_id = item["sk"].removeprefix("MEMBER#")
            income[member_id] += item.get("settled_income_paise", 0)
            expected[member_id] += item.get("income_paise", 0)
            labels[member_id].update({c: item[c] for c in ("shg_id", "district", "block") if item.get(c)})
    near = config.LAKHPATI_THRESHOLD_PAISE * config.LAKHPATI_NEAR_PERCENT // 100
    people = sorted(
        (
            MemberIncome(
                member_id=member_id,
                shg_id=labels[member_id].get("shg_id", ""),
                district=labels[member_id].get("district", ""),
                block=labels[member_id].get("block", ""),
                income_paise=amount,
                expected_income_paise=expected[member_id],
                progress_percent=round(100 * amount / config.LAKHPATI_THRESHOLD_PAISE, 1),
            )
            for member_id, amount in income.items()
            if amount >= near
        ),
        key=lambda m: (-m.income_paise, m.member_id),
    )
    reached = [m for m in people if m.income_paise >= config.LAKHPATI_THRESHOLD_PAISE]
    return reached, [m for m in people if m.income_paise < config.LAKHPATI_THRESHOLD_PAISE]


def _unpaid(report_date: date, config: ReportSettings) -> list[dict[str, Any]]:
    """Orders delivered more than UNPAID_AFTER_DAYS before the end of the report date, still unpaid."""
    end_of_day = datetime.combine(report_date + timedelta(days=1), time(), tzinfo=IST)
    cutoff = (end_of_day - timedelta(days=config.UNPAID_AFTER_DAYS)).astimezone(UTC).isoformat()
    return [{k: v for k, v in item.items() if k not in ("pk", "sk")} for item in unpaid_before(cutoff)]


def channel_poll_failures(report_date: date) -> dict[str, int]:
    """Seller accounts whose channel poll failed on the report date, with how many runs failed."""
    start = datetime.combine(report_date, time(), tzinfo=IST)
    failures: Counter[str] = Counter()
    for run in runs_between("poll_channels", start, start + timedelta(days=1)):
        failures.update(str(account) for account in run.get("outcome", {}).get("failed_accounts", []))
    return dict(sorted(failures.items()))


def _covers_shg(scope: Scope, district: str, shg_id: str, shgs: RegistryCache) -> bool:
    if not scope.block:
        return scope.covers(district)
    shg = shgs.shg(shg_id) if shg_id else None
    return shg is not None and scope.covers(shg.district, shg.block)


def _period_rows(
    period: str, days: list[date], reads: dict[date, list[dict[str, Any]]], scope: Scope
) -> list[Row]:
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for day in days:
        if day not in reads:
            reads[day] = list(partition(day_pk(day)))
        _accumulate(totals, labels, iter(reads[day]))
    return _rows(period, totals, labels, scope)


def day_rows(day: date, scope: Scope = MISSION) -> list[Row]:
    """The day's own rows in `scope`, from its partition alone (one Query)."""
    return _period_rows("day", [day], {}, scope)


def build(
    report_date: date, config: ReportSettings, scope: Scope = MISSION, *, previous_day: bool = False
) -> Digest:
    """Gather the digest for `report_date` (an IST day) and `scope` from the report partitions
    (one Query per day of the month); `previous_day` adds the day before as period "prev"."""
    reads: dict[date, list[dict[str, Any]]] = {}
    rows = _period_rows("mtd", month_days(report_date), reads, scope)
    rows = _period_rows("day", [report_date], reads, scope) + rows
    if previous_day:
        rows += _period_rows("prev", [report_date - timedelta(days=1)], reads, scope)
    shgs = RegistryCache(ttl_seconds=300)
    lakhpati, approaching = (
        [m for m in people if _covers_shg(scope, m.district, m.shg_id, shgs)]
        for people in _incomes(report_date, config)
    )
    mismatches = [
        {k: v for k, v in item.items() if k not in ("pk",)}
        for item in partition(mismatch_pk(month_key(report_date)))
        if item.get("day", "") <= report_date.isoformat()
        and _covers_shg(scope, str(item.get("district", "")), str(item.get("shg_id", "")), shgs)
    ]
    unpaid = [
        u
        for u in _unpaid(report_date, config)
        if _covers_shg(scope, str(u.get("district", "")), str(u.get("shg_id", "")), shgs)
    ]
    return Digest(
        report_date=report_date,
        month=month_key(report_date),
        rows=rows,
        lakhpati=lakhpati,
        approaching=approaching,
        unpaid=unpaid,
        payout_mismatches=sorted(mismatches, key=lambda m: str(m["sk"])),
        fee_rules=[rule.model_dump(mode="json") for rule in config.CHANNEL_FEE_RULES],
        threshold_paise=config.LAKHPATI_THRESHOLD_PAISE,
        near_percent=config.LAKHPATI_NEAR_PERCENT,
        unpaid_after_days=config.UNPAID_AFTER_DAYS,
        # Seller accounts belong to the mission, not to a district.
        channel_poll_failures=channel_poll_failures(report_date) if scope.is_mission else {},
        scope=scope,
    )


def to_csv(digest: Digest) -> bytes:
    return csv_bytes(ROW_COLUMNS, (row.csv_values() for row in digest.rows))


def to_json(digest: Digest) -> bytes:
    document = {
        "report_date": digest.report_date.isoformat(),
        "month": digest.month,
        "scope": digest.scope.model_dump(),
        "summary": {period: digest.summary(period) for period in PERIODS},
        "columns": list(ROW_COLUMNS),
        "rows": [row.as_record() for row in digest.rows],
        "lakhpati_threshold_paise": digest.threshold_paise,
        "approaching_percent": digest.near_percent,
        "lakhpati": [m.model_dump() for m in digest.lakhpati],
        "approaching_lakhpati": [m.model_dump() for m in digest.approaching],
        "unpaid_after_days": digest.unpaid_after_days,
        "delivered_unpaid": digest.unpaid,
        "payout_mismatches": digest.payout_mismatches,
        "fee_rules": digest.fee_rules,
        "channel_poll_failures": digest.channel_poll_failures,
        "revision": digest.revision,
        "previous_revision_totals": digest.previous_totals,
    }
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
