"""A registry import stays inside its function's memory and time whatever the file: capped in size,
rows and notes kept, read and checked row by row; a file it cannot read is rejected with the reason
(never a step that fails on the queue), and a coordinator's rows outside her area are refused one
by one."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date

import pytest
from chalice import Chalice
from chalice.test import Client

from chalicelib.auth import Role, issue_local_token
from chalicelib.imports import ImportRejected
from chalicelib.registry import repository
from chalicelib.registry.imports import service
from chalicelib.registry.imports.columns import find_header
from tests.registry.helpers import (
    MEMBER_HEADERS,
    PRODUCT_HEADERS,
    SHG_HEADERS,
    headers,
    member,
    notes,
    product,
    run_import,
    shg,
    table,
    token,
)


def test_a_cell_past_the_csv_limit_rejects_the_file_with_its_row(client: Client, app: Chalice) -> None:
    sheet = table(SHG_HEADERS, [shg("JK-CELL-1"), shg("JK-CELL-2", name="x" * 140_000)])
    report = run_import(client, app, sheet.encode(), "shgs.csv")
    assert report["record"]["status"] == "rejected"
    assert report["record"]["message"].startswith("row 3 cannot be read (field larger than field limit")
    assert repository.get_shg("JK-CELL-1") is None  # rejected whole, before anything is applied


def test_files_over_the_size_or_row_cap_are_rejected_whole(
    client: Client, app: Chalice, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [shg(f"CAP{unique}-{n}") for n in range(6)]
    monkeypatch.setattr(service, "MAX_ROWS", 5)
    too_many = run_import(client, app, table(SHG_HEADERS, rows).encode(), "shgs.csv")
    assert (too_many["record"]["status"], too_many["record"]["message"]) == (
        "rejected",
        "more than 5 rows: split the file (by district or block)",
    )
    monkeypatch.setattr(service, "MAX_ROWS", 200_000)
    monkeypatch.setattr(service, "MAX_FILE_BYTES", 100)
    too_big = run_import(client, app, table(SHG_HEADERS, rows).encode(), "shgs.csv")
    assert too_big["record"]["message"].startswith("the file is over 0 MB")
    assert repository.get_shg(f"CAP{unique}-0") is None


def test_every_bad_row_is_counted_and_only_the_first_notes_kept(
    client: Client, app: Chalice, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "KEPT_NOTES", 4)
    bad = [shg(f"BAD{unique}-{n}", district="Nowhere", formed="tomorrow") for n in range(10)]
    report = run_import(client, app, table(SHG_HEADERS, [*bad, shg(f"OK{unique}")]).encode(), "shgs.csv")
    record = report["record"]
    assert (record["rows"], record["invalid"], record["created"], record["errors_kept"]) == (11, 10, 1, 4)
    assert len(report["errors"]) == 4


def _endless_rows() -> Iterator[tuple[int, list[str]]]:
    for line in itertools.count(2):
        yield line, [f"JK-{line}", "SHG", "Srinagar", "Harwan", "Dara"]


def test_rows_are_checked_as_they_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading stops at the cap: rows are never all held first (an endless file is refused)."""
    monkeypatch.setattr(service, "MAX_ROWS", 1_000)
    found = find_header([["SHG Code", "SHG Name", "District", "Block", "Village"]], None)
    assert found is not None
    with pytest.raises(ImportRejected, match="more than 1,000 rows"):
        service._check_rows(found[1], _endless_rows(), date(2026, 11, 30))


def test_a_block_coordinator_is_refused_other_blocks_members_and_products_row_by_row(
    client: Client, app: Chalice, unique: str
) -> None:
    ours, theirs = f"HB{unique}", f"KB{unique}"
    run_import(
        client, app, table(SHG_HEADERS, [shg(ours), shg(theirs, block="Khanmoh")]).encode(), "shgs.csv"
    )
    harwan = issue_local_token("harwan-bmmu", Role.BLOCK_COORDINATOR, district="Srinagar", block="Harwan")
    outside = "outside your area (block Harwan of district Srinagar)"
    members = table(MEMBER_HEADERS, [member(f"{ours}-M1", ours), member(f"{theirs}-M1", theirs)])
    report = run_import(client, app, members.encode(), "members.csv", bearer=harwan)
    assert (report["record"]["created"], report["record"]["rejected"]) == (1, 1)
    assert notes(report) == {3: [("SHG Code", outside)]}
    assert repository.get_member(theirs, f"{theirs}-M1") is None
    products = table(PRODUCT_HEADERS, [product(f"{ours}-SKU", ours), product(f"{theirs}-SKU", theirs)])
    report = run_import(client, app, products.encode(), "products.csv", bearer=harwan)
    assert (report["record"]["created"], report["record"]["rejected"]) == (1, 1)
    assert notes(report) == {3: [("SHG Code", outside)]}
    assert repository.get_product(f"P-{theirs}-SKU") is None


def test_the_report_csv_never_carries_a_formula(client: Client, app: Chalice, unique: str) -> None:
    starts = ["=HYPERLINK(1)", "+1+1", "-1+2", "@SUM(1)", "\t=1", "\r=1"]
    sheet = table(SHG_HEADERS, [shg(f"F{unique}-{n}", district=value) for n, value in enumerate(starts)])
    report = run_import(client, app, sheet.encode(), "shgs.csv")
    answer = client.http.get(
        f"/imports/registry/{report['record']['import_id']}/report.csv", headers=headers(token())
    )
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    values = [row[2] for row in rows[1:] if row[1] == "District"]
    assert len(values) == len(starts), rows
    assert all(value.startswith("'") for value in values), values
