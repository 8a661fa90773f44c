"""Reading the files districts have: encodings, separators, workbooks, web-page 'xls', lenient
headers, and the values people type (no AWS here: the reader, the mapping and the row checks)."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from chalicelib.imports import ImportRejected
from chalicelib.registry import districts, values
from chalicelib.registry.imports import columns
from chalicelib.registry.imports.columns import Kind
from chalicelib.registry.imports.reader import open_sheet
from chalicelib.registry.imports.rows import check, given
from chalicelib.registry.models import Language
from tests.registry.helpers import SHG_HEADERS, shg, table

TODAY = date(2026, 11, 30)
HINDI_HEADERS = [
    "एसएचजी कोड",
    "समूह का नाम",
    "राज्य",
    "जिला",
    "ब्लॉक",
    "ग्राम पंचायत",
    "गाँव",
    "ग्राम संगठन",
    "सीएलएफ",
    "गठन तिथि",
]
ROWS = [shg("JK-001"), shg("JK-002", "Jammu", name="तवी महिला मंडल", block="R.S. Pura", village="सुचेतगढ़")]


def _read(content: bytes, kind: Kind | None = None) -> tuple[str, list[dict[str, object]], list[str]]:
    sheet = open_sheet(content, kind)
    found = []
    for line, cells in sheet.rows:
        row, errors = check(sheet.headers.kind, line, cells, sheet.headers, today=TODAY)
        assert not errors, errors
        assert row is not None
        found.append(given(row))
    return sheet.file_format, found, sheet.notes


EXPECTED = _read(table(SHG_HEADERS, ROWS).encode())[1]


def _xlsx(headers: list[str], rows: list[list[object]], title: str = "") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title:
        sheet.append([title])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "described"),
    [
        ("utf-8", table(SHG_HEADERS, ROWS).encode(), "text (utf-8)"),
        ("utf-8 with BOM", codecs.BOM_UTF8 + table(SHG_HEADERS, ROWS).encode(), "text (utf-8 with BOM)"),
        (
            "Excel 'Unicode Text' (UTF-16 LE, BOM, tabs)",
            table(SHG_HEADERS, ROWS, delimiter="\t").encode("utf-16"),
            "text (utf-16)",
        ),
        ("UTF-16 LE without BOM", table(SHG_HEADERS, ROWS).encode("utf-16-le"), "text (utf-16-le)"),
        ("UTF-16 BE without BOM", table(SHG_HEADERS, ROWS).encode("utf-16-be"), "text (utf-16-be)"),
        ("semicolons", table(SHG_HEADERS, ROWS, delimiter=";").encode(), "text (utf-8)"),
        ("Hindi headers", table(HINDI_HEADERS, ROWS).encode(), "text (utf-8)"),
        (
            "xlsx with a title above the header",
            _xlsx(SHG_HEADERS, ROWS, "SHG Profile Report"),
            "workbook, sheet 'Sheet'",
        ),
    ],
)
def test_every_format_reads_the_same_rows(name: str, content: bytes, described: str) -> None:
    file_format, found, _ = _read(content)
    assert file_format == described
    assert found == EXPECTED


def test_a_web_page_saved_as_xls_reads_like_the_csv() -> None:
    cells = "".join(f"<th>{h}</th>" for h in SHG_HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS)
    page = f"<html><body><h3>SHG Report</h3><table border=1><tr>{cells}</tr>{body}</table></body></html>"
    file_format, found, _ = _read(page.encode())
    assert (file_format, found) == ("web page table", EXPECTED)


def test_workbook_number_and_date_cells_read_as_people_typed_them() -> None:
    content = _xlsx(
        ["Member Code", "SHG Code", "Member Name", "Mobile No"],
        [[120034567, "JK-001", "Shazia", 9876543210]],
    )
    _, [found], _ = _read(content)
    assert found == {
        "member_code": "120034567",
        "shg_code": "JK-001",
        "member_name": "Shazia",
        "mobile": "+919876543210",
    }
    dated = _xlsx(SHG_HEADERS, [[*ROWS[0][:9], datetime(2019, 3, 12)]])
    _, [shg_row], _ = _read(dated)
    assert shg_row["formed_on"] == "2019-03-12"


def test_windows_1252_is_read_with_a_note() -> None:
    content = table(SHG_HEADERS, [shg("JK-003", name="Café SHG")]).encode("cp1252")
    file_format, [found], notes = _read(content)
    assert file_format == "text (windows-1252)"
    assert found["shg_name"] == "Café SHG"
    assert "CSV UTF-8" in notes[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02garbage" * 100, "no header row"),
        (b"PK\x03\x04not really a zip", "damaged"),
        (b"Name,Village\nNoor,Dara\n", "no header row"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content: bytes, words: str) -> None:
    with pytest.raises(ImportRejected, match=words):
        open_sheet(content, None)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("SHG_CODE", "shg_code"),
        ("  shg   code ", "shg_code"),
        ("Mobile No.", "mobile"),
        ("MOBILE_NUMBER", "mobile"),
        ("मोबाइल नंबर", "mobile"),
        ("सदस्य का नाम", "member_name"),
        ("Name of the Member", "member_name"),
        ("पद", "role"),
        ("लिंग", "gender"),
    ],
)
def test_headers_match_whatever_the_case_spacing_or_script(header: str, field: str) -> None:
    found = columns.column_of(Kind.MEMBERS, header)
    assert found is not None
    assert found.field == field


def test_a_file_names_its_kind_and_its_missing_columns() -> None:
    sheet = open_sheet(b"Member Code,Member Name\nM-001,Shazia\n", None)
    assert sheet.headers.kind is Kind.MEMBERS
    assert sheet.headers.missing == ("SHG Code", "Mobile No")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("9876543210", "+919876543210"),
        ("98765 43210", "+919876543210"),
        ("+91 98765-43210", "+919876543210"),
        ("+91-9876543210", "+919876543210"),
        ("09876543210", "+919876543210"),
        ("919876543210", "+919876543210"),
        ("0091 98765 43210", "+919876543210"),
        ("(98765) 43210", "+919876543210"),
        ("९८७६५४३२१०", "+919876543210"),
        ("9876543210.0", "+919876543210"),
    ],
)
def test_mobiles_become_e164(typed: str, e164: str) -> None:
    assert values.indian_mobile(typed) == e164


@pytest.mark.parametrize(
    "typed", ["12345", "0194-2451234", "+44 20 7946 0958", "9.87654E+09", "98765abcde", "5876543210"]
)
def test_what_is_not_an_indian_mobile_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"mobile|Excel"):
        values.indian_mobile(typed)


def test_language_defaults_by_division_and_districts_by_any_spelling() -> None:
    assert districts.default_language("Baramula") is Language.URDU
    assert districts.default_language("श्रीनगर") is Language.URDU
    assert districts.default_language("Udhampur") is Language.HINDI
    assert districts.canonical_district("  BADGAM ") == "Budgam"
    assert districts.canonical_district("Pune") is None


@pytest.mark.parametrize(
    ("typed", "paise"), [("1800", 180000), ("₹1,250.50", 125050), ("Rs. 1,25,000/-", 12500000)]
)
def test_prices_in_rupees_become_paise(typed: str, paise: int) -> None:
    assert values.paise(typed) == paise


def test_the_better_named_of_two_columns_for_one_field_wins_whatever_their_order() -> None:
    headers = columns.map_headers(Kind.PRODUCTS, ["MRP", "SKU", "Title", "Craft", "SHG Code", "Price (Rs)"])
    assert headers.index_of["price"] == 5
    assert headers.ignored == ("MRP",)


def test_an_mis_export_with_database_style_headers_reads() -> None:
    header = (
        "STATE_NAME,DISTRICT_NAME,BLOCK_NAME,PANCHAYAT_NAME,VILLAGE_NAME,SHG_ID,SHG_NAME,VO_NAME,CLF_NAME"
    )
    row = "JAMMU & KASHMIR,BARAMULA,Sopore,Tujar Sharief,Tujar,120034,Wular Crafts SHG,Tujar VO,Sopore CLF"
    export = f"{header},FORMATION_DATE\n{row},2020/01/15\n"
    _, [found], _ = _read(export.encode())
    assert found == {
        "state": "Jammu and Kashmir",
        "district": "Baramulla",
        "block": "Sopore",
        "gram_panchayat": "Tujar Sharief",
        "village": "Tujar",
        "shg_code": "120034",
        "shg_name": "Wular Crafts SHG",
        "village_organisation": "Tujar VO",
        "federation": "Sopore CLF",
        "formed_on": "2020-01-15",
    }


def test_a_workbook_reads_its_first_sheet_with_a_header_gaps_and_all() -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Instructions"
    notes.append(["Fill one row per member."])
    members = workbook.create_sheet("Members")
    members.append(["Member Code", "SHG Code", "Member Name", "Mobile No", "PVTG"])
    members["A3"], members["B3"], members["C3"], members["D3"], members["E3"] = (
        "M-1",
        "JK-001",
        "Zoona",
        9812345678,
        True,
    )
    members["A5"], members["B5"], members["C5"], members["D5"] = (
        "M-2",
        "JK-001",
        "Haseena",
        "+91 98123 45679",
    )
    out = io.BytesIO()
    workbook.save(out)
    sheet = open_sheet(out.getvalue(), None)
    assert (sheet.file_format, sheet.header_row) == ("workbook, sheet 'Members'", 1)
    assert [(line, cells[:5]) for line, cells in sheet.rows] == [
        (3, ["M-1", "JK-001", "Zoona", "9812345678", "yes"]),
        (5, ["M-2", "JK-001", "Haseena", "+91 98123 45679"]),
    ]


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "save it as .xlsx"),
        (_zip({"content.xml": "<office:document-content/>", "mimetype": "application/vnd.oasis"}), ".ods"),
        (
            _zip(
                {
                    "xl/workbook.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>',
                    "xl/_rels/workbook.xml.rels": "<Relationships/>",
                }
            ),
            "cannot be read",
        ),
    ],
)
def test_workbooks_haat_cannot_read_are_refused_with_what_to_do(content: bytes, words: str) -> None:
    with pytest.raises(ImportRejected, match=words):
        open_sheet(content, None)
