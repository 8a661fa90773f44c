"""Amounts and dates as people and panels write them in the files Haat imports.

Each reader takes the text of one cell and returns the value or raises ValueError with a reason the
person who made the file can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

# A cell that is an amount never comes near this (Rs 1,000 crore): beyond it, the column is wrong.
MAX_PAISE = 10**13
_CURRENCY = re.compile(r"^(₹|rs\.?|inr|रु\.?|रुपये)\s*", flags=re.IGNORECASE)
DATE_FORMATS = (
    "%d-%m-%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d-%B-%Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%m-%y",
    "%d/%m/%y",
)


def ascii_digits(text: str) -> str:
    """Devanagari, Arabic-Indic and other digits as 0-9."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text)


def rupees(text: str) -> Decimal:
    """'₹1,250.50', 'Rs. 1250/-', '1,25,000', 'INR 900', '-12', '(40.00)' (a deduction) -> rupees."""
    cleaned = ascii_digits(text).replace(",", "").replace("/-", "").strip()
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    cleaned = _CURRENCY.sub("", cleaned.strip("()").strip()).strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not a number of rupees") from None
    if not value.is_finite():
        raise ValueError("not a number of rupees")
    return -value if negative else value


def signed_paise(text: str) -> int:
    """An amount of a report, positive or negative, to the paisa (an empty cell is 0)."""
    if not text.strip():
        return 0
    amount = rupees(text) * 100
    if abs(amount) > MAX_PAISE:
        raise ValueError("more than 1,000 crore rupees: check the column")
    return int(amount.to_integral_value())


def calendar_date(text: str) -> date:
    """A date as India writes it (DD-MM-YYYY, DD/MM/YYYY, 12-Mar-2019) or ISO, with or without a
    time of day ('2026-11-24 00:00:00 UTC', '2026-11-24T10:00:00+05:30')."""
    value = ascii_digits(text.strip())
    if not value:
        raise ValueError("no date")
    try:
        return datetime.fromisoformat(value.removesuffix(" UTC")).date()
    except ValueError:
        pass
    for candidate in dict.fromkeys((value, value.split(" ")[0])):
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    raise ValueError("not a date (use DD-MM-YYYY)")
