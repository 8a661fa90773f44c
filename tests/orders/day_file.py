"""A Saturday of the mission's orders as `make orders FILE=` takes them (events/orders/day_2026-12-05.jsonl).

All five channels in their own shapes, in the order an operator would have them: re-sends, statuses
out of order, orders placed just before and after IST midnight, late records of the day before
(a Flipkart order of 23:30 polled after midnight, an Amazon order whose Shipped notice came first,
Meesho orders of 4 Dec first exported as SHIPPED), bulk mela orders, a return asked for twice,
and some 60 bad records (bytes that are not UTF-8, lines cut short, prices that are not prices,
a price with too many zeros, unknown SKUs and channels, nesting 60 deep, missing fields...).

The plan below is the single source of the file and of what must come of it: each line's outcome
and the figures each IST day must show. `python -m tests.orders.day_file` writes the file again.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from haat_tools.local.stack import PROJECT_DIR
from tests.orders import payloads

PATH = PROJECT_DIR / "events/orders/day_2026-12-05.jsonl"
IST = timezone(timedelta(hours=5, minutes=30))
DAY = datetime(2026, 12, 5, tzinfo=IST)
EVE = DAY - timedelta(days=1)

# name: (Haat SKU, registry price in rupees, district) - the sample registry's products.
PRODUCTS = {
    "stole": ("SGR-SOZ-STOLE-01", 12500, "Srinagar"),
    "box": ("SGR-PM-BOX-02", 1800, "Srinagar"),
    "tray": ("BDG-WWC-TRAY-01", 4200, "Budgam"),
    "cushion": ("BLA-CRW-CUSH-01", 1600, "Baramulla"),
    "rug": ("ANG-NMD-RUG-01", 6500, "Anantnag"),
    "basket": ("JMU-WIL-BSK-01", 2400, "Jammu"),
}
DISPATCHED = ("shipped", "delivered", "return_requested", "returned")
PREFIX = {"haat": "", "ondc": "", "amazon": "AMZ-", "flipkart": "FK-", "meesho": "MS-"}
BUYERS = ["Aarti Sharma", "Mohd Irfan", "Priya Nair", "Gurpreet Kaur", "Ananya Das", "Zoya Mir", "Ravi Teja"]
CITIES = [
    ("Bengaluru", "560001"),
    ("Pune", "411001"),
    ("Delhi", "110001"),
    ("Mumbai", "400001"),
    ("Jaipur", "302001"),
]


@dataclass
class Order:
    """One order of the day and the Haat statuses its events report, with when they happened."""

    channel: str
    order_id: str
    lines: list[tuple[str, int]]  # (product name, pieces)
    placed: datetime
    ship_by: datetime | None = None  # the dispatch deadline its channel gave
    steps: list[tuple[str, datetime]] = field(default_factory=list)

    def district_lines(self) -> list[tuple[str, int, int]]:
        """(district, pieces, paise) of each line, at the registry's price."""
        return [(PRODUCTS[p][2], n, n * PRODUCTS[p][1] * 100) for p, n in self.lines]


@dataclass
class Line:
    """One line of the file: its bytes, when the operator got it, and what must come of it."""

    raw: bytes
    received: datetime
    outcome: str  # recorded, duplicate, quarantined, refused


