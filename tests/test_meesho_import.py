"""Meesho supplier-panel order exports through POST /imports/orders/meesho and the CLI."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from click.testing import CliRunner

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.connectors.adapters import meesho as adapter
from chalicelib.connectors.meesho import importer
from chalicelib.imports import REPORTED_ERRORS
from chalicelib.orders.models import OrderEvent, OrderStatus
from haat_tools.cli import main
from haat_tools.local import demo
from haat_tools.local.stack import PROJECT_DIR
from tests.connector_queue import QueuedMessage, order_queue, take_all

__all__ = ["order_queue"]

SAMPLE = PROJECT_DIR / "events" / "orders" / "meesho_orders.csv"
HEADERS = [
    "Reason for Credit Entry",
    "Sub Order No",
    "Order Date",
    "Customer State",
    "Product Name",
    "SKU",
    "Size",
    "Quantity",
    "Supplier Listed Price (Incl. GST + Commission)",
    "Supplier Discounted Price (Incl GST and Commision)",
    "Packet Id",
]


def export(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def row(sub_order: str, status: str = "PENDING", **overrides: str) -> list[str]:
    values = {
        "status": status,
        "sub_order": sub_order,
        "date": "2026-11-20",
        "state": "Karnataka",
        "name": "Papier-mache jewellery box",
        "sku": "MS-SGR-PM-BOX-02",
        "size": "Free Size",
        "qty": "1",
        "listed": "1800",
        "discounted": "1750",
        "packet": "",
    }
    values.update(overrides)
    return list(values.values())


def post(
    client: Client, body: bytes, *, role: Role = Role.DISTRICT_COORDINATOR, json_body: bool = False
) -> Any:
    token = issue_local_token("coordinator-1", role, district="Srinagar")
    return client.http.post(
        "/imports/orders/meesho",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json" if json_body else "text/csv; charset=utf-8",
        },
        body=body,
    )


def events(messages: list[QueuedMessage]) -> list[OrderEvent]:
    assert {m.channel for m in messages} <= {"meesho"}
    return [event for m in messages for event in adapter.to_order_events(m.body)]


@pytest.fixture(scope="module", autouse=True)
def seeded(local_aws: object) -> None:
    """The sample registry: the SKUs of the exports below belong to SHGs in it."""
    demo.seed_registry()


def test_good_export_is_enqueued_and_its_result_stored(client: Client, order_queue: str) -> None:
    response = post(client, SAMPLE.read_bytes(), role=Role.MISSION_ADMIN)

    assert response.status_code == 200
    result = response.json_body
    assert (result["rows"], result["valid"], result["invalid"], result["errors"]) == (3, 3, 0, [])
    found = sorted(events(take_all(order_queue)), key=lambda e: e.channel_order_id)
    assert [(e.channel_order_id, e.status) for e in found] == [
        ("218465329087453312_1", OrderStatus.PLACED),
        ("218465329087453313_1", OrderStatus.PACKED),
        ("218465329087453314_1", OrderStatus.SHIPPED),
    ]
    cushion = found[2].lines[0]
    assert (cushion.channel_sku, cushion.quantity, cushion.unit_price_paise) == (
        "MS-BLA-CRW-CUSH-01",
        2,
        155000,
    )
    stored = aws.table(settings().OPS_TABLE).get_item(
        Key={"pk": "IMPORT#meesho", "sk": f"{result['imported_at']}#{result['import_id']}"}
    )["Item"]
    assert stored["valid"] == 3
    assert stored["imported_by"] == "coordinator-1"


def test_resource_person_may_not_import(client: Client, order_queue: str) -> None:
    assert post(client, SAMPLE.read_bytes(), role=Role.RESOURCE_PERSON).status_code == 403
    assert take_all(order_queue) == []


def test_bad_rows_are_reported_and_good_rows_still_go_through(
    client: Client, order_queue: str, unique: str
) -> None:
    body = export(
        [
            row(f"{unique}01_1"),
            row(f"{unique}02_1", qty="two"),
            row(f"{unique}03_1", status="TELEPORTED"),
            row(f"{unique}04_1", date="31/31/2026"),
            row(f"{unique}05_1", discounted="", listed=""),
            row(f"{unique}06_1", sku=""),
            row(f"{unique}07_1", status="DELIVERED"),
        ]
    )

    result = post(client, body).json_body

    assert (result["rows"], result["valid"], result["invalid"]) == (7, 2, 5)
    errors = {(e["row"], e["column"]) for e in result["errors"]}
    assert errors == {
        (3, "Quantity"),
        (4, "Reason for Credit Entry"),
        (5, "Order Date"),
        (6, "(row)"),
        (7, "SKU"),
    }
    assert "unknown order status 'TELEPORTED'" in json.dumps(result["errors"])
    sent = {e.channel_order_id for e in events(take_all(order_queue))}
    assert sent == {f"{unique}01_1", f"{unique}07_1"}


def test_headers_may_vary_in_case_spacing_order_and_spelling(
    client: Client, order_queue: str, unique: str
) -> None:
    headers = [
        "  sku ",
        "QUANTITY",
        "sub order no",
        "Supplier Discounted Price (Incl GST and Commission)",
        "order date",
        "reason for credit entry",
    ]
    body = export([["MS-JMU-WIL-BSK-01", "1", f"{unique}_1", "2400", "2026-11-21", "Ready to ship"]], headers)

    result = post(client, body, role=Role.MISSION_ADMIN).json_body

    assert result["valid"] == 1, result
    [event] = events(take_all(order_queue))
    assert (event.status, event.lines[0].unit_price_paise) == (OrderStatus.PACKED, 240000)


def test_a_file_without_required_columns_is_refused_whole(client: Client, order_queue: str) -> None:
    response = post(client, export([["x", "y"]], ["Sub Order No", "Customer State"]))

    assert response.status_code == 422
    assert response.json_body["missing_columns"] == [
        "Reason for Credit Entry",
        "Order Date",
        "SKU",
        "Quantity",
    ]
    assert take_all(order_queue) == []


def test_reimport_of_the_same_or_an_overlapping_export_repeats_event_ids(
    client: Client, order_queue: str, unique: str
) -> None:
    first = export([row(f"{unique}1_1"), row(f"{unique}2_1")])
    overlapping = export([row(f"{unique}2_1"), row(f"{unique}1_1", status="SHIPPED"), row(f"{unique}3_1")])
    post(client, first)
    ids_first = {e.event_id for e in events(take_all(order_queue))}
    post(client, first)
    ids_again = {e.event_id for e in events(take_all(order_queue))}
    post(client, overlapping)
    ids_overlap = {e.event_id for e in events(take_all(order_queue))}

    assert ids_again == ids_first  # the idempotent consumer records nothing new
    assert len(ids_overlap - ids_first) == 2  # only the new state of order 1 and the new order 3


def test_devanagari_product_names_survive_the_journey(client: Client, order_queue: str, unique: str) -> None:
    name = "अखरोट की लकड़ी की नक्काशीदार ट्रे"
    result = post(client, export([row(f"{unique}_1", name=name)])).json_body

    assert result["valid"] == 1
    [event] = events(take_all(order_queue))
    assert event.lines[0].title == name


def test_a_10_mb_export_uploaded_to_s3_is_imported(client: Client, order_queue: str, unique: str) -> None:
    name = "सोज़नी कढ़ाई वाला पश्मीना स्टोल, हाथ से बना - " * 4
    rows = []
    body = b""
    while len(body) < 10 * 1024 * 1024:
        start = len(rows)
        rows.extend(row(f"{unique}{start + n:07d}_1", name=name) for n in range(2000))
        body = export(rows)
    token = issue_local_token("coordinator-1", Role.DISTRICT_COORDINATOR)
    target = client.http.post(
        "/imports/orders/meesho/uploads", headers={"Authorization": f"Bearer {token}"}
    ).json_body
    upload = urllib.request.Request(
        target["upload_url"], data=body, method="PUT", headers={"Content-Type": "text/csv"}
    )
    with urllib.request.urlopen(upload, timeout=60) as uploaded:
        assert uploaded.status == 200

    response = post(client, json.dumps({"key": target["key"]}).encode(), json_body=True)

    result = response.json_body
    assert response.status_code == 200
    assert result["file_bytes"] >= 10 * 1024 * 1024
    assert (result["valid"], result["invalid"]) == (len(rows), 0)
    sqs = aws.client("sqs")
    url = aws.queue_url(order_queue)
    waiting = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(waiting["Attributes"]["ApproximateNumberOfMessages"]) == result["enqueued_messages"]
    assert result["enqueued_messages"] < len(rows) / 10  # rows travel in chunks, not one by one
    sample = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert all(
        e.lines[0].title == name.strip()
        for m in sample
        for e in adapter.to_order_events(json.loads(m["Body"]))
    )
    sqs.purge_queue(QueueUrl=url)


def test_cli_imports_a_file(order_queue: str, tmp_path: Path, unique: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(export([row(f"{unique}_1")]))

    result = CliRunner().invoke(main, ["import", "meesho", str(path)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert '"valid": 1,' in result.output


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00bad"])
def test_unreadable_files_get_a_clear_400(client: Client, content: bytes) -> None:
    response = post(client, content)
    assert response.status_code == 400
    assert response.json_body["error"]


def _coordinator(client: Client, body: bytes, **scope: str) -> Any:
    role = Role.BLOCK_COORDINATOR if "block" in scope else Role.DISTRICT_COORDINATOR
    token = issue_local_token("coordinator-2", role, **scope)
    return client.http.post(
        "/imports/orders/meesho",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        body=body,
    )


@pytest.mark.parametrize(
    "scope", [{"district": "Budgam"}, {"district": "Budgam", "block": "Khansahib"}], ids=["district", "block"]
)
def test_rows_outside_the_callers_area_are_refused_one_by_one(
    client: Client, order_queue: str, unique: str, scope: dict[str, str]
) -> None:
    """A Budgam coordinator's export with Srinagar SKUs: only the Budgam row is queued."""
    body = export(
        [
            row(f"{unique}01_1", sku="MS-SGR-PM-BOX-02"),
            row(f"{unique}02_1", sku="MS-BDG-WWC-TRAY-01"),
            row(f"{unique}01_1", "CANCELLED", sku="MS-SGR-PM-BOX-02"),
            row(f"{unique}03_1", sku="MS-NOT-LISTED"),
        ]
    )
    response = _coordinator(client, body, **scope)
    assert response.status_code == 200
    result = response.json_body
    assert (result["valid"], result["out_of_scope"], result["invalid"]) == (1, 3, 0)
    reasons = {(e["row"], e["column"]): e["reason"] for e in result["errors"]}
    assert reasons[(2, "SKU")] == f"SKU MS-SGR-PM-BOX-02 is outside your area ({_area(scope)})"
    assert reasons[(4, "SKU")] == reasons[(2, "SKU")]
    assert "not listed for Meesho" in reasons[(5, "SKU")]
    [event] = events(take_all(order_queue))
    assert event.channel_order_id == f"{unique}02_1"


