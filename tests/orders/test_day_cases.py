"""A real day's hard cases through the real handlers: repeated return cycles, stock going back once,
and every order counted on its IST placement day whatever order its events arrive in, with the
digest of a day revised when one of its orders arrives after that digest ran.

Each test has its own SHG, district and products, so its figures are its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from chalice import Chalice

from chalicelib.registry import repository as registry
from haat_tools.local import runner, stack
from tests.orders import payloads
from tests.orders.helpers import enqueue_as_webhook, enqueue_raw, post_signed, seed_world, sms_sent, view
from tests.reports.helpers import digest_announcements, digest_row, read_report, run_digest

pytestmark = pytest.mark.usefixtures("seeded")
Drain = Callable[[], runner.DrainResult]


def _stock(sku: str) -> int:
    product = registry.get_product(f"P-{sku}")
    assert product is not None
    return product.stock


def _queue(channel: str, payload: dict[str, Any]) -> None:
    """As the connectors (Flipkart, Meesho) put records on the queue: with their channel."""
    enqueue_raw(json.dumps(payload), {"channel": channel})


def test_repeated_return_cycles_each_notify_once_and_stock_comes_back_once(
    api_url: str, drain: Drain, unique: str, local_aws: stack.LocalAws
) -> None:
    seed_world(unique, {"BOX": (3000, 10)})
    sku, bill = f"BOX-{unique}", f"R-{unique}"
    cycle = [
        ("placed", 9, "placed"),
        ("shipped", 10, "shipped"),
        ("delivered", 11, "delivered"),
        ("return_requested", 12, "return_requested"),
        ("delivered", 13, "delivered"),  # the return was turned down
        ("return_requested", 14, "return_requested"),  # and asked for again
        ("returned", 15, "returned"),
    ]
    stock_after = []
    for step, (status, day, expected) in enumerate(cycle):
        event = payloads.haat(
            bill, f"{unique}-{step}", status, f"2026-11-{day:02d}T10:00:00+05:30", [(sku, 1, "3000")]
        )
        answer = post_signed(api_url, "haat", event)
        assert answer[0] == 202, answer
        drain()
        assert view("haat", f"HAAT-SGR-01-{bill}")["order"]["status"] == expected
        stock_after.append(_stock(sku))
    assert stock_after == [9, 9, 9, 9, 9, 9, 10]

    # The completed return's message delivered again (SQS), and a second "returned": stock stays.
    again = payloads.haat(bill, f"{unique}-6", "returned", "2026-11-15T10:00:00+05:30", [(sku, 1, "3000")])
    late = payloads.haat(bill, f"{unique}-7", "returned", "2026-11-16T10:00:00+05:30", [(sku, 1, "3000")])
    enqueue_as_webhook("haat", again)
    assert post_signed(api_url, "haat", late)[0] == 202
    drain()
    assert _stock(sku) == 10

    order = view("haat", f"HAAT-SGR-01-{bill}")
    assert [entry["outcome"] for entry in order["history"]] == ["created"] + ["updated"] * 6 + ["unchanged"]
    assert order["order"]["return_requests"] == 2
    sent = {n["notification_id"]: n for n in order["notifications"]}
    prefix = f"haat:HAAT-SGR-01-{bill}:M-{unique}"
    assert sorted(sent) == [f"new_order:{prefix}", f"return:{prefix}:1", f"return:{prefix}:2"]
    assert {n["state"] for n in sent.values()} == {"sent"}
    texts = [sms["message"] for sms in sms_sent(local_aws) if f"HAAT-SGR-01-{bill}" in sms["message"]]
    assert sorted(texts) == sorted(n["text"] for n in sent.values())


def test_stock_goes_back_once_on_cancellation_before_dispatch_and_on_a_completed_return(
    api_url: str, drain: Drain, unique: str
) -> None:
    seed_world(unique, {"TRAY": (4200, 10), "RUG": (6500, 1)})
    tray, rug = f"TRAY-{unique}", f"RUG-{unique}"

    # Haat: 3 trays placed, then cancelled before dispatch (and the cancellation re-sent).
    placed = payloads.haat(
        f"C-{unique}", f"{unique}-c1", "placed", "2026-11-20T10:00:00+05:30", [(tray, 3, "4200")]
    )
    cancelled = payloads.haat(f"C-{unique}", f"{unique}-c2", "cancelled", "2026-11-20T11:00:00+05:30", [])
    post_signed(api_url, "haat", placed)
    drain()
    assert _stock(tray) == 7
    post_signed(api_url, "haat", cancelled)
    drain()
    assert _stock(tray) == 10
    enqueue_as_webhook("haat", cancelled)
    drain()
    assert _stock(tray) == 10

    # Amazon: 2 trays shipped; a cancellation after dispatch is refused and gives nothing back.
    order = f"408-{unique}"
    enqueue_raw(
        json.dumps(
            payloads.amazon(order, f"{unique}-a1", "Unshipped", "2026-11-20T06:00:00Z", [(f"AMZ-{tray}", 2)])
        )
    )
    enqueue_raw(
        json.dumps(
            payloads.amazon(order, f"{unique}-a2", "Shipped", "2026-11-21T06:00:00Z", [(f"AMZ-{tray}", 2)])
        )
    )
    drain()
    enqueue_raw(
        json.dumps(
            payloads.amazon(order, f"{unique}-a3", "Canceled", "2026-11-22T06:00:00Z", [(f"AMZ-{tray}", 2)])
        )
    )
    drain()
    assert view("amazon", order)["history"][-1]["outcome"] == "rejected"
    assert _stock(tray) == 8

    # Flipkart: 1 tray delivered, then returned (the return re-polled): one piece back, once.
    fk = f"OD{unique}"
    for status, updated in (
        ("APPROVED", "2026-11-20T08:00:00+05:30"),
        ("DELIVERED", "2026-11-23T08:00:00+05:30"),
    ):
        _queue(
            "flipkart",
            payloads.flipkart(fk, status, updated, "2026-11-20T07:59:00+05:30", [(f"FK-{tray}", 1, 4200)]),
        )
        drain()
    assert _stock(tray) == 7
    returned = payloads.flipkart(
        fk, "RETURNED", "2026-11-27T08:00:00+05:30", "2026-11-20T07:59:00+05:30", [(f"FK-{tray}", 1, 4200)]
    )
    _queue("flipkart", returned)
    _queue("flipkart", returned)
    drain()
    assert _stock(tray) == 8

    # Oversold: 3 rugs ordered with 1 in stock; the cancellation gives back the 1 it took, not 3.
    oversold = payloads.haat(
        f"O-{unique}", f"{unique}-o1", "placed", "2026-11-20T10:00:00+05:30", [(rug, 3, "6500")]
    )
    post_signed(api_url, "haat", oversold)
    drain()
    assert _stock(rug) == 0
    post_signed(
        api_url,
        "haat",
        payloads.haat(f"O-{unique}", f"{unique}-o2", "cancelled", "2026-11-20T12:00:00+05:30", []),
    )
    drain()
    assert _stock(rug) == 1


def test_every_order_counts_on_its_ist_placement_day_and_late_records_revise_that_days_digest(
    app: Chalice, api_url: str, drain: Drain, unique: str, digest_subscriber: str
) -> None:
    """Hand-computed (SHG's own district D-{unique}; Amazon priced from the registry at Rs 2,000;
    Flipkart sells at Rs 1,900, Meesho at Rs 1,750 a piece). Placed (IST) / first heard / counts on:

    - Flipkart FK1, 1 unit, Rs 1,900: placed 22 Nov 23:30, polled 23 Nov 00:15 -> 22 Nov.
    - Amazon AX, 2 units, Rs 4,000: placed 22 Nov 23:55; its Shipped notice (23 Nov 09:00, no
      PurchaseDate) came first -> 23 Nov, moved to 22 Nov when the 23:56 notice arrived.
    - Amazon AY, 1 unit, Rs 2,000: placed 22 Nov 23:58, Shipped notice first (with PurchaseDate) -> 22 Nov.
    - Meesho MS1, 1 unit, Rs 1,750: order of 22 Nov imported as SHIPPED 23 Nov 11:00, after 22 Nov's
      digest ran -> 22 Nov, in its revision 2.
    - Flipkart FK2, 1 unit, Rs 1,900: placed 23 Nov 00:00:00 -> 23 Nov.

    22 Nov, first digest (08:00 on 23 Nov): 3 orders, 4 units, Rs 7,900.
    22 Nov, revision 2 (with the 24 Nov run): 4 orders, 5 units, Rs 9,650.
    23 Nov: 1 order, 1 unit, Rs 1,900; month to date 5 orders, 6 units, Rs 11,550.
    """
    seed_world(unique, {"STOLE": (2000, 50)})
    sku = f"STOLE-{unique}"
    _queue(
        "flipkart",
        payloads.flipkart(
            f"FK1{unique}",
            "APPROVED",
            "2026-11-23T00:15:00+05:30",
            "2026-11-22T23:30:00+05:30",
            [(f"FK-{sku}", 1, 1900)],
        ),
    )
    ax = f"408-AX-{unique}"
    enqueue_raw(
        json.dumps(
            payloads.amazon(ax, f"{unique}-ax2", "Shipped", "2026-11-23T03:30:00Z", [(f"AMZ-{sku}", 2)])
        )
    )
    drain()
    assert view("amazon", ax)["order"]["placed_at"].startswith("2026-11-23T03:30:00")
    enqueue_raw(
        json.dumps(
            payloads.amazon(
                ax,
                f"{unique}-ax1",
                "Unshipped",
                "2026-11-22T18:26:00Z",
                [(f"AMZ-{sku}", 2)],
                purchased="2026-11-22T18:25:00Z",
            )
        )
    )
    ay = f"408-AY-{unique}"
    enqueue_raw(
        json.dumps(
            payloads.amazon(
                ay,
                f"{unique}-ay",
                "Shipped",
                "2026-11-23T04:30:00Z",
                [(f"AMZ-{sku}", 1)],
                purchased="2026-11-22T18:28:00Z",
            )
        )
    )
    drain()
    moved = view("amazon", ax)
    assert moved["order"]["status"] == "shipped"
    assert moved["order"]["placed_at"].startswith("2026-11-22T18:25:00")
    assert [h["outcome"] for h in moved["history"]] == ["stale", "created"]  # oldest first

    district = f"D-{unique}"
    first, files = run_digest(app, "2026-11-23T02:30:00Z")  # 08:00 IST on 23 Nov: reports 22 Nov
    document = json.loads(files["digest.json"])
    assert first["report_date"] == "2026-11-22"
    assert document["revision"] == 1
    assert _figures(digest_row(document, "day", "district", district)) == {
        "orders": 3,
        "units": 4,
        "gmv_paise": 7_900_00,
    }

    # The afternoon's Meesho export holds an order of 22 Nov, first seen as SHIPPED.
    row = payloads.meesho_row("SHIPPED", f"MS1{unique}_1", "2026-11-22", f"MS-{sku}", 1, rupees=1750)
    _queue("meesho", payloads.meesho(f"imp-{unique}", "2026-11-23T11:00:00+05:30", [row]))
    _queue(
        "flipkart",
        payloads.flipkart(
            f"FK2{unique}",
            "APPROVED",
            "2026-11-23T00:05:00+05:30",
            "2026-11-23T00:00:00+05:30",
            [(f"FK-{sku}", 1, 1900)],
        ),
    )
    drain()

    second, files = run_digest(app, "2026-11-24T02:30:00Z")  # reports 23 Nov, revises 22 Nov
    today = json.loads(files["digest.json"])
    assert _figures(digest_row(today, "day", "district", district)) == {
        "orders": 1,
        "units": 1,
        "gmv_paise": 1_900_00,
    }
    assert _figures(digest_row(today, "mtd", "district", district)) == {
        "orders": 5,
        "units": 6,
        "gmv_paise": 11_550_00,
    }
    revised = next(r for r in second["revised"] if r["report_date"] == "2026-11-22")
    assert revised["revision"] == 2
    document = json.loads(read_report(revised["digest_json"]))
    assert document["revision"] == 2
    assert _figures(digest_row(document, "day", "district", district)) == {
        "orders": 4,
        "units": 5,
        "gmv_paise": 9_650_00,
    }
    assert {k: document["previous_revision_totals"][k] for k in ("orders", "units", "gmv_paise")} == {
        "orders": 3,
        "units": 4,
        "gmv_paise": 7_900_00,
    }
    assert "Revision 2" in read_report(revised["index_html"]).decode()

    announced = digest_announcements(digest_subscriber)
    assert {"report_date": "2026-11-22", "revision": 2} in [
        {k: m.get(k) for k in ("report_date", "revision")} for m in announced
    ]
    # Nothing changed since: a re-run for 22 Nov writes the same bytes, still revision 2.
    assert run_digest(app, "2026-11-24T03:00:00Z", "2026-11-22")[1]["digest.json"] == read_report(
        revised["digest_json"]
    )


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row[name]) for name in ("orders", "units", "gmv_paise")}