def _json_line(channel: str, payload: Any, **extra: str) -> bytes:
    """A line as an exporting system writes it: UTF-8, or escapes where UTF-8 cannot go."""
    text = json.dumps({"channel": channel, "payload": payload, **extra}, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # half a surrogate pair
        return json.dumps({"channel": channel, "payload": payload, **extra}).encode()


def _at(day: datetime, minutes: int) -> datetime:
    return day + timedelta(minutes=minutes)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class DayBuilder:
    """Builds the orders and their lines; `lines` sorted by receipt time make the file."""

    def __init__(self) -> None:
        self.random = random.Random(20261205)
        self.orders: list[Order] = []
        self.lines: list[Line] = []

    # --- helpers ------------------------------------------------------------------------------

    def _pick(self, weights: dict[str, int] | None = None) -> str:
        names = list(weights or PRODUCTS)
        return self.random.choices(names, weights=list((weights or dict.fromkeys(PRODUCTS, 1)).values()))[0]

    def _emit(self, channel: str, payload: Any, received: datetime, outcome: str = "recorded") -> bytes:
        raw = _json_line(channel, payload)
        self.lines.append(Line(raw, received, outcome))
        return raw

    def _resend(self, raw: bytes, received: datetime) -> None:
        self.lines.append(Line(raw, received, "duplicate"))

    def _order(
        self,
        channel: str,
        order_id: str,
        lines: list[tuple[str, int]],
        placed: datetime,
        ship_by: datetime | None = None,
    ) -> Order:
        order = Order(channel, order_id, lines, placed, ship_by)
        self.orders.append(order)
        return order

    def _sku(self, channel: str, product: str) -> str:
        return PREFIX[channel] + PRODUCTS[product][0]

    # --- channels -----------------------------------------------------------------------------

    def haat(self) -> None:
        outlets = ["HAAT-SGR-01", "AIRPORT-SXR", "SARAS-JMU"]
        plans = ["counter"] * 20 + ["courier"] * 16 + ["placed"] * 10 + ["cancel"] * 5
        for index, plan in enumerate(plans):
            outlet = outlets[index % 3]
            lines = [(self._pick(), 1 + index % 2)]
            if index % 7 == 3:
                lines.append((self._pick(), 1))
            placed = _at(DAY, 8 * 60 + 17 * index)
            self._haat_order(outlet, f"D5-{index:03d}", lines, placed, plan, buyer=self.random.choice(BUYERS))
        # Bulk mela orders (more than the stock: the coordinator is alerted).
        self._haat_order("SARAS-JMU", "D5-BULK-1", [("cushion", 40)], _at(DAY, 11 * 60), "placed")
        self._haat_order("SARAS-JMU", "D5-BULK-2", [("basket", 25), ("box", 10)], _at(DAY, 15 * 60), "placed")
        # Midnight: the last bill of 4 Dec and the first of 5 Dec.
        self._haat_order(
            "AIRPORT-SXR", "D4-LAST", [("box", 1)], EVE.replace(hour=23, minute=59, second=59), "placed"
        )
        self._haat_order("AIRPORT-SXR", "D5-FIRST", [("box", 1)], DAY, "placed")
        # Half an emoji in a buyer's name: the order is recorded all the same.
        self._haat_order(
            "HAAT-SGR-01", "D5-EMOJI", [("stole", 1)], _at(DAY, 600), "placed", buyer="Zoya \ud83d"
        )
        self._return_twice()

    def _haat_order(
        self,
        outlet: str,
        bill: str,
        lines: list[tuple[str, int]],
        placed: datetime,
        plan: str,
        *,
        buyer: str = "",
    ) -> None:
        order = self._order("haat", f"{outlet}-{bill}", lines, placed, placed + timedelta(days=2))
        city, pincode = self.random.choice(CITIES)
        items = [(PRODUCTS[p][0], n, f"{PRODUCTS[p][1]}.00") for p, n in lines]
        statuses = {
            "counter": [("placed", 0), ("delivered", 4)],
            "courier": [("placed", 0), ("packed", 90), ("shipped", 240)],
            "placed": [("placed", 0)],
            "cancel": [("placed", 0), ("cancelled", 45)],
        }[plan]
        for step, (status, minutes) in enumerate(statuses):
            at = _at(placed, minutes)
            event = payloads.haat(
                bill,
                f"{bill}-{step}",
                status,
                _iso(at),
                items,
                outlet=outlet,
                city=city,
                pincode=pincode,
                dispatch_by=_iso(placed + timedelta(days=2)),
                buyer=buyer,
            )
            raw = self._emit("haat", event, at + timedelta(minutes=1))
            order.steps.append((status, at))
            if step == 0 and bill.endswith(("7", "3")):  # the outlet's POS retried
                self._resend(raw, at + timedelta(minutes=9))

    def _return_twice(self) -> None:
        """Delivered, return asked, turned down, asked again, returned: two return SMS, stock back once."""
        placed = _at(DAY, 9 * 60)
        order = self._order("haat", "HAAT-SGR-01-D5-RET", [("tray", 1)], placed, placed + timedelta(days=2))
        items = [("BDG-WWC-TRAY-01", 1, "4200.00")]
        for step, (status, minutes) in enumerate(
            [
                ("placed", 0),
                ("shipped", 30),
                ("delivered", 120),
                ("return_requested", 240),
                ("delivered", 360),
                ("return_requested", 480),
                ("returned", 660),
            ]
        ):
            at = _at(placed, minutes)
            event = payloads.haat("D5-RET", f"D5-RET-{step}", status, _iso(at), items)
            self._emit("haat", event, at + timedelta(minutes=1))
            order.steps.append((status, at))

    def ondc(self) -> None:
        plans = ["shipped"] * 10 + ["packed"] * 10 + ["cancel"] * 3 + ["accepted"] * 4 + ["reordered"] * 3
        for index, plan in enumerate(plans):
            product = self._pick()
            count = 1 + (index % 4 == 0)
            placed = _at(DAY, 7 * 60 + 23 * index)
            order_id = f"ONDC-1205-{index:04d}"
            order = self._order("ondc", order_id, [(product, count)], placed, placed + timedelta(days=1))
            items = [(PRODUCTS[product][0], count, PRODUCTS[product][1])]
            city, pincode = self.random.choice(CITIES)
            steps = {
                "shipped": [
                    ("on_confirm", "Accepted", "Pending", 1),
                    ("on_status", "In-progress", "Packed", 150),
                    ("on_status", "In-progress", "Order-picked-up", 300),
                ],
                "packed": [
                    ("on_confirm", "Accepted", "Pending", 1),
                    ("on_status", "In-progress", "Packed", 200),
                ],
                "cancel": [
                    ("on_confirm", "Accepted", "Pending", 1),
                    ("on_cancel", "Cancelled", "Cancelled", 60),
                ],
                "accepted": [("on_confirm", "Accepted", "Pending", 1)],
                # The packed callback overtook the confirmation: the order starts packed, the
                # confirmation is older news.
                "reordered": [
                    ("on_status", "In-progress", "Packed", 120),
                    ("on_confirm", "Accepted", "Pending", 1),
                ],
            }[plan]
            status_of = {
                "Pending": "accepted",
                "Packed": "packed",
                "Order-picked-up": "shipped",
                "Cancelled": "cancelled",
            }
            for step, (action, state, fulfillment, minutes) in enumerate(steps):
                at = _at(placed, minutes)
                callback = payloads.ondc(
                    order_id,
                    f"msg-{order_id}-{step}",
                    state,
                    _utc(at),
                    items,
                    created_at=_utc(placed),
                    action=action,
                    fulfillment=fulfillment,
                    ship_by=_utc(placed + timedelta(days=1)),
                    city=city,
                    pincode=pincode,
                )
                received = at + timedelta(minutes=1) if plan != "reordered" else _at(placed, 121 + step)
                raw = self._emit("ondc", callback, received)
                order.steps.append((status_of[fulfillment], at))
                if index % 9 == 4 and step == 0:  # the buyer app sent it twice
                    self._resend(raw, received + timedelta(minutes=3))

    def amazon(self) -> None:
        plans = ["shipped"] * 12 + ["unshipped"] * 12 + ["cancel"] * 4
        for index, plan in enumerate(plans):
            product = self._pick({"box": 3, "cushion": 3, "basket": 2, "tray": 1, "stole": 1, "rug": 1})
            qty = 1 + (index % 5 == 0)
            placed = _at(DAY, 6 * 60 + 29 * index)
            steps = {
                "shipped": [("Unshipped", 2), ("Shipped", 420)],
                "unshipped": [("Unshipped", 2)],
                "cancel": [("Unshipped", 2), ("Canceled", 95)],
            }[plan]
            self._amazon_order(
                f"408-1205{index:03d}-{index * 7919 % 10000:04d}",
                product,
                qty,
                placed,
                steps,
                resend=index % 6 == 1,
            )
        # Placed at 23:55 on 4 Dec; its Shipped notice reached Haat before the order notice.
        self._amazon_order(
            "408-1204998-0001",
            "box",
            1,
            EVE.replace(hour=23, minute=55),
            [("Shipped", 600), ("Unshipped", 1)],
            received=[_at(DAY, 601), _at(DAY, 605)],
        )
        # Midnight: 23:59:59 on 4 Dec, and 00:00:00 on 5 Dec.
        self._amazon_order(
            "408-1204999-0002", "cushion", 1, EVE.replace(hour=23, minute=59, second=59), [("Unshipped", 0)]
        )
        self._amazon_order("408-1205000-0003", "cushion", 1, DAY, [("Unshipped", 0)])

    def _amazon_order(
        self,
        order_id: str,
        product: str,
        qty: int,
        placed: datetime,
        steps: list[tuple[str, int]],
        *,
        resend: bool = False,
        received: list[datetime] | None = None,
    ) -> None:
        order = self._order("amazon", order_id, [(product, qty)], placed, placed + timedelta(days=2))
        status_of = {"Unshipped": "accepted", "Shipped": "shipped", "Canceled": "cancelled"}
        for step, (status, minutes) in enumerate(steps):
            at = _at(placed, minutes)
            notice = payloads.amazon(
                order_id,
                f"{order_id}-n{step}",
                status,
                _utc(at),
                [(self._sku("amazon", product), qty)],
                purchased=_utc(placed),
                latest_ship=_utc(placed + timedelta(days=2)),
            )
            got = received[step] if received else at + timedelta(seconds=40)
            raw = self._emit("amazon", notice, got)
            order.steps.append((status_of[status], at))
            if resend and step == 0:  # SQS delivered it twice
                self._resend(raw, got + timedelta(minutes=2))

    def flipkart(self) -> None:
        plans = ["shipped"] * 8 + ["late_shipped"] * 2 + ["approved"] * 8 + ["cancel"] * 3
        for index, plan in enumerate(plans):
            product = self._pick()
            qty = 1 + (index % 4 == 2)
            placed = _at(DAY, 7 * 60 + 31 * index)
            ship_by = placed + (timedelta(hours=3) if plan == "late_shipped" else timedelta(days=1))
            statuses = {
                "shipped": [("APPROVED", 5), ("READY_TO_DISPATCH", 120), ("PICKUP_COMPLETE", 170)],
                "late_shipped": [("APPROVED", 5), ("READY_TO_DISPATCH", 150), ("PICKUP_COMPLETE", 300)],
                "approved": [("APPROVED", 5)],
                "cancel": [("APPROVED", 5), ("CANCELLED", 70)],
            }[plan]
            self._flipkart_order(
                f"OD1205{index:06d}", product, qty, placed, statuses, ship_by=ship_by, repoll=index % 4 == 1
            )
        # Placed at 23:30 on 4 Dec, first polled at 00:15.
        for index in range(2):
            placed = EVE.replace(hour=23, minute=30 + index * 10)
            self._flipkart_order(
                f"OD1204{index:06d}",
                "stole",
                1,
                placed,
                [("APPROVED", 45 - index * 10)],
                ship_by=placed + timedelta(days=1),
            )

    def _flipkart_order(
        self,
        order_id: str,
        product: str,
        qty: int,
        placed: datetime,
        statuses: list[tuple[str, int]],
        *,
        ship_by: datetime,
        repoll: bool = False,
    ) -> None:
        order = self._order("flipkart", order_id, [(product, qty)], placed, ship_by)
        status_of = {
            "APPROVED": "accepted",
            "READY_TO_DISPATCH": "packed",
            "PICKUP_COMPLETE": "shipped",
            "CANCELLED": "cancelled",
        }
        city, pincode = self.random.choice(CITIES)
        for step, (status, minutes) in enumerate(statuses):
            at = _at(placed, minutes)
            shipment = payloads.flipkart(
                order_id,
                status,
                _iso(at),
                _iso(placed),
                [(self._sku("flipkart", product), qty, PRODUCTS[product][1])],
                dispatch_by=_iso(ship_by),
                city=city,
                pincode=pincode,
            )
            raw = self._emit("flipkart", shipment, at + timedelta(minutes=5))
            order.steps.append((status_of[status], at))
            if repoll and step == len(statuses) - 1:  # the next poll's overlap window saw it again
                self._resend(raw, at + timedelta(minutes=10))

    def meesho(self) -> None:
        morning, evening = _at(DAY, 11 * 60), _at(DAY, 18 * 60)
        pending = []
        for index in range(12):
            product = self._pick()
            sub = f"2412050{index:05d}_1"
            self._order("meesho", sub, [(product, 1)], DAY)
            pending.append(
                payloads.meesho_row(
                    "PENDING", sub, "2026-12-05", self._sku("meesho", product), 1, rupees=PRODUCTS[product][1]
                )
            )
            self.orders[-1].steps.append(("placed", DAY))
        shipped = []
        for index in range(5):  # orders of 4 Dec, first seen shipped
            product = self._pick()
            sub = f"2412040{index:05d}_1"
            self._order("meesho", sub, [(product, 1)], EVE)
            shipped.append(
                payloads.meesho_row(
                    "SHIPPED", sub, "2026-12-04", self._sku("meesho", product), 1, rupees=PRODUCTS[product][1]
                )
            )
            self.orders[-1].steps.append(("shipped", morning))
        rows = pending + shipped
        chunks = [rows[0:3], rows[3:6]] + [[row] for row in rows[6:]]
        for number, chunk in enumerate(chunks):
            self._emit(
                "meesho",
                payloads.meesho("imp-1205-am", _iso(morning), chunk),
                morning + timedelta(seconds=number),
            )
        # The evening export overlaps the morning's: the same rows again, and later states.
        for number, row in enumerate(pending[:3]):
            self._resend(
                _json_line("meesho", payloads.meesho("imp-1205-pm", _iso(evening), [row])),
                evening + timedelta(seconds=number),
            )
        for number, row in enumerate(pending[3:8]):
            status = "CANCELLED" if number == 4 else "READY_TO_SHIP"
            later = {**row, "Reason for Credit Entry": status}
            self._emit(
                "meesho",
                payloads.meesho("imp-1205-pm", _iso(evening), [later]),
                evening + timedelta(seconds=10 + number),
            )
            order = next(o for o in self.orders if o.order_id == row["Sub Order No"])
            order.steps.append(("cancelled" if status == "CANCELLED" else "packed", evening))

    # --- bad records ----------------------------------------------------------------------------

    def bad(self) -> None:
        """Some 60 records no day should lose the rest of the file to."""
        base = _at(DAY, 8 * 60)
        stamp = iter(range(10_000))

        def when() -> datetime:
            return base + timedelta(minutes=13 * next(stamp))

        def bill(number: int, price: str = "1600.00", **changes: Any) -> dict[str, Any]:
            event = payloads.haat(
                f"BAD-{number}",
                f"BAD-{number}-0",
                "placed",
                _iso(when()),
                [("BLA-CRW-CUSH-01", 1, price)],
                buyer="Mehak Jan",
            )
            event.update(changes)
            return event

        def refused(raw: bytes) -> None:
            self.lines.append(Line(raw, when(), "refused"))

        def quarantined(channel: str, payload: Any) -> None:
            self.lines.append(Line(_json_line(channel, payload), when(), "quarantined"))

        # Bytes that are not UTF-8 (a POS writing Latin-1 or Windows-1252), and lines cut short.
        for number in range(4):
            refused(
                _json_line("haat", bill(100 + number, buyer={"name": "Zoë"})).replace(
                    "Zoë".encode(), "Zoë".encode("latin-1")
                )
            )
        refused(
            _json_line("haat", bill(104, buyer={"name": "José’s shop"})).replace(
                "’".encode(), "’".encode("cp1252")
            )
        )
        for number in range(6):
            raw = _json_line("haat", bill(110 + number))
            refused(raw[: len(raw) * (number + 2) // 9])
        refused(b'{"channel": "shopify", "payload": {"order": 1}}')
        refused(b'{"channel": "myntra", "payload": {}}')
        refused(b'["haat", {"event_id": "x"}]')
        refused(b'{"payload": {"event_id": "no channel"}}')
        refused(b"\xef\xbb\xbf\xff\xfe garbage from a spreadsheet")
        # Prices that are not prices, and a price with too many zeros.
        for number, price in enumerate(
            ["1e40", "NaN", "-4200.00", "Infinity", "", "12,500", "₹1600", "1600.00.00"]
        ):
            quarantined("haat", bill(120 + number, price))
        quarantined(
            "haat",
            bill(
                130,
                "9999999999.00",
                items=[{"sku": "SGR-SOZ-STOLE-01", "qty": 1, "unit_price": "9999999999.00"}],
            ),
        )
        quarantined(
            "haat", bill(131, items=[{"sku": "BLA-CRW-CUSH-01", "qty": 5000, "unit_price": "1600.00"}])
        )
        quarantined(
            "haat", bill(132, items=[{"sku": "SGR-SOZ-STOLE-01", "qty": 600, "unit_price": "12500.00"}])
        )
        quarantined(
            "haat", bill(133, items=[{"sku": "BLA-CRW-CUSH-01", "qty": 1, "unit_price": "1600.00"}] * 60)
        )
        # Unknown SKUs, missing or wrong fields.
        for number in range(4):
            quarantined(
                "haat",
                bill(
                    140 + number, items=[{"sku": f"NO-SUCH-SKU-{number}", "qty": 1, "unit_price": "900.00"}]
                ),
            )
        quarantined("haat", {k: v for k, v in bill(145).items() if k != "bill_no"})
        quarantined("haat", bill(146, occurred_at="2026-12-05 10:00"))
        quarantined("haat", bill(147, status="lost"))
        quarantined("haat", bill(148, delivery={"city": "Srinagar", "pincode": "19000"}))
        quarantined("haat", bill(149, items=[{"sku": "BLA-CRW-CUSH-01", "qty": 0, "unit_price": "1600.00"}]))
        quarantined("haat", bill(150, nested=_nested(60)))
        nan = '{"event_id": "BAD-151", "outlet_id": "HAAT-SGR-01", "qty": NaN}'
        self.lines.append(Line(_json_line("haat", nan, outlet_id="HAAT-SGR-01"), when(), "quarantined"))
        for channel in ("ondc", "amazon", "flipkart", "meesho"):
            quarantined(channel, {})
        quarantined("amazon", [1, 2, 3])
        quarantined("ondc", 42)
        ondc_bad = payloads.ondc(
            "ONDC-BAD-1",
            "msg-bad-1",
            "Lost-in-transit",
            _utc(when()),
            [("ANG-NMD-RUG-01", 1, 6500)],
            created_at=_utc(when()),
            action="on_status",
        )
        quarantined("ondc", ondc_bad)
        quarantined("ondc", {**ondc_bad, "context": {**ondc_bad["context"], "action": "search"}})
        amazon_bad = payloads.amazon(
            "408-BAD-0001", "bad-n1", "Unshipped", _utc(when()), [("AMZ-BLA-CRW-CUSH-01", 1)]
        )
        amazon_bad["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"][0]["Quantity"] = 1e40
        quarantined("amazon", amazon_bad)
        quarantined(
            "amazon",
            payloads.amazon("408-BAD-0002", "bad-n2", "Unshipped", _utc(when()), [("AMZ-NO-SUCH", 1)]),
        )
        quarantined(
            "amazon",
            payloads.amazon(
                "408-BAD-0003", "bad-n3", "PendingPickUp", _utc(when()), [("AMZ-BLA-CRW-CUSH-01", 1)]
            ),
        )
        flipkart_bad = payloads.flipkart(
            "ODBAD0001", "APPROVED", _iso(when()), _iso(when()), [("FK-SGR-SOZ-STOLE-01", 1, 12500)]
        )
        flipkart_bad["orderItems"][0]["priceComponents"] = {"sellingPrice": "99999999999.00"}
        quarantined("flipkart", flipkart_bad)
        quarantined("flipkart", {**flipkart_bad, "orderItems": []})
        quarantined(
            "flipkart",
            payloads.flipkart(
                "ODBAD0003", "LOST", _iso(when()), _iso(when()), [("FK-BLA-CRW-CUSH-01", 1, 1600)]
            ),
        )
        quarantined(
            "meesho",
            payloads.meesho(
                "imp-bad",
                _iso(when()),
                [payloads.meesho_row("LOST", "BAD1_1", "2026-12-05", "MS-BLA-CRW-CUSH-01", 1, rupees=1600)],
            ),
        )
        quarantined(
            "meesho",
            payloads.meesho(
                "imp-bad",
                _iso(when()),
                [
                    payloads.meesho_row(
                        "PENDING", "BAD2_1", "2026-12-05", "MS-BLA-CRW-CUSH-01", 1, rupees="-1"
                    )
                ],
            ),
        )
        quarantined(
            "meesho",
            payloads.meesho(
                "imp-bad",
                _iso(when()),
                [payloads.meesho_row("PENDING", "BAD3_1", "2026-12-05", "MS-NO-SUCH", 1, rupees=1600)],
            ),
        )


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"x": value}
    return value


def build() -> DayBuilder:
    builder = DayBuilder()
    builder.haat()
    builder.ondc()
    builder.amazon()
    builder.flipkart()
    builder.meesho()
    builder.bad()
    builder.lines.sort(key=lambda line: line.received)
    return builder


def render(builder: DayBuilder) -> bytes:
    return b"".join(line.raw + b"\n" for line in builder.lines)


def expected_figures(orders: list[Order]) -> dict[tuple[str, str], Counter[str]]:
    """(IST day, district) -> the digest's counters, computed from the plan, not by Haat's code:
    a sale on its placement day; a cancellation, delivery, return or late dispatch on its own day."""
    figures: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for order in orders:
        placed_on = order.placed.date().isoformat()
        districts = order.district_lines()
        for district in {d for d, _, _ in districts}:
            figures[(placed_on, district)]["orders"] += 1
        for district, pieces, paise in districts:
            figures[(placed_on, district)]["units"] += pieces
            figures[(placed_on, district)]["gmv_paise"] += paise
        seen = set()
        dispatched = next((at for status, at in order.steps if status in DISPATCHED), None)
        if dispatched and order.ship_by and dispatched > order.ship_by:
            for district in {d for d, _, _ in districts}:
                figures[(dispatched.astimezone(IST).date().isoformat(), district)]["sla_breaches"] += 1
        for status, at in order.steps:
            day = at.astimezone(IST).date().isoformat()
            counted = {"cancelled": "cancellations", "delivered": "delivered", "returned": "returns"}.get(
                status
            )
            if counted and counted not in seen:
                seen.add(counted)
                for district in {d for d, _, _ in districts}:
                    figures[(day, district)][counted] += 1
    return figures


if __name__ == "__main__":
    PATH.write_bytes(render(build()))
    print(f"{PATH.relative_to(PROJECT_DIR)}: {len(build().lines)} lines")
