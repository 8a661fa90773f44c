"""The daily digest for a seeded month, checked against totals computed by hand.

Fee rules (chalicelib/reports/fees.py): Flipkart 12% after a 6-month waiver from onboarding,
Amazon 15%, Haat 0%. SHG A (district DA) was onboarded on 2026-05-10, so its Flipkart waiver ends
on 2026-11-10 (IST); SHG B (district DB) was onboarded in 2025 and pays the full rate.

| order | channel | SHG | value | placed (IST) | life | fee |
| FK0 | flipkart | A | 30,000 | 2026-06-15 | delivered 06-20, paid 30,000 on 07-01 | 0 (waiver) |
| OLD | haat | A | 10,000 | 2025-11-20 | delivered 2025-11-25, paid | 0 (outside 12 months) |
| FK1 | flipkart | A | 40,000 | 2026-11-09 20:00 | delivered 11-12, paid 39,500 (fee 500) 11-18 | 0 |
| FK2 | flipkart | A | 2 x 30,000 | 2026-11-10 00:00 | late 11-11, delivered 11-14, paid 52,800 | 7,200 |
| AZ1 | amazon | A | 20,000 | 2026-11-15 | delivered 11-17, returned 11-20 | 3,000 |
| AZ2 | amazon | B | 10,000 | 2026-11-20 10:00 | cancelled 11-20 | - |
| FK3 | flipkart | B | 50,000 | 2026-10-20 | delivered 10-30, never paid | 6,000 |
| FK4 | flipkart | B | 70,000 | 2026-09-05 | delivered 09-10, paid 61,600 | 8,400 |

Member A1 (share 1.0 of SHG A): 30,000 + 40,000 + 52,800 + (17,000 - 17,000) = 1,22,800: she
crosses Rs 1 lakh with FK2's delivery on 11-14 (70,000 before). Members B1/B2 share 0.75/0.25 of
SHG B: B1 = 0.75 x (44,000 + 61,600) = 79,200 (79.2%, above 75%), B2 = 26,400 (not listed).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.ops import record_run
from chalicelib.orders.models import OrderEvent, OrderStatus
from chalicelib.registry.models import Channel
from chalicelib.reports import digest, page
from chalicelib.reports.aggregates import record_new_listing, record_order_change, record_photo_verdict
from chalicelib.reports.settings import report_settings
from tests.reports.helpers import OrderStory, line, seed_shg, utc
from tests.reports.helpers import digest_row as _row
from tests.reports.helpers import run_digest as _digest

IST = "+05:30"
LAKH = 100_000_00


def ist(text: str) -> Any:
    return utc(text + IST)


@pytest.fixture
def seeded_month(unique: str) -> dict[str, str]:
    shg_a, _ = seed_shg(
        f"A-{unique}",
        f"DA-{unique}",
        "Harwan",
        "2026-05-10",
        {f"A-{unique}-M01": 1.0, f"A-{unique}-M02": 0.0},
    )
    shg_b, _ = seed_shg(
        f"B-{unique}",
        f"DB-{unique}",
        "Sopore",
        "2025-01-01",
        {f"B-{unique}-M01": 0.75, f"B-{unique}-M02": 0.25},
    )
    a1, b_makers = [f"A-{unique}-M01"], [f"B-{unique}-M01", f"B-{unique}-M02"]
    craft = f"craft-{unique}"
    u = unique

    fk0 = OrderStory(
        Channel.FLIPKART, f"FK0-{u}", [line(shg_a, a1, 1, 30_000, craft)], ist("2026-06-15T10:00")
    )
    fk0.move(OrderStatus.SHIPPED, ist("2026-06-16T10:00")).move(
        OrderStatus.DELIVERED, ist("2026-06-20T10:00")
    )
    fk0.pay(ist("2026-07-01T10:00"), 30_000, 0)

    old = OrderStory(Channel.HAAT, f"OLD-{u}", [line(shg_a, a1, 1, 10_000, craft)], ist("2025-11-20T10:00"))
    old.move(OrderStatus.DELIVERED, ist("2025-11-25T10:00")).pay(ist("2025-11-30T10:00"), 10_000, 0)

    fk1 = OrderStory(
        Channel.FLIPKART,
        f"FK1-{u}",
        [line(shg_a, a1, 1, 40_000, craft)],
        ist("2026-11-09T20:00"),
        ist("2026-11-10T18:00"),
    )
    fk1.move(OrderStatus.SHIPPED, ist("2026-11-10T10:00")).move(
        OrderStatus.DELIVERED, ist("2026-11-12T10:00")
    )
    fk1.pay(ist("2026-11-18T10:00"), 39_500, 500)

    fk2 = OrderStory(
        Channel.FLIPKART,
        f"FK2-{u}",
        [line(shg_a, a1, 2, 30_000, craft)],
        ist("2026-11-10T00:00"),
        ist("2026-11-11T12:00"),
    )
    fk2.move(OrderStatus.SHIPPED, ist("2026-11-11T15:00")).move(
        OrderStatus.DELIVERED, ist("2026-11-14T10:00")
    )
    fk2.pay(ist("2026-11-19T10:00"), 52_800, 7_200)

    az1 = OrderStory(Channel.AMAZON, f"AZ1-{u}", [line(shg_a, a1, 1, 20_000, craft)], ist("2026-11-15T10:00"))
    az1.move(OrderStatus.DELIVERED, ist("2026-11-17T10:00")).move(
        OrderStatus.RETURN_REQUESTED, ist("2026-11-18T10:00")
    )
    az1.move(OrderStatus.RETURNED, ist("2026-11-20T23:59:59"))

    az2 = OrderStory(
        Channel.AMAZON, f"AZ2-{u}", [line(shg_b, b_makers, 1, 10_000, craft)], ist("2026-11-20T10:00")
    )
    az2.move(OrderStatus.CANCELLED, ist("2026-11-20T12:00"))

    fk3 = OrderStory(
        Channel.FLIPKART, f"FK3-{u}", [line(shg_b, b_makers, 1, 50_000, craft)], ist("2026-10-20T10:00")
    )
    fk3.move(OrderStatus.DELIVERED, ist("2026-10-30T10:00"))

    fk4 = OrderStory(
        Channel.FLIPKART, f"FK4-{u}", [line(shg_b, b_makers, 1, 70_000, craft)], ist("2026-09-05T10:00")
    )
    fk4.move(OrderStatus.DELIVERED, ist("2026-09-10T10:00")).pay(ist("2026-09-25T10:00"), 61_600, 8_400)

    # Photos of SHG A: one accepted, three rejected; the last one lands just after IST midnight.
    record_photo_verdict(
        shg_a.shg_id, shg_a.district, "accepted", [], ist("2026-11-05T10:00"), dedupe_key=f"{u}-1"
    )
    record_photo_verdict(
        shg_a.shg_id, shg_a.district, "rejected", ["blurry"], ist("2026-11-19T10:00"), dedupe_key=f"{u}-2"
    )
    record_photo_verdict(
        shg_a.shg_id,
        shg_a.district,
        "rejected",
        ["blurry", "watermark"],
        utc("2026-11-20T18:29:59Z"),
        dedupe_key=f"{u}-3",
    )
    record_photo_verdict(
        shg_a.shg_id, shg_a.district, "rejected", ["blurry"], utc("2026-11-20T18:30:00Z"), dedupe_key=f"{u}-4"
    )
    record_new_listing(
        shg_a.shg_id, shg_a.district, craft, ist("2026-11-03T10:00"), dedupe_key=f"flipkart#{u}"
    )
    return {
        "DA": shg_a.district,
        "DB": shg_b.district,
        "A": shg_a.shg_id,
        "B": shg_b.shg_id,
        "craft": craft,
        "A1": a1[0],
        "B1": b_makers[0],
        "B2": b_makers[1],
        "u": u,
    }


def _figures(row: dict[str, str], *names: str) -> dict[str, int]:
    return {name: int(row[name]) for name in names}


def test_digest_figures_match_hand_computed_totals(
    app: Chalice, seeded_month: dict[str, str], digest_subscriber: str
) -> None:
    s = seeded_month
    outcome, files = _digest(app, "2026-11-21T02:30:00Z")  # 08:00 IST: the report is for 20 Nov
    assert outcome["report_date"] == "2026-11-20"
    assert outcome["digest_csv"] == "reports/2026-11-20/digest.csv"
    document = json.loads(files["digest.json"])

    day_a = _row(document, "day", "district", s["DA"])
    assert _figures(day_a, "orders", "returns", "returned_paise", "photos_checked", "photos_rejected") == {
        "orders": 0,
        "returns": 1,
        "returned_paise": 20_000_00,
        "photos_checked": 1,
        "photos_rejected": 1,
    }
    assert day_a["photo_rejection_rate"] == 1.0
    assert day_a["top_rejection_reasons"] == [
        {"code": "blurry", "count": 1},
        {"code": "watermark", "count": 1},
    ]
    day_b = _row(document, "day", "district", s["DB"])
    assert _figures(day_b, "orders", "units", "gmv_paise", "cancellations", "cancelled_paise") == {
        "orders": 1,
        "units": 1,
        "gmv_paise": 10_000_00,
        "cancellations": 1,
        "cancelled_paise": 10_000_00,
    }

    mtd_a = _row(document, "mtd", "district", s["DA"])
    assert _figures(
        mtd_a,
        "orders",
        "units",
        "gmv_paise",
        "cancellations",
        "returns",
        "returned_paise",
        "sla_breaches",
        "delivered",
        "expected_fee_paise",
        "expected_payout_paise",
        "payouts",
        "payout_paise",
        "channel_fee_paise",
        "new_listings",
        "photos_checked",
        "photos_rejected",
    ) == {
        "orders": 3,  # FK1 (9 Nov), FK2 (placed at IST midnight on 10 Nov), AZ1
        "units": 4,
        "gmv_paise": 120_000_00,
        "cancellations": 0,
        "returns": 1,
        "returned_paise": 20_000_00,
        "sla_breaches": 1,  # FK2 shipped 3 h late
        "delivered": 3,
        "expected_fee_paise": 10_200_00,  # 0 (waiver) + 7,200 + 3,000
        "expected_payout_paise": 109_800_00,  # 40,000 + 52,800 + 17,000
        "payouts": 2,
        "payout_paise": 92_300_00,
        "channel_fee_paise": 7_700_00,
        "new_listings": 1,
        "photos_checked": 3,
        "photos_rejected": 2,
    }
    assert mtd_a["photo_rejection_rate"] == 0.6667
    assert mtd_a["top_rejection_reasons"] == [
        {"code": "blurry", "count": 2},
        {"code": "watermark", "count": 1},
    ]
    for dimension, key in (("block", f"{s['DA']}/Harwan"), ("shg", s["A"])):
        assert _figures(_row(document, "mtd", dimension, key), "orders", "gmv_paise") == {
            "orders": 3,
            "gmv_paise": 120_000_00,
        }
    assert _figures(_row(document, "mtd", "craft", s["craft"]), "orders", "gmv_paise", "cancellations") == {
        "orders": 4,
        "gmv_paise": 130_000_00,
        "cancellations": 1,
    }

    lakhpati = {m["member_id"]: m for m in document["lakhpati"]}
    approaching = {m["member_id"]: m for m in document["approaching_lakhpati"]}
    # Settled income counts: FK0 30,000 + FK1 39,500 (paid 500 short) + FK2 52,800; OLD was paid
    # more than 12 months back. Expected income (FK1 in full) stands beside it.
    assert lakhpati[s["A1"]]["income_paise"] == 122_300_00
    assert lakhpati[s["A1"]]["expected_income_paise"] == 122_800_00
    assert lakhpati[s["A1"]]["progress_percent"] == 122.3
    # B1 expects 79,200 (3/4 of FK3's 44,000 and FK4's 61,600) but has received only 46,200 (FK4):
    # FK3 is unpaid, so she is not approaching one lakh on money received.
    assert s["B1"] not in approaching
    assert s["B2"] not in lakhpati
    assert s["B2"] not in approaching

    unpaid = [u for u in document["delivered_unpaid"] if u["district"] in (s["DA"], s["DB"])]
    assert unpaid == [
        {
            "order": f"flipkart#FK3-{s['u']}",
            "delivered_at": "2026-10-30T04:30:00+00:00",
            "district": s["DB"],
            "shg_id": s["B"],
            "expected_payout_paise": 44_000_00,
        }
    ]
    mismatches = [m for m in document["payout_mismatches"] if m["district"] == s["DA"]]
    assert [
        (m["sk"], m["expected_payout_paise"], m["payout_paise"], m["difference_paise"]) for m in mismatches
    ] == [(f"flipkart#FK1-{s['u']}", 40_000_00, 39_500_00, -500_00)]

    csv_rows = list(csv.DictReader(io.StringIO(files["digest.csv"].decode())))
    assert list(csv_rows[0]) == document["columns"]
    csv_a = next(
        r for r in csv_rows if (r["period"], r["dimension"], r["key"]) == ("mtd", "district", s["DA"])
    )
    assert csv_a["gmv_paise"] == "12000000"
    assert csv_a["photo_rejection_rate"] == "0.6667"
    assert csv_a["top_rejection_reasons"] == "blurry:2;watermark:1"
    assert "<svg" in files["index.html"].decode()

    message = json.loads(
        aws.client("sqs").receive_message(QueueUrl=digest_subscriber, WaitTimeSeconds=1)["Messages"][0][
            "Body"
        ]
    )
    assert json.loads(message["Message"])["index_html"] == "reports/2026-11-20/index.html"


def test_member_crosses_one_lakh_on_the_day_her_settlement_arrives(
    app: Chalice, seeded_month: dict[str, str]
) -> None:
    s = seeded_month
    before = json.loads(_digest(app, "2026-11-14T02:30:00Z")[1]["digest.json"])  # report for 13 Nov
    assert s["A1"] not in {m["member_id"] for m in before["lakhpati"] + before["approaching_lakhpati"]}
    # A re-run for a past day ignores everything that happened after it.
    assert _figures(_row(before, "mtd", "district", s["DA"]), "orders", "returns", "payouts") == {
        "orders": 2,
        "returns": 0,
        "payouts": 0,
    }
    delivered = json.loads(_digest(app, "2026-11-15T02:30:00Z")[1]["digest.json"])  # report for 14 Nov
    assert s["A1"] not in {m["member_id"] for m in delivered["lakhpati"]}  # FK2 delivered, not yet paid
    after = json.loads(_digest(app, "2026-11-20T02:30:00Z")[1]["digest.json"])  # report for 19 Nov: FK2 paid
    assert {m["member_id"]: m["income_paise"] for m in after["lakhpati"]}[s["A1"]] == 122_300_00


def test_rerun_writes_byte_identical_files(app: Chalice, seeded_month: dict[str, str]) -> None:
    _, first = _digest(app, "2026-11-21T02:30:00Z")
    _, second = _digest(app, "2026-11-21T02:45:00Z")
    _, backfill = _digest(app, "2026-12-01T02:30:00Z", report_date="2026-11-20")
    assert first == second == backfill


def test_a_change_tallied_twice_counts_once(app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"S-{unique}", f"D-{unique}", "Sopore", "2020-01-01", {f"S-{unique}-M01": 1.0})
    story = OrderStory(Channel.MEESHO, f"twice-{unique}", [line(shg, [], 3, 1_000)], ist("2027-01-15T10:00"))
    story.move(OrderStatus.DELIVERED, ist("2027-01-16T10:00"))
    event = OrderEvent(
        event_id=f"twice-{unique}-delivered",
        channel=Channel.MEESHO,
        channel_order_id=f"twice-{unique}",
        status=OrderStatus.DELIVERED,
        event_time=ist("2027-01-16T10:00"),
    )
    before = story.record.model_copy(update={"status": OrderStatus.PLACED})
    record_order_change(before, story.record, event)  # the orders handler retrying after a crash
    for _ in range(2):  # the photo pipeline redelivering the same verdict and listing
        at = ist("2027-01-16T11:00")
        record_photo_verdict(
            shg.shg_id, shg.district, "rejected", ["dark"], at, dedupe_key=f"{unique}/1.jpg#v1"
        )
        record_new_listing(shg.shg_id, shg.district, "namda", at, dedupe_key=f"meesho#{unique}")
    document = json.loads(_digest(app, "2027-01-17T02:30:00Z")[1]["digest.json"])
    figures = _figures(
        _row(document, "mtd", "district", f"D-{unique}"),
        *("orders", "units", "delivered", "photos_checked", "photos_rejected", "new_listings"),
    )
    assert figures == {
        "orders": 1,
        "units": 3,
        "delivered": 1,
        "photos_checked": 1,
        "photos_rejected": 1,
        "new_listings": 1,
    }


def test_business_days_split_at_ist_midnight(app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"S-{unique}", f"D-{unique}", "Kokernag", "2020-01-01", {f"S-{unique}-M01": 1.0})
    OrderStory(Channel.HAAT, f"late-night-{unique}", [line(shg, [], 1, 100)], utc("2027-03-31T18:29:59Z"))
    OrderStory(Channel.HAAT, f"midnight-{unique}", [line(shg, [], 2, 100)], utc("2027-03-31T18:30:00Z"))
    march = json.loads(_digest(app, "2027-04-01T02:30:00Z")[1]["digest.json"])  # for 31 Mar
    april = json.loads(_digest(app, "2027-04-02T02:30:00Z")[1]["digest.json"])  # for 1 Apr
    district = f"D-{unique}"
    assert _figures(_row(march, "day", "district", district), "orders", "units") == {"orders": 1, "units": 1}
    assert _figures(_row(april, "day", "district", district), "orders", "units") == {"orders": 1, "units": 2}
    assert _figures(_row(april, "mtd", "district", district), "orders", "units") == {"orders": 1, "units": 2}
    # The report is for the IST day before the run: 23:59 IST on 31 Mar reports 30 Mar, 00:00 IST 31 Mar.
    assert _digest(app, "2027-03-31T18:29:00Z")[0]["report_date"] == "2027-03-30"
    assert _digest(app, "2027-03-31T18:30:00Z")[0]["report_date"] == "2027-03-31"


def test_failed_channel_polls_of_the_day_are_listed(app: Chalice, unique: str) -> None:
    account = f"seller-{unique}"
    day = date(2026, 10, 5)
    record_run("poll_channels", utc("2026-10-04T18:29:00Z"), {"failed_accounts": [account]})  # 4 Oct IST
    record_run("poll_channels", utc("2026-10-04T18:35:00Z"), {"failed_accounts": [account]})  # 5 Oct IST
    record_run("poll_channels", utc("2026-10-05T10:00:00Z"), {"failed_accounts": [account, "other"]})
    record_run("poll_channels", utc("2026-10-05T10:05:00Z"), {"failed_accounts": []})
    built = digest.build(day, report_settings())
    assert built.channel_poll_failures[account] == 2
    assert json.loads(digest.to_json(built))["channel_poll_failures"][account] == 2
    assert account in page.render(built).decode()
