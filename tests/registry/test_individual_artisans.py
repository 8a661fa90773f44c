"""An artisan in no SHG, imported from the artisans sheet: she holds a product, its orders reach
her by SMS in her division's language, and her income counts in the digest and the Lakhpati list."""

from __future__ import annotations

import json

from chalice import Chalice
from chalice.test import Client

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.registry import repository
from chalicelib.registry.models import GroupKind, Language
from haat_tools.local import runner, stack
from tests.orders.helpers import haat_bill, post_signed, sms_sent, view
from tests.registry.helpers import PRODUCT_HEADERS, product, run_import, table
from tests.reports.helpers import utc

ARTISAN_HEADERS = [
    "Pehchan Card No",
    "Name of Artisan",
    "Mobile No",
    "Gender",
    "District",
    "Block",
    "Village",
]


def test_an_individual_artisan_sells_is_texted_and_counts_as_lakhpati(
    client: Client, app: Chalice, api_url: str, local_aws: stack.LocalAws, unique: str
) -> None:
    code = f"PC-{unique}"
    mobile = f"97{int(unique, 16) % 10**8:08d}"
    artisans = table(
        ARTISAN_HEADERS, [[code, "Hafeeza Begum", mobile, "Female", "Kupwara", "Handwara", "Kralgund"]]
    )
    report = run_import(client, app, artisans.encode(), "artisans.csv")
    assert (report["record"]["kind"], report["record"]["created"]) == ("artisans", 1)
    group = repository.get_shg(code)
    assert group is not None
    assert (group.kind, group.district) == (GroupKind.INDIVIDUAL, "Kupwara")
    herself = repository.get_member(code, code)
    assert herself is not None
    assert (herself.phone, herself.language) == (f"+91{mobile}", Language.URDU)

    sku = f"KPW-{unique}"
    sheet = [*PRODUCT_HEADERS, "Artisan Code", "Haat SKU"]
    row = [
        *product(sku, "", title="Hand-knotted silk carpet", craft="Carpet", price="1,20,000"),
        code,
        f"H-{sku}",
    ]
    placed = run_import(client, app, table(sheet, [row]).encode(), "products.csv")
    assert placed["record"]["created"] == 1, placed["errors"]
    carpet = repository.get_product(f"P-{sku}")
    assert carpet is not None
    assert (carpet.shg_id, carpet.maker_member_ids) == (code, [code])

    bill = haat_bill(unique, sku=f"H-{sku}", at="2027-02-10T11:00:00+05:30")
    bill["items"][0]["unit_price"] = "120000.00"
    assert post_signed(api_url, "haat", bill)[0] == 202
    delivered = {
        **bill,
        "status": "delivered",
        "event_id": f"{unique}-e2",
        "occurred_at": "2027-02-12T16:00:00+05:30",
    }
    assert post_signed(api_url, "haat", delivered)[0] == 202
    runner.drain(app, runner.binding("on_order_events"))
    runner.fire(app, "deliver_notifications")

    order = view("haat", f"HAAT-SGR-01-B-{unique}")
    assert order["order"]["status"] == "delivered"
    assert [line["shg_id"] for line in order["order"]["lines"]] == [code]
    texts = [sms["message"] for sms in sms_sent(local_aws) if sms["phone_number"] == f"+91{mobile}"]
    assert texts, "the artisan got no SMS"
    assert all(n["language"] == "ur" for n in order["notifications"])

    # The outlet's cash reaches the mission the same day: Lakhpati counts money received.
    admin = issue_local_token("finance-1", Role.MISSION_ADMIN)
    cash = client.http.post(
        "/imports/settlements/generic",
        headers={"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"},
        body=f"channel,order_id,reference,settlement_date,net\nhaat,HAAT-SGR-01-B-{unique},CASH-{unique},2027-02-12,120000",
    )
    assert cash.json_body["to_apply"] == 1, cash.json_body
    runner.drain(app, runner.binding("on_order_events"))

    outcome = runner.invoke(
        app, "daily_digest", runner.scheduled_event("daily_digest", utc("2027-02-13T02:30:00Z"))
    )
    document = json.loads(
        aws.client("s3").get_object(Bucket=settings().MEDIA_BUCKET, Key=outcome["digest_json"])["Body"].read()
    )
    lakhpati = {m["member_id"]: m for m in document["lakhpati"]}
    assert lakhpati[code]["income_paise"] == lakhpati[code]["expected_income_paise"] == 120_000_00
    assert (lakhpati[code]["shg_id"], lakhpati[code]["district"]) == (code, "Kupwara")
    shg_rows = [r for r in document["rows"] if r["dimension"] == "shg" and r["key"] == code]
    assert shg_rows, "her group has no row in the digest"