def _area(scope: dict[str, str]) -> str:
    if "block" in scope:
        return f"block {scope['block']} of district {scope['district']}"
    return f"district {scope['district']}"


def test_a_10_mb_file_of_bad_rows_is_refused_before_anything_is_queued(
    client: Client, order_queue: str
) -> None:
    """Half a million rows (the probe's 1.5 million errors): refused by the row cap, in one pass."""
    bad_row = b"TELEPORTED,x,31/31/2026,,,,,two,,,\n"
    body = ",".join(HEADERS).encode() + b"\n" + bad_row * (10 * 1024 * 1024 // len(bad_row))
    response = post(client, body, role=Role.MISSION_ADMIN)
    assert response.status_code == 413
    assert f"more than {importer.MAX_ROWS} rows" in response.json_body["error"]
    assert take_all(order_queue) == []


def test_a_file_of_bad_rows_keeps_a_bounded_report(client: Client, order_queue: str) -> None:
    """Every error is counted, the first thousand kept: memory does not grow with the errors."""
    rows = 3000
    bad_rows = [row("x", status="TELEPORTED", date="31/31/2026", qty="two") for _ in range(rows)]
    tracemalloc.start()
    try:
        result = importer.import_orders(export(bad_rows), source="test", imported_by="test")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.rows, result.invalid, result.valid) == (rows, rows, 0)
    assert result.error_count == 4 * rows
    assert len(result.errors) == REPORTED_ERRORS
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert take_all(order_queue) == []


@pytest.mark.parametrize(
    ("content", "status", "says"),
    [
        (export([row("big_1", name="x" * 140_000)]), 400, "line 2"),
        (export([row("nul_1")]).replace(b"Karnataka", b"Kar\x00nataka"), 200, ""),
        (b"\xef\xbb\xbf" + export([row("bom_1")]), 200, ""),
        (export([row("ok_1")]) + b"\xff\xfe", 400, "UTF-8"),
    ],
    ids=["140-kb-cell", "nul-byte", "utf-8-bom", "bad-bytes-at-the-end"],
)
def test_odd_files_get_a_4xx_or_a_result_never_a_500(
    client: Client, order_queue: str, content: bytes, status: int, says: str
) -> None:
    response = post(client, content, role=Role.MISSION_ADMIN)
    assert response.status_code == status, response.json_body
    if says:
        assert says in response.json_body["error"]
    take_all(order_queue)
