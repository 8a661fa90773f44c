"""The daily digest: yesterday (IST) and month-to-date per district, block, SHG and craft, the
Lakhpati Didi list, payouts to chase; written as CSV, JSON and an HTML page.

Reads only the report partitions (one Query per day of the month, one per income month, one for
unpaid orders): its cost grows with the districts and SHGs that had activity, never with orders.
Nothing in the files depends on when the digest runs, so a re-run writes the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from chalicelib.calendar import IST, month_days, month_key, trailing_months
from chalicelib.ops import runs_between
from chalicelib.reports.aggregates import (
    day_pk,
    income_day_pk,
    income_month_pk,
    mismatch_pk,
    partition,
    unpaid_before,
)
from chalicelib.reports.settings import ReportSettings
from chalicelib.reports.tally import COUNTERS, DIMENSIONS

PERIODS = ("day", "mtd")
LABEL_COLUMNS = ("district", "block", "shg_id", "craft")
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
    income_paise: int
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


def _accumulate(
    totals: dict[str, Counter[str]], labels: dict[str, dict[str, str]], items: Iterator[dict[str, Any]]
) -> None:
    for item in items:
        sk = item["sk"]
        totals[sk].update({k: v for k, v in item.items() if k in COUNTERS or k.startswith("reason_")})
        labels[sk].update({c: item[c] for c in LABEL_COLUMNS if item.get(c)})


def _rows(period: str, totals: dict[str, Counter[str]], labels: dict[str, dict[str, str]]) -> list[Row]:
    rows = []
    for sk, counter in totals.items():
        dimension, key = sk.split("#", 1)
        if dimension not in DIMENSIONS:
            continue
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
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    partitions = [income_month_pk(m) for m in trailing_months(report_date, 12)[:-1]]
    partitions += [income_day_pk(d) for d in month_days(report_date)]
    for pk in partitions:
        for item in partition(pk):
            member_id = item["sk"].removeprefix("MEMBER#")
            income[member_id] += item.get("income_paise", 0)
            labels[member_id].update({c: item[c] for c in ("shg_id", "district") if item.get(c)})
    near = config.LAKHPATI_THRESHOLD_PAISE * config.LAKHPATI_NEAR_PERCENT // 100
    people = sorted(
        (
            MemberIncome(
                member_id=member_id,
                shg_id=labels[member_id].get("shg_id", ""),
                district=labels[member_id].get("district", ""),
                income_paise=amount,
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


def _channel_poll_failures(report_date: date) -> dict[str, int]:
    """Seller accounts whose channel poll failed on the report date, with how many runs failed."""
    start = datetime.combine(report_date, time(), tzinfo=IST)
    failures: Counter[str] = Counter()
    for run in runs_between("poll_channels", start, start + timedelta(days=1)):
        failures.update(str(account) for account in run.get("outcome", {}).get("failed_accounts", []))
    return dict(sorted(failures.items()))


def build(report_date: date, config: ReportSettings) -> Digest:
    """Gather the digest for `report_date` (an IST day) from the report partitions."""
    day_totals: dict[str, Counter[str]] = defaultdict(Counter)
    day_labels: dict[str, dict[str, str]] = defaultdict(dict)
    _accumulate(day_totals, day_labels, partition(day_pk(report_date)))
    mtd_totals: dict[str, Counter[str]] = defaultdict(Counter)
    mtd_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for day in month_days(report_date):
        _accumulate(mtd_totals, mtd_labels, partition(day_pk(day)))
    lakhpati, approaching = _incomes(report_date, config)
    mismatches = [
        {k: v for k, v in item.items() if k not in ("pk",)}
        for item in partition(mismatch_pk(month_key(report_date)))
        if item.get("day", "") <= report_date.isoformat()
    ]
    return Digest(
        report_date=report_date,
        month=month_key(report_date),
        rows=_rows("day", day_totals, day_labels) + _rows("mtd", mtd_totals, mtd_labels),
        lakhpati=lakhpati,
        approaching=approaching,
        unpaid=_unpaid(report_date, config),
        payout_mismatches=sorted(mismatches, key=lambda m: str(m["sk"])),
        fee_rules=[rule.model_dump(mode="json") for rule in config.CHANNEL_FEE_RULES],
        threshold_paise=config.LAKHPATI_THRESHOLD_PAISE,
        near_percent=config.LAKHPATI_NEAR_PERCENT,
        unpaid_after_days=config.UNPAID_AFTER_DAYS,
        channel_poll_failures=_channel_poll_failures(report_date),
    )


def to_csv(digest: Digest) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROW_COLUMNS)
    writer.writerows(row.csv_values() for row in digest.rows)
    return buffer.getvalue().encode()


def to_json(digest: Digest) -> bytes:
    document = {
        "report_date": digest.report_date.isoformat(),
        "month": digest.month,
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
    }
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
