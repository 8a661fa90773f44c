"""An MIS-like export with a few percent of bad rows of every kind, imported twice through the API:
the report names each bad row and why; the good rows are in the registry; the second import
changes nothing at all (not one item of the registry table differs)."""

from __future__ import annotations

from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr
from chalice import Chalice
from chalice.test import Client

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.registry import repository
from chalicelib.registry.models import Language
from tests.registry.helpers import (
    MEMBER_HEADERS,
    PRODUCT_HEADERS,
    SHG_HEADERS,
    member,
    notes,
    product,
    run_import,
    shg,
    table,
)


def _registry_items(prefix: str) -> list[dict[str, Any]]:
    """Every registry item of this test's codes (groups, members, products, pointers, history)."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"FilterExpression": Attr("pk").contains(prefix)}
    registry = aws.table(settings().REGISTRY_TABLE)
    while True:
        page = registry.scan(**request)
        found.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(found, key=lambda item: (item["pk"], item["sk"]))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _expect(report: dict[str, Any], expected: dict[int, tuple[str, str]]) -> None:
    """Each expected bad row is reported on its column with a reason saying so; no other row is."""
    found = notes(report)
    assert set(found) == set(expected), (sorted(found), sorted(expected))
    for row, (column, words) in expected.items():
        assert any(c == column and words in reason for c, reason in found[row]), (row, found[row])


@pytest.fixture
def prefix(unique: str) -> str:
    return f"U{unique}"


def test_shg_and_member_exports_with_bad_rows_imported_twice(
    client: Client, app: Chalice, prefix: str
) -> None:
    codes = [f"{prefix}-{n:03d}" for n in range(40)]
    shg_rows = [shg(code, "Srinagar" if n % 2 else "Baramulla") for n, code in enumerate(codes)]
    bad_shgs = {
        # row numbers are Excel's: the header is row 1
        42: (shg(f"{prefix}-900", "Srinagr"), ("District", "not a district")),
        43: (shg(f"{prefix}-901", formed="31-02-2019"), ("Formation Date", "not a date")),
        44: (shg(f"{prefix} 902"), ("SHG Code", "a code is")),
        45: (shg(f"{prefix}-903", name=""), ("SHG Name", "empty")),
        46: (shg(codes[3]), ("SHG Code", "duplicate: row 5")),
        47: (shg(f"{prefix}-904", formed="01-01-2999"), ("Formation Date", "future")),
    }
    shg_file = table(SHG_HEADERS, shg_rows + [row for row, _ in bad_shgs.values()]).encode()

    good_members = [member(f"{code}-M{m}", code) for code in codes for m in range(3)]  # 120 rows
    bad_member_rows = [
        (member(f"{prefix}-X01", codes[0], mobile="12345"), ("Mobile No", "10-digit")),
        (member(f"{prefix}-X02", codes[0], mobile="01942451234"), ("Mobile No", "start with 6, 7, 8 or 9")),
        (member(f"{prefix}-X03", codes[0], mobile="9.87654E+09"), ("Mobile No", "Excel")),
        (member(f"{prefix}-X04", f"{prefix}-999"), ("SHG Code", "unknown SHG code")),
        (member(f"{prefix}-X05", f"{prefix}-900"), ("SHG Code", "unknown SHG code")),  # its SHG row was bad
        (member(f"{codes[1]}-M0", codes[1]), ("Member Code", "duplicate: row 5")),
        (member(f"{prefix}-X06", codes[2], name=""), ("Member Name", "empty")),
        (member(f"{prefix}-X07", codes[2], role="Chairperson"), ("Designation", "unknown designation")),
        (member(f"{prefix}-X08", codes[2], gender="X"), ("Gender", "unknown gender")),
        (member(f"{prefix}-X09", codes[2], pvtg="maybe"), ("PVTG", "not yes or no")),
    ]
    bad_members = {len(good_members) + 2 + n: expected for n, (_, expected) in enumerate(bad_member_rows)}
    member_file = table(MEMBER_HEADERS, good_members + [row for row, _ in bad_member_rows]).encode()

    first_shgs = run_import(client, app, shg_file, "SHG_Profile.csv")
    first_members = run_import(client, app, member_file, "Member_Profile.csv")

    assert first_shgs["record"]["status"] == "completed"
    assert (
        first_shgs["record"]["rows"],
        first_shgs["record"]["created"],
        first_shgs["record"]["invalid"],
    ) == (46, 40, 6)
    _expect(first_shgs, {row: exp for row, (_, exp) in bad_shgs.items()})
    record = first_members["record"]
    assert (record["rows"], record["created"], record["invalid"] + record["rejected"]) == (130, 120, 10)
    _expect(first_members, bad_members)
    assert repository.get_member(codes[5], f"{codes[5]}-M2") is not None
    assert repository.get_shg(codes[0]).district == "Baramulla"  # type: ignore[union-attr]

    before = _registry_items(prefix)
    second_shgs = run_import(client, app, shg_file, "SHG_Profile.csv")
    second_members = run_import(client, app, member_file, "Member_Profile.csv")

    for second, first in ((second_shgs, first_shgs), (second_members, first_members)):
        assert (second["record"]["created"], second["record"]["updated"]) == (0, 0)
        assert second["record"]["unchanged"] == first["record"]["created"]
        assert second["errors"] == first["errors"]
    assert _registry_items(prefix) == before


def test_product_sheet_with_bad_rows_imported_twice(client: Client, app: Chalice, prefix: str) -> None:
    run_import(
        client,
        app,
        table(SHG_HEADERS, [shg(f"{prefix}-A"), shg(f"{prefix}-B", "Budgam")]).encode(),
        "shgs.csv",
    )
    run_import(
        client, app, table(MEMBER_HEADERS, [member(f"{prefix}-A-M1", f"{prefix}-A")]).encode(), "members.csv"
    )
    good = [product(f"{prefix}-SKU-{n:02d}", f"{prefix}-A", makers=f"{prefix}-A-M1") for n in range(30)]
    bad_rows = [
        (product(f"{prefix}-BAD-1", f"{prefix}-A", price="twelve hundred"), ("Price (Rs)", "not a number")),
        (product(f"{prefix}-BAD-2", f"{prefix}-A", price="0"), ("Price (Rs)", "more than 0")),
        (product(f"{prefix}-BAD-3", f"{prefix}-A", stock="-3"), ("Stock", "whole number")),
        (
            product(f"{prefix}-BAD-4", f"{prefix}-A", short_hi="बहुत लंबा नाम जो तीस अक्षरों से अधिक है"),
            ("Short Name (Hindi)", "30"),
        ),
        (product(f"{prefix}-BAD-5", f"{prefix}-Z"), ("SHG Code", "unknown SHG code")),
        (
            product(f"{prefix}-BAD-6", f"{prefix}-A", makers=f"{prefix}-NOBODY"),
            ("Maker Member Codes", "no member"),
        ),
        (product(f"{prefix}-SKU-03", f"{prefix}-A"), ("SKU", "duplicate: row 5")),
        (
            product(f"{prefix}-BAD-7", f"{prefix}-A", flipkart=f"FK-{prefix}-SKU-04"),
            ("Flipkart SKU", "duplicate: row 6"),
        ),
        (product(f"{prefix}-BAD 8", f"{prefix}-A"), ("SKU", "a SKU is")),
        (product(f"{prefix}-BAD-9", f"{prefix}-A", title=""), ("Title", "empty")),
    ]
    expected = {len(good) + 2 + n: exp for n, (_, exp) in enumerate(bad_rows)}
    sheet = table(PRODUCT_HEADERS, good + [row for row, _ in bad_rows]).encode()

    first = run_import(client, app, sheet, "products.csv")
    assert (first["record"]["created"], first["record"]["rows"]) == (30, 40)
    _expect(first, expected)
    stored = repository.get_product(f"P-{prefix}-SKU-07")
    assert stored is not None
    assert (stored.price_paise, stored.stock, stored.short_name[Language.HINDI]) == (
        180000,
        10,
        "पेपर माशी डिब्बा",
    )

    # B's coordinator may not file a product under A's SKU: a SKU belongs to one group.
    taken = table(PRODUCT_HEADERS, [product(f"{prefix}-SKU-00", f"{prefix}-B")]).encode()
    _expect(run_import(client, app, taken, "products-b.csv"), {2: ("SKU", f"product of {prefix}-A")})

    before = _registry_items(prefix)
    second = run_import(client, app, sheet, "products.csv")
    assert (second["record"]["created"], second["record"]["updated"], second["record"]["unchanged"]) == (
        0,
        0,
        30,
    )
    assert second["errors"] == first["errors"]
    assert _registry_items(prefix) == before
