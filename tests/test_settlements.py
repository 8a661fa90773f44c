"""Settlement reports (Flipkart, Meesho, Amazon flat file V2, generic CSV) through
POST /imports/settlements/{report} and `haat settlements import`: payouts applied once per order,
to the order and to the reports (settled member income, the unpaid and mismatch lists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from chalice import Chalice
from chalice.test import Client
from click.testing import Result

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.orders.models import OrderRecord, OrderStatus
from chalicelib.registry.models import Channel
from chalicelib.reports import digest
from chalicelib.reports.aggregates import income_day_pk, partition, unpaid_before
from chalicelib.reports.digest import Scope
from chalicelib.reports.settings import report_settings
from chalicelib.reports.tally import split_by_share
from haat_tools.local import runner
from haat_tools.local.stack import PROJECT_DIR
from tests.reports.helpers import OrderStory, line, seed_shg, utc
from tests.workbooks import csv_rows, xlsx_bytes

SAMPLES = PROJECT_DIR / "events" / "settlements"


def sample(name: str, unique: str, *order_ids: str) -> bytes:
    """A sample report with its order ids made unique to this test."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for order_id in order_ids:
        text = text.replace(order_id, f"{order_id}-{unique}")
    return text.encode()


def apply_queued(app: Chalice) -> None:
    """What the order-events consumer does with the payouts an import sent."""
    runner.drain(app, runner.binding("on_order_events"))


def post(client: Client, report: str, body: bytes, *, token: str = "") -> Any:
    token = token or issue_local_token("finance-1", Role.MISSION_ADMIN)
    return client.http.post(
        f"/imports/settlements/{report}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        body=body,
    )


def generic(*rows: str) -> bytes:
    """A generic settlement CSV of net amounts only."""
    return "\n".join(("channel,order_id,reference,settlement_date,net", *rows)).encode()


def stored(channel: Channel, order_id: str) -> OrderRecord:
    item = aws.table(settings().ORDERS_TABLE).get_item(
        Key={"pk": f"ORDER#{channel.value}#{order_id}", "sk": "ORDER"}
    )["Item"]
    return OrderRecord.model_validate(item)


def delivered(channel: Channel, order_id: str, shg: Any, makers: list[str], rupees: int) -> None:
    story = OrderStory(
        channel, order_id, [line(shg, makers, 1, rupees)], utc("2026-11-01T10:00Z"), store=True
    )
    story.move(OrderStatus.SHIPPED, utc("2026-11-02T10:00Z")).move(
        OrderStatus.DELIVERED, utc("2026-11-04T10:00Z")
    )


def test_flipkart_report_pays_each_order_once_and_credits_the_makers(
    client: Client, app: Chalice, unique: str
) -> None:
    shg, members = seed_shg(
        f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 0.6, f"{unique}-M2": 0.4}
    )
    makers = [f"{unique}-M1", f"{unique}-M2"]
    first, second = f"OD4331200001-{unique}", f"OD4331200002-{unique}"
    delivered(Channel.FLIPKART, first, shg, makers, 2000)
    delivered(Channel.FLIPKART, second, shg, makers, 4000)
    report = sample("flipkart_settlement.csv", unique, "OD4331200001", "OD4331200002")

    response = post(client, "flipkart", report)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert (body["rows"], body["valid"], body["to_apply"], body["net_paise"]) == (2, 2, 2, 5_410_00)
    apply_queued(app)

    record = stored(Channel.FLIPKART, second)
    assert record.payout_paise == 3_560_00
    assert record.channel_fee_paise == 400_00  # commission 320 + shipping 80
    [settlement] = record.settlements
    assert (settlement.reference, settlement.settled_on) == ("CITIN26112000001", date(2026, 11, 20))
    assert (settlement.gross_paise, settlement.tcs_paise, settlement.tds_paise) == (4_000_00, 20_00, 20_00)

    again = post(client, "flipkart", report).json_body
    assert (again["to_apply"], again["already_applied"], again["enqueued_messages"]) == (0, 2, 0)
    assert stored(Channel.FLIPKART, second).payout_paise == 3_560_00

    # Settled income: 1,850 + 3,560 by the makers' shares, on the settlement day, counted once.
    income = {i["sk"]: i for i in partition(income_day_pk(date(2026, 11, 20)))}
    expected = split_by_share(1_850_00, makers, {m.member_id: m for m in members})
    for member_id, amount in split_by_share(3_560_00, makers, {m.member_id: m for m in members}).items():
        expected[member_id] += amount
    assert {m: income[f"MEMBER#{m}"]["settled_income_paise"] for m in makers} == expected
    assert sum(expected.values()) == 5_410_00
    unpaid = {u["order"] for u in unpaid_before("2027-01-01")}
    assert f"flipkart#{first}" not in unpaid
    assert f"flipkart#{second}" not in unpaid


