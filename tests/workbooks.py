"""Excel workbooks as a person saves them, for import tests (openpyxl is a test dependency only)."""

from __future__ import annotations

import csv
import io

import openpyxl


def xlsx_bytes(rows: list[list[str]], *, sheets_before: tuple[str, ...] = ()) -> bytes:
    """A workbook whose last sheet holds `rows` (after empty-ish sheets named `sheets_before`, as
    channel reports put a help sheet first)."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    for number, name in enumerate(sheets_before):
        sheet = first if number == 0 else workbook.create_sheet()
        sheet.title = name
        sheet.append([f"{name}: read the other sheets"])
    data = workbook.create_sheet() if sheets_before else first
    data.title = "Orders"
    for row in rows:
        data.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
