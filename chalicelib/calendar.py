"""Business dates are IST (Asia/Kolkata); stored timestamps are UTC. Plain functions, no AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def business_date(at: datetime) -> date:
    """The IST calendar day an instant falls on (naive datetimes are taken as UTC)."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(IST).date()


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day (31 Aug + 6 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (first_of_next - timedelta(days=1)).day))


def month_days(day: date) -> list[date]:
    """1st of `day`'s month up to and including `day`."""
    return [day.replace(day=d) for d in range(1, day.day + 1)]


def trailing_months(day: date, count: int) -> list[str]:
    """The `count` month keys ending with `day`'s month (oldest first)."""
    return [month_key(add_months(day.replace(day=1), -offset)) for offset in range(count - 1, -1, -1)]


def utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
