"""A whole day of orders (events/orders/day_2026-12-05.jsonl) through the operator path, read back
as a user would: each line's result, the order API, the quarantine API, the SMS local SNS took,
and the digests of 4 and 5 Dec against figures computed from the day's plan (tests/orders/day_file.py).

4 Dec was digested before the file arrived (08:00 on 5 Dec), yet the file holds orders of 4 Dec
(a Flipkart order polled after midnight, an Amazon order whose Shipped notice came first, Meesho
orders first exported as SHIPPED): they count on 4 Dec, whose digest is issued again as revision 2.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice import Chalice

from chalicelib.auth import Role, issue_local_token
from haat_tools import operator
from haat_tools.local import demo, runner, stack
from tests.orders import day_file
from tests.orders.helpers import sms_sent
from tests.reports.helpers import (
    digest_announcements,
    digest_row,
    read_report,
    run_digest,
    subscribe_to_digests,
)

FIGURES = ("orders", "units", "gmv_paise", "cancellations", "delivered", "returns", "sla_breaches")


@dataclass(frozen=True)
class Stack:
    app: Chalice
    api_url: str
    aws: stack.LocalAws


@pytest.fixture
def own_stack() -> Iterator[Stack]:
    """A stack of its own, with the sample registry: the day's figures and stock are nobody else's
    (and moto's transactions stay fast on small tables)."""
    with stack.running() as local_aws:
        demo.seed_registry()
        app = runner.load_app()
        with runner.serve_api(app) as api_url:
            yield Stack(app, api_url, local_aws)


def _get(api_url: str, path: str) -> Any:
    request = urllib.request.Request(
        f"{api_url}{path}", headers={"Authorization": f"Bearer {issue_local_token('t', Role.MISSION_ADMIN)}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.timeout(600)  # 380 lines through the real path: the slowest test, minutes on a loaded box
def test_a_day_of_orders_end_to_end(own_stack: Stack) -> None:
    app, api_url = own_stack.app, own_stack.api_url
    subscriber, _ = subscribe_to_digests()
    plan = day_file.build()
    assert day_file.PATH.read_bytes() == day_file.render(plan), "run python -m tests.orders.day_file"
    run_digest(app, "2026-12-05T02:30:00Z")  # 08:00 IST on 5 Dec: the digest of 4 Dec, before the file

    lines = list(operator.read_lines(day_file.PATH.read_bytes()))
    reports = list(
        operator.send_all(api_url, lines, lambda: runner.drain(app, runner.binding("on_order_events")))
    )

    # Every line has its one result, as planned.
    assert [r["outcome"] for r in reports] == [line.outcome for line in plan.lines]
    summary = operator.summary(reports)
    assert summary["lines"] == len(plan.lines) == 380
    assert summary["failed"] == summary["refused"] + summary["quarantined"] == 56
    assert not any(r.get("result") == "rejected" for r in reports)

    # The API: an order asked to be returned twice, and the quarantine with its reasons.
    returned = _get(api_url, "/orders/haat/HAAT-SGR-01-D5-RET")
    assert returned["order"]["status"] == "returned"
    assert sorted(n["template"] for n in returned["notifications"]) == ["new_order", "return", "return"]
    quarantine = {q["message_id"]: q["reason"] for q in _get(api_url, "/orders/quarantine")["quarantined"]}
    for report in reports:
        if report["outcome"] == "quarantined":
            assert quarantine[report["message_id"]] == report["reason"]
    reasons = [r["reason"] for r in reports if r["outcome"] == "quarantined"]
    assert (
        "line 1 (SGR-SOZ-STOLE-01): Rs 9,99,99,99,999 a piece, above ORDER_MAX_UNIT_PRICE_RUPEES Rs 10,00,000"
        in reasons
    )
    assert "JSON nested deeper than ORDER_MAX_JSON_DEPTH 20" in reasons

    # Local SNS: every SMS the day's orders queued reached it once, as rendered.
    events = [e for r in reports for e in r.get("events", [r])]
    notifications = [n for e in events for n in e.get("notifications", [])]
    assert {n["state"] for n in notifications} == {"sent"}
    order_ids = {order.order_id for order in plan.orders}
    texts = Counter(
        sms["message"] for sms in sms_sent(own_stack.aws) if any(o in sms["message"] for o in order_ids)
    )
    assert texts == Counter(n["text"] for n in notifications)

    # The digests: 5 Dec as it is, and 4 Dec issued again with its late records.
    outcome, files = run_digest(app, "2026-12-06T02:30:00Z")
    expected = day_file.expected_figures(plan.orders)
    today = json.loads(files["digest.json"])
    revised = next(r for r in outcome["revised"] if r["report_date"] == "2026-12-04")
    assert revised["revision"] == 2
    eve = json.loads(read_report(revised["digest_json"]))
    for day, document in (("2026-12-05", today), ("2026-12-04", eve)):
        for district in sorted({d for (on, d) in expected if on == day}):
            row = digest_row(document, "day", "district", district)
            assert {k: int(row[k]) for k in FIGURES} == {k: expected[(day, district)][k] for k in FIGURES}, (
                day,
                district,
            )
    assert {k: eve["previous_revision_totals"][k] for k in ("orders", "units", "gmv_paise")} == {
        "orders": 0,
        "units": 0,
        "gmv_paise": 0,
    }
    announced = digest_announcements(subscriber)
    assert {(m["report_date"], m.get("revision")) for m in announced} >= {
        ("2026-12-05", None),
        ("2026-12-04", 2),
    }
