"""Every CSV Haat writes goes through here, so no cell reaches a spreadsheet as a formula.

A cell that starts with = + - @ (or a tab or carriage return, which spreadsheets skip before one)
is read by Excel, LibreOffice and Google Sheets as a formula: `=HYPERLINK(...)` in an upload key
would become a live link in the officer's sheet. Such a cell gets a leading apostrophe (OWASP's
advice), which spreadsheets show as text; plain numbers such as -12 or +91 are left alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value: Any) -> str:
    """The value as CSV cell text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A UTF-8 CSV document (LF line ends) with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode()
