"""The dashboard in headless Chromium against the local stack, as a district coordinator uses it:
she signs in, sees her district only, its figures equal the digest JSON of the same day, drills
down to a block, switches to Hindi, and the page prints. Screenshots: build/screenshots/<test>/."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.orders.models import OrderStatus
from chalicelib.registry.models import Channel
from haat_tools.local import runner, stack
from tests.browser import audit
from tests.browser.conftest import PageVisit, Screenshots
from tests.reports.helpers import OrderStory, line, seed_shg, utc

DAY = date(2026, 9, 16)
FIGURES = ("orders", "gmv_paise", "cancellations", "returns", "sla_breaches")


def ist(text: str) -> Any:
    return utc(f"{text}+05:30")


@pytest.fixture(scope="module")
def district(local_aws: stack.LocalAws) -> dict[str, str]:
    """Two blocks of district D1 and one SHG in D2; sales on DAY, the day before and earlier."""
    u = uuid.uuid4().hex[:8]
    a, _ = seed_shg(f"A-{u}", f"Budgam-{u}", "Chadoora", "2025-01-01", {f"A-{u}-M01": 1.0})
    c, _ = seed_shg(f"C-{u}", f"Budgam-{u}", "Khansahib", "2025-01-01", {f"C-{u}-M01": 1.0})
    b, _ = seed_shg(f"B-{u}", f"Kupwara-{u}", "Handwara", "2025-01-01", {f"B-{u}-M01": 1.0})
    makers = {s.shg_id: [f"{s.shg_id}-M01"] for s in (a, b, c)}
    sales = [
        (Channel.FLIPKART, a, 2, 1_200, "2026-09-16T09:00", "", "sozani_embroidery"),
        (Channel.AMAZON, a, 1, 2_500, "2026-09-15T10:00", "", "pashmina_shawl"),
        (Channel.HAAT, c, 1, 800, "2026-09-16T11:00", "SARAS-DELHI", "namda"),
        (Channel.HAAT, c, 3, 300, "2026-09-03T11:00", "HAAT-BUDGAM", "willow_wicker"),
        (Channel.MEESHO, b, 1, 9_900, "2026-09-16T12:00", "", "namda"),
    ]
    for index, (channel, shg, qty, rupees, at, outlet, craft) in enumerate(sales):
        story = OrderStory(
            channel,
            f"O{index}-{u}",
            [line(shg, makers[shg.shg_id], qty, rupees, craft)],
            ist(at),
            outlet_id=outlet,
        )
        if index == 1:
            story.move(OrderStatus.CANCELLED, ist("2026-09-16T08:00"))
    # Late right now: open past its dispatch-by (kept in the OPEN index like the orders handler does).
    OrderStory(
        Channel.FLIPKART,
        f"LATE-{u}",
        [line(a, makers[a.shg_id], 1, 1_000, "sozani_embroidery")],
        datetime.now(UTC) - timedelta(days=2),
        datetime.now(UTC) - timedelta(hours=30),
        store=True,
    )
    OrderStory(
        Channel.MEESHO,
        f"LATE-B-{u}",
        [line(b, makers[b.shg_id], 1, 1_000, "namda")],
        datetime.now(UTC) - timedelta(days=2),
        datetime.now(UTC) - timedelta(hours=5),
        store=True,
    )
    return {"u": u, "D1": a.district, "D2": b.district, "A": a.shg_id, "B": b.shg_id, "C": c.shg_id}


def _digest_json(app: Chalice) -> dict[str, Any]:
    event = runner.scheduled_event("daily_digest", datetime.now(UTC))
    event["detail"] = {"report_date": DAY.isoformat()}
    outcome = runner.invoke(app, "daily_digest", event)
    body = aws.client("s3").get_object(Bucket=settings().MEDIA_BUCKET, Key=outcome["digest_json"])["Body"]
    return dict(json.loads(body.read()))


def _row(document: dict[str, Any], period: str, key: str) -> dict[str, Any]:
    [row] = [
        r for r in document["rows"] if (r["period"], r["dimension"], r["key"]) == (period, "district", key)
    ]
    return row


def _figure(page: Any, figure_id: str) -> int:
    return int(page.get_attribute(f'[data-figure="{figure_id}"]', "data-value"))


def _open(open_page: Any, api_url: str, token: str, viewport: tuple[int, int], query: str = "") -> PageVisit:
    visit: PageVisit = open_page(viewport=viewport, mobile=viewport[0] < 600)
    visit.page.goto(f"{api_url}/dashboard?date={DAY.isoformat()}{query}")
    visit.page.fill("#token", token)
    visit.page.click("#signin-token button[type=submit]")
    visit.page.wait_for_selector('[data-figure="mtd-gmv_paise"]')
    return visit


def test_a_district_coordinator_sees_her_district_with_the_digest_figures(
    app: Chalice, api_url: str, open_page: Any, screenshots: Screenshots, district: dict[str, str]
) -> None:
    document = _digest_json(app)
    token = issue_local_token("dpm-budgam", Role.DISTRICT_COORDINATOR, district=district["D1"])
    visit = _open(open_page, api_url, token, (1280, 800))
    page = visit.page
    for period in ("day", "mtd"):
        row = _row(document, period, district["D1"])
        assert {name: _figure(page, f"{period}-{name}") for name in FIGURES} == {
            name: row[name] for name in FIGURES
        }
    # By hand: today 2,400 + 800; yesterday 2,500 (cancelled today); month 2,400 + 2,500 + 800 + 900.
    assert _figure(page, "day-gmv_paise") == 320_000
    assert _figure(page, "prev-gmv_paise") == 250_000
    assert _figure(page, "mtd-gmv_paise") == 660_000
    assert _figure(page, "mtd-cancellations") == 1
    assert _figure(page, "channel-haat-gmv_paise") == 170_000
    assert _figure(page, "outlet-SARAS-DELHI-gmv_paise") == 80_000
    text = page.inner_text("body")
    assert district["D2"] not in text
    assert district["B"] not in text
    assert f"LATE-{district['u']}" in text
    assert f"LATE-B-{district['u']}" not in text
    assert page.locator("svg").count() >= 3
    assert audit.problems(page) == []
    screenshots.take(page, "district-1280x800", full_page=True)

    page.click("a[data-drill]:text('Chadoora')")
    page.wait_for_selector(f"tr[data-area='{district['A']}']")
    assert district["C"] not in page.inner_text("#view")
    screenshots.take(page, "block-1280x800")

    page.emulate_media(media="print")
    screenshots.take(page, "block-print", full_page=True)
    assert page.locator(".bar").is_hidden()


def test_the_dashboard_on_a_phone_in_hindi(
    api_url: str, open_page: Any, screenshots: Screenshots, district: dict[str, str]
) -> None:
    token = issue_local_token("dpm-budgam", Role.DISTRICT_COORDINATOR, district=district["D1"])
    visit = _open(open_page, api_url, token, (412, 900))
    page = visit.page
    screenshots.take(page, "district-412x900")
    page.click("button[data-lang=hi]")
    page.wait_for_function(
        "() => document.body.dataset.loaded && document.body.dataset.loaded.includes('lang=hi')"
    )
    assert "इस महीने" in page.inner_text("#view")
    screenshots.take(page, "district-412x900-hi", full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 412


def test_another_district_is_refused(api_url: str, open_page: Any, district: dict[str, str]) -> None:
    token = issue_local_token("dpm-budgam", Role.DISTRICT_COORDINATOR, district=district["D1"])
    visit: PageVisit = open_page(viewport=(1280, 800), mobile=False)
    visit.page.goto(f"{api_url}/dashboard?district={district['D2']}")
    visit.page.fill("#token", token)
    visit.page.click("#signin-token button[type=submit]")
    visit.page.wait_for_selector("#message:not([hidden])")
    assert "outside your area" in visit.page.inner_text("#message")
    assert district["B"] not in visit.page.inner_text("body")
