"""Every CSV Haat writes is safe to open in a spreadsheet: no cell is read as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from chalicelib.csvfile import csv_bytes, safe_cell
from chalicelib.reports import digest


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","open")', '\'=HYPERLINK("http://evil.example","open")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12", "-12"),
        ("+91", "+91"),
        ("0.6667", "0.6667"),
        ("JK-SGR-0001", "JK-SGR-0001"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_kept(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_the_digest_csv_reaches_the_officer_without_formulas() -> None:
    """Labels come from upload keys and the registry: what a spreadsheet would run is made text."""
    row = digest.Row(
        period="day",
        dimension="shg",
        key='=HYPERLINK("http://evil.example","Lakhpati list")',
        labels={"district": "@SUM(1+1)*cmd|' /C calc'!A0", "block": "+Khansahib", "shg_id": "-x"},
        counters={"orders": 3},
        reasons={},
    )
    report = digest.Digest(
        report_date=date(2026, 11, 20),
        month="2026-11",
        rows=[row],
        lakhpati=[],
        approaching=[],
        unpaid=[],
        payout_mismatches=[],
        fee_rules=[],
        threshold_paise=10_000_000,
        near_percent=80,
        unpaid_after_days=15,
    )
    [parsed] = list(csv.DictReader(io.StringIO(digest.to_csv(report).decode())))
    cells = [parsed["key"], parsed["district"], parsed["block"], parsed["shg_id"]]
    assert all(cell.startswith("'") for cell in cells), cells
    assert parsed["orders"] == "3"


def test_header_and_rows_go_through_the_same_helper() -> None:
    text = csv_bytes(["=a", "b"], [["@c", "-1"]]).decode()
    assert text == "'=a,b\n'@c,-1\n"
