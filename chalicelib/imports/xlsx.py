"""Excel workbooks (.xlsx, .xlsm) read with the standard library, one row at a time.

An .xlsx is a zip of XML parts (ECMA-376): the workbook names its sheets, each sheet part lists its
rows and cells, repeated text sits once in the shared strings, and a cell's style says whether its
number is a date. Reading those parts with `zipfile` and `iterparse` keeps memory flat however long
the sheet and adds 128 KB to the Lambda package (defusedxml: the stdlib parser with DTDs and entities
refused, so no XML bomb or external entity gets through); the libraries measured for this
(python-calamine 2.3 MB, openpyxl 3 MB) did not fit the package's 40 MB budget (README, "Registry
import"). Tags are matched by local name, so transitional and strict OOXML both read.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, ElementTree

Rows = Iterator[tuple[int, list[str]]]

# Built-in number formats that show a date (ECMA-376 part 1, 18.8.30) - some with a time of day.
_DATE_FORMAT_IDS = frozenset({*range(14, 18), 22, *range(27, 37), *range(50, 59)})
_CELL_REFERENCE = re.compile(r"([A-Z]+)(\d+)")
_RELATIONSHIP_ID = "id"


class NotAWorkbook(Exception):
    """A zip that is not an Excel workbook, or one whose parts are broken."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, strict OOXML)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _parse(archive: zipfile.ZipFile, part: str) -> Element | None:
    try:
        with archive.open(part) as stream:
            root: Element = ElementTree.parse(stream).getroot()
            return root
    except KeyError:
        return None
    except (ParseError, DefusedXmlException) as error:
        raise NotAWorkbook(f"{part} is damaged or not plain XML") from error


def _text(element: Element) -> str:
    """A shared or inline string: its <t>, or its rich-text runs' <t>s (phonetic runs left out)."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    root = _parse(archive, "xl/sharedStrings.xml")
    return [] if root is None else [_text(item) for item in root if _local(item.tag) == "si"]


def _looks_like_date(code: str) -> bool:
    """A custom number format showing a date: d or y outside quoted text and [colour] sections."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return "d" in bare or "y" in bare


def _date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell style indexes whose number format is a date."""
    root = _parse(archive, "xl/styles.xml")
    if root is None:
        return frozenset()
    custom = {
        int(fmt.get("numFmtId", "-1")): _looks_like_date(fmt.get("formatCode", ""))
        for section in root
        if _local(section.tag) == "numFmts"
        for fmt in section
    }
    dates = set()
    for section in root:
        if _local(section.tag) != "cellXfs":
            continue
        for index, xf in enumerate(section):
            number_format = int(xf.get("numFmtId", "0"))
            if custom.get(number_format, number_format in _DATE_FORMAT_IDS):
                dates.add(index)
    return frozenset(dates)


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], bool]:
    """(sheet name, part path) in workbook order, and whether dates count from 1904."""
    workbook = _parse(archive, "xl/workbook.xml")
    relationships = _parse(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or relationships is None:
        raise NotAWorkbook("no xl/workbook.xml")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relationships}
    sheets = []
    date1904 = False
    for section in workbook:
        if _local(section.tag) == "workbookPr":
            date1904 = (section.get("date1904") or "").lower() in {"1", "true"}
        if _local(section.tag) != "sheets":
            continue
        for sheet in section:
            target = targets.get(_attribute(sheet, _RELATIONSHIP_ID) or "")
            if target:
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                sheets.append((sheet.get("name") or path, path))
    return sheets, date1904


def _column(reference: str | None, previous: int) -> tuple[int, int | None]:
    """(0-based column, 1-based row) of a cell reference like "AB12" (next column when absent)."""
    found = _CELL_REFERENCE.fullmatch(reference or "")
    if found is None:
        return previous + 1, None
    column = 0
    for letter in found[1]:
        column = column * 26 + ord(letter) - 64
    return column - 1, int(found[2])


def _number_text(value: str) -> str:
    """'9876543210', '9.87654321E9' -> '9876543210'; '1250.5' stays."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _serial_date(value: str, date1904: bool) -> str:
    """An Excel date serial as ISO text (the time kept only when there is one)."""
    try:
        serial = float(value)
    except ValueError:
        return value
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    moment = epoch + dt.timedelta(days=serial)
    return moment.date().isoformat() if moment.time() == dt.time() else moment.isoformat(timespec="seconds")


def _cell_text(cell: Element, shared: list[str], dates: frozenset[int], date1904: bool) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = next((child for child in cell if _local(child.tag) == "is"), None)
        return "" if inline is None else _text(inline)
    value = next((child.text or "" for child in cell if _local(child.tag) == "v"), "")
    if kind == "s":
        return shared[int(value)] if value.isdigit() and int(value) < len(shared) else ""
    if kind == "b":
        return "yes" if value == "1" else "no"
    if kind in {"str", "e", "d"}:
        return value
    if int(cell.get("s", "0") or 0) in dates:
        return _serial_date(value, date1904)
    return _number_text(value) if value else ""


def _rows(stream: IO[bytes], shared: list[str], dates: frozenset[int], date1904: bool) -> Rows:
    number = 0
    cells: dict[int, str] = {}
    column = -1
    for _, element in ElementTree.iterparse(stream, events=("end",)):
        tag = _local(element.tag)
        if tag == "c":
            column, _ = _column(element.get("r"), column)
            cells[column] = _cell_text(element, shared, dates, date1904)
            element.clear()
        elif tag == "row":
            declared = element.get("r")
            number = int(declared) if declared and declared.isdigit() else number + 1
            width = max(cells) + 1 if cells else 0
            yield number, [cells.get(index, "") for index in range(width)]
            cells, column = {}, -1
            element.clear()


def sheets(archive: zipfile.ZipFile) -> Iterator[tuple[str, Rows]]:
    """(name, rows) of each worksheet, in the workbook's order; rows numbered as Excel shows them."""
    try:
        parts, date1904 = _sheet_parts(archive)
        shared = _shared_strings(archive)
        dates = _date_styles(archive)
    except (KeyError, ValueError, zipfile.BadZipFile) as error:
        raise NotAWorkbook(str(error)) from error
    for name, part in parts:
        try:
            stream = archive.open(part)
        except KeyError:
            continue
        yield name, _guarded(_rows(stream, shared, dates, date1904), part)


def _guarded(rows: Rows, part: str) -> Rows:
    try:
        yield from rows
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, ValueError) as error:
        raise NotAWorkbook(f"{part} is damaged") from error
