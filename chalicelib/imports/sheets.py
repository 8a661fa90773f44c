"""Any file an office saves, read as rows of text cells: registry sheets, channel reports.

- Excel workbooks (.xlsx, .xlsm): `xlsx.py`, standard library only (the README says why). A zip whose
  parts would unpack past MAX_UNPACKED_BYTES is refused before it is read; old .xls, password-protected
  workbooks and .ods are refused with what to save them as.
- "Excel" downloads that are really web pages (an HTML table saved as .xls, as MIS report pages do):
  read with the standard library's HTML parser.
- Text: UTF-8 with or without BOM, UTF-16 (Excel's "Unicode Text", with or without BOM), else
  Windows-1252 with a note; comma, tab, semicolon or pipe separated.

Row numbers are the ones a person sees in Excel: the first row of the file is 1. The header need
not be the first row (reports often put a title above it): `open_table` takes the first of the top
HEADER_SEARCH_ROWS rows that has a layout's required columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Generic, TypeVar

from chalicelib.imports import ImportRejected
from chalicelib.imports.columns import HeaderMap, Layout

HEADER_SEARCH_ROWS = 10
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
HEAD_CHARS = 256 * 1024  # the top of a text file, where its header and separator are found
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = (",", "\t", ";", "|")

Rows = Iterator[tuple[int, list[str]]]
H = TypeVar("H", bound=HeaderMap)


@dataclass
class Sheet(Generic[H]):
    """A readable file: what it was, its header, and its data rows still to be read."""

    file_format: str
    header_row: int
    headers: H
    rows: Rows
    notes: list[str] = field(default_factory=list)


def _numbered(rows: Iterator[list[str]]) -> Rows:
    yield from enumerate(rows, start=1)


def _workbook_sheets(content: bytes) -> Iterator[tuple[str, Rows]]:
    if content.startswith(_OLE2):
        raise ImportRejected(
            "an Excel 97-2003 .xls or a password-protected workbook: save it as .xlsx (no password) "
            "or as CSV UTF-8"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportRejected("the workbook is damaged (not a readable .xlsx)") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRejected("the workbook unpacks to more than 600 MB: split it into smaller files")
    from chalicelib.imports import xlsx  # the workbook path only (its XML parser)

    if "xl/workbook.xml" not in archive.namelist():
        raise ImportRejected(
            "a zip that is not an Excel workbook (a LibreOffice .ods?): save it as .xlsx or CSV"
        )
    try:
        for name, rows in xlsx.sheets(archive):
            yield name, _readable(rows)
    except xlsx.NotAWorkbook as error:
        raise ImportRejected(
            f"the workbook cannot be read ({error}): open it in Excel and save it again"
        ) from error


def _readable(rows: Rows) -> Rows:
    """A sheet's rows; a part found broken while reading rejects the file, not the step."""
    from chalicelib.imports import xlsx

    try:
        yield from rows
    except xlsx.NotAWorkbook as error:
        raise ImportRejected(
            f"the workbook cannot be read ({error}): open it in Excel and save it again"
        ) from error


class _TableParser(HTMLParser):
    """Rows of the first <table> of a page (cells' text, <br> as a space)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _decode(content: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notes)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding.replace("-sig", " with BOM"), []
            except UnicodeDecodeError as error:
                raise ImportRejected(
                    f"the file says it is {encoding} but is not (byte {error.start})"
                ) from error
    sample = content[:4096]
    if sample.count(0) > len(sample) // 4:
        encoding = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        try:
            return content.decode(encoding), encoding, []
        except UnicodeDecodeError as error:
            raise ImportRejected("the file is neither text nor a workbook Haat can read") from error
    try:
        return content.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        note = (
            "the file is not UTF-8; it was read as Windows-1252, which has no Hindi or Urdu letters: "
            "if names look wrong, save it from Excel as 'CSV UTF-8'"
        )
        return content.decode("cp1252", errors="replace"), "windows-1252", [note]


def _delimiter(text: str) -> str:
    """The separator that splits the top lines into the most columns (only the top is split)."""
    top = text[:HEAD_CHARS].splitlines()[:HEADER_SEARCH_ROWS]
    widths = {d: _widest(top, d) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: (widths[d], -_DELIMITERS.index(d)))


def _widest(lines: list[str], delimiter: str) -> int:
    """The most cells a line splits into (0 if a cell is past the csv module's limit: reading the
    rows says which row that is)."""
    try:
        return max((len(r) for r in csv.reader(lines, delimiter=delimiter)), default=0)
    except csv.Error:
        return 0


def _text_rows(text: str) -> Rows:
    """Numbered records; a cell past the csv module's limit (128 KB) rejects the file with its line
    (no value an import reads is that long: the file is not what it seems)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise ImportRejected(
            f"row {number + 1} cannot be read ({error}): is this the file saved as CSV?"
        ) from error


def sheets(content: bytes) -> tuple[str, list[str], Iterator[tuple[str, Rows]]]:
    """(format, notes, named row sources) of a file, by its content rather than its name."""
    if content.startswith((_ZIP, _OLE2)):
        return "workbook", [], _workbook_sheets(content)
    text, encoding, notes = _decode(content)
    head = text[:2048].lstrip().lower()
    if head.startswith(("<html", "<!doctype html", "<table", "<?xml")) or "<table" in head:
        parser = _TableParser()
        parser.feed(text)
        return "web page table", notes, iter([("page", _numbered(iter(parser.rows)))])
    return f"text ({encoding})", notes, iter([("text", _text_rows(text))])


def chain(first: Iterator[tuple[int, list[str]]], rest: Rows) -> Rows:
    yield from first
    yield from rest


def open_table(content: bytes, layout: Layout) -> Sheet[HeaderMap]:
    """The first sheet whose top rows hold a header with every required column of `layout`; if no
    sheet has one, the closest header found, whose `missing` names what the file lacks."""
    if not content.strip():
        raise ImportRejected("the file is empty")
    file_format, notes, named = sheets(content)
    closest: Sheet[HeaderMap] | None = None
    for _, rows in named:
        top = [next(rows, (0, [])) for _ in range(HEADER_SEARCH_ROWS)]
        candidates = [(index, layout.map(cells)) for index, (line, cells) in enumerate(top) if line]
        if not candidates:
            continue
        index, headers = max(candidates, key=lambda c: (not c[1].missing, len(c[1].index_of), -c[0]))
        rest = (row for row in top[index + 1 :] if row[0])
        sheet = Sheet(file_format, top[index][0], headers, chain(rest, rows), notes)
        if not headers.missing:
            return sheet
        if closest is None or len(headers.index_of) > len(closest.headers.index_of):
            closest = sheet
    if closest is None:
        raise ImportRejected("the file is empty")
    return closest