def test_amazon_flat_file_v2_through_the_cli(
    app: Chalice, unique: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    shg, _ = seed_shg(f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    order_id = f"403-1234567-1234567-{unique}"
    delivered(Channel.AMAZON, order_id, shg, [f"{unique}-M1"], 3000)
    path = tmp_path / "settlement.tsv"
    path.write_bytes(sample("amazon_settlement_v2.tsv", unique, "403-1234567-1234567"))

    result = cli("settlements", "import", str(path), "--channel", "amazon")
    assert '"to_apply": 1' in result.output
    apply_queued(app)  # `haat local up` runs the consumer; this session's stack is drained here
    assert '"skipped": 2' in result.output
    record = stored(Channel.AMAZON, order_id)
    [settlement] = record.settlements
    assert settlement.model_dump(exclude={"reference", "settled_on"}) == {
        "gross_paise": 3_000_00,
        "commission_paise": 390_00,
        "shipping_paise": 170_00,
        "tcs_paise": 25_42,
        "tds_paise": 2_58,
        "net_paise": 2_412_00,
    }
    assert (settlement.reference, settlement.settled_on) == ("12345678901", date(2026, 11, 24))
    repeat = cli("settlements", "import", str(path), "--channel", "amazon")
    assert '"to_apply": 0' in repeat.output
    assert '"already_applied": 1' in repeat.output
    assert stored(Channel.AMAZON, order_id).payout_paise == 2_412_00


def test_meesho_and_generic_reports(client: Client, app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    delivered(Channel.MEESHO, f"110011223344_1-{unique}", shg, [f"{unique}-M1"], 1750)
    delivered(Channel.HAAT, f"HAAT-SRS-0042-{unique}", shg, [f"{unique}-M1"], 900)

    meesho = post(client, "meesho", sample("meesho_payments.csv", unique, "110011223344_1")).json_body
    assert meesho["to_apply"] == 1
    apply_queued(app)
    assert stored(Channel.MEESHO, f"110011223344_1-{unique}").payout_paise == 1_636_50

    generic = post(
        client, "generic", sample("generic_settlement.csv", unique, "ONDC-ORD-7001", "HAAT-SRS-0042")
    )
    apply_queued(app)
    assert (generic.json_body["to_apply"], generic.json_body["awaiting_order"]) == (
        1,
        1,
    )  # the ONDC order is not in yet
    assert stored(Channel.HAAT, f"HAAT-SRS-0042-{unique}").payout_paise == 900_00


def test_bad_rows_are_reported_and_the_rest_applied(client: Client, app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    delivered(Channel.ONDC, f"ONDC-{unique}", shg, [f"{unique}-M1"], 500)
    body = post(
        client,
        "generic",
        generic(
            f"ondc,ONDC-{unique},UTR-{unique},2026-11-21,480.00",
            f"ondc,ONDC-2-{unique},UTR-{unique},2026-13-40,480.00",
            f"ondc,ONDC-3-{unique},UTR-{unique},2026-11-21,=1+1",
            f"flipkart,OD-{unique},UTR-{unique},2026-11-21,10",
            f"ondc,,UTR-{unique},2026-11-21,10",
            f"ondc,ONDC-4-{unique},UTR-{unique},2026-11-21,1e40",
        ),
    ).json_body
    assert (body["rows"], body["valid"], body["invalid"], body["to_apply"]) == (6, 1, 5, 1)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "settlement_date"),
        (4, "net"),
        (5, "channel"),
        (6, "order_id"),
        (7, "net"),
    ]
    assert "date" in body["errors"][0]["reason"]
    assert "rupees" in body["errors"][1]["reason"]
    assert body["errors"][1]["value"] == "=1+1"

    missing = post(client, "flipkart", b"Order ID,Sale Amount (Rs.)\nOD1,10\n")
    assert missing.status_code == 422
    assert "NEFT ID" in missing.json_body["missing_columns"]
    assert post(client, "paytm", b"x").status_code == 404
    assert post(client, "generic", b"").status_code == 400
    assert post(client, "generic", b"PK\x03\x04 not a workbook").status_code == 400


def test_a_flipkart_workbook_with_a_help_sheet_and_a_title(client: Client, app: Chalice, unique: str) -> None:
    """Flipkart's payment report is a workbook whose first sheet is help and whose order sheet may
    carry a title above its header; the sheet with the header is the one read."""
    shg, _ = seed_shg(f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    order_id = f"OD4331200001-{unique}"
    delivered(Channel.FLIPKART, order_id, shg, [f"{unique}-M1"], 2000)
    rows = csv_rows(sample("flipkart_settlement.csv", unique, "OD4331200001"))[:2]
    workbook = xlsx_bytes(
        [["Payment details for NEFT CITIN26112000001"], [], *rows], sheets_before=("Report Help",)
    )

    body = post(client, "flipkart", workbook).json_body
    assert (body["rows"], body["to_apply"], body["net_paise"]) == (1, 1, 1_850_00)
    apply_queued(app)
    assert stored(Channel.FLIPKART, order_id).payout_paise == 1_850_00


def test_coordinators_import_their_area_row_by_row(client: Client, app: Chalice, unique: str) -> None:
    """A district coordinator's report is applied for her district's orders; an order of another
    district, or one Haat has not seen (its district unknown), is refused on its row."""
    mine, _ = seed_shg(f"SHG-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    theirs, _ = seed_shg(f"SHG-2-{unique}", f"E-{unique}", "Wuyan", "2026-01-01", {f"{unique}-M2": 1.0})
    delivered(Channel.ONDC, f"ONDC-A-{unique}", mine, [f"{unique}-M1"], 500)
    delivered(Channel.ONDC, f"ONDC-B-{unique}", theirs, [f"{unique}-M2"], 700)
    body = post(
        client,
        "generic",
        generic(
            f"ondc,ONDC-A-{unique},UTR-{unique},2026-11-21,480.00",
            f"ondc,ONDC-B-{unique},UTR-{unique},2026-11-21,680.00",
            f"ondc,ONDC-C-{unique},UTR-{unique},2026-11-21,100.00",
        ),
        token=issue_local_token("dc-1", Role.DISTRICT_COORDINATOR, district=f"D-{unique}"),
    ).json_body
    assert (body["valid"], body["to_apply"], body["refused"], body["awaiting_order"]) == (3, 1, 2, 0)
    apply_queued(app)
    reasons = {e["row"]: e["reason"] for e in body["errors"]}
    assert f"outside your area (district D-{unique})" in reasons[3]
    assert "not in Haat yet" in reasons[4]
    assert stored(Channel.ONDC, f"ONDC-A-{unique}").payout_paise == 480_00
    assert stored(Channel.ONDC, f"ONDC-B-{unique}").payout_paise is None


def test_who_may_import_settlements(client: Client) -> None:
    resource_person = issue_local_token("rp-1", Role.RESOURCE_PERSON, shg_ids=["SHG-1"])
    assert post(client, "generic", b"channel\n", token=resource_person).status_code == 403
    for role in (Role.MISSION_ADMIN, Role.DISTRICT_COORDINATOR):
        token = issue_local_token("finance-1", role, district="Srinagar")
        upload = client.http.post(
            "/imports/settlements/amazon/uploads", headers={"Authorization": f"Bearer {token}"}
        )
        assert upload.status_code == 201
        assert upload.json_body["key"].startswith("imports/settlements/")


SAMPLE_ORDERS = (  # (report, file, channel, order id in the sample, rupees of the delivered order)
    ("flipkart", "flipkart_settlement.csv", Channel.FLIPKART, "OD4331200001", 2000),
    ("flipkart", "flipkart_settlement.csv", Channel.FLIPKART, "OD4331200002", 4000),
    ("meesho", "meesho_payments.csv", Channel.MEESHO, "110011223344_1", 1750),
    ("amazon", "amazon_settlement_v2.tsv", Channel.AMAZON, "403-1234567-1234567", 3000),
    ("generic", "generic_settlement.csv", Channel.ONDC, "ONDC-ORD-7001", 1500),
    ("generic", "generic_settlement.csv", Channel.HAAT, "HAAT-SRS-0042", 900),
)


def test_every_sample_report_through_the_cli_reaches_orders_and_digest_once(
    app: Chalice, unique: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """The four sample reports imported twice with `haat settlements import`: each order paid once,
    and the district's November figures as computed by hand from the files:
    nets 1,850 + 3,560 (Flipkart) + 1,636.50 (Meesho) + 2,412 (Amazon: 2,542.37 + 457.63 - 360 - 30
    - 170 - 25.42 - 2.58) + 1,440 (ONDC) + 900 (outlet cash) = 11,798.50; fees kept 130 + 400 + 95
    + 560 + 45 + 0 = 1,230."""
    district = f"D-{unique}"
    shg, _ = seed_shg(f"SHG-{unique}", district, "Harwan", "2026-01-01", {f"{unique}-M1": 1.0})
    for _, _, channel, order_id, rupees in SAMPLE_ORDERS:
        delivered(channel, f"{order_id}-{unique}", shg, [f"{unique}-M1"], rupees)
    ids = [order_id for *_, order_id, _ in SAMPLE_ORDERS]
    for _round in ("first", "again"):
        for report, name in dict.fromkeys((report, name) for report, name, *_ in SAMPLE_ORDERS):
            path = tmp_path / name
            path.write_bytes(sample(name, unique, *ids))
            cli("settlements", "import", str(path), "--channel", report)
        apply_queued(app)

    for _, _, channel, order_id, _ in SAMPLE_ORDERS:
        assert len(stored(channel, f"{order_id}-{unique}").settlements) == 1, order_id
    assert stored(Channel.AMAZON, f"403-1234567-1234567-{unique}").payout_paise == 2_412_00

    built = digest.build(date(2026, 11, 30), report_settings(), Scope(district=district))
    [month] = [
        r.counters for r in built.rows if (r.period, r.dimension, r.key) == ("mtd", "district", district)
    ]
    assert (month["payouts"], month["payout_paise"], month["channel_fee_paise"]) == (6, 11_798_50, 1_230_00)
    settled = sum(
        item.get("settled_income_paise", 0)
        for day in (19, 20, 21, 24)
        for item in partition(income_day_pk(date(2026, 11, day)))
        if item["sk"] == f"MEMBER#{unique}-M1"
    )
    assert settled == 11_798_50
    unpaid = {u["order"] for u in unpaid_before("2027-01-01")}
    assert not {f"{c.value}#{o}-{unique}" for _, _, c, o, _ in SAMPLE_ORDERS} & unpaid
