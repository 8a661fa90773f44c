"""The morning digest reaches each subscribed official by e-mail, scoped to her area.

moto's SES keeps what it was asked to send; the test reads those messages back through moto's
own data endpoint (`/moto-api/data.json`) as the e-mail an official would receive, follows the
page link in it over HTTP (signed in, as the page does), and checks the figures against totals
computed by hand:

| order | channel | SHG (district) | value | placed (IST) |
| FK | flipkart | A (D1) | 2 x 1,500 | report day 10:00 |
| SR | haat, outlet SARAS-DELHI | A (D1) | 500 | report day 11:00 |
| MS | meesho | B (D2) | 700 | report day 12:00 |
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.registry.models import Channel
from haat_tools.local import runner, stack
from tests.http import get_json
from tests.reports.helpers import OrderStory, line, seed_shg, utc

# Yesterday (IST), as the morning run reports it.
REPORT_DATE = business_date(datetime.now(UTC)) - timedelta(days=1)
PHONE = re.compile(r"\+91\d{10}|\b9\d{9}\b")


def sent_emails(endpoint: str, to: str) -> list[dict[str, Any]]:
    """Messages moto's SES accepted for `to`, from moto's data endpoint."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=30) as response:
        data = json.load(response)
    messages = data.get("ses", {}).get("Message", [])
    return [m for m in messages if to in m["destinations"].get("ToAddresses", [])]


@pytest.fixture
def area(local_aws: stack.LocalAws) -> dict[str, str]:
    u = uuid.uuid4().hex[:8]
    shg_a, _ = seed_shg(f"A-{u}", f"D1-{u}", "Harwan", "2025-01-01", {f"A-{u}-M01": 1.0})
    shg_b, _ = seed_shg(f"B-{u}", f"D2-{u}", "Sopore", "2025-01-01", {f"B-{u}-M01": 1.0})
    at = REPORT_DATE.isoformat()
    OrderStory(Channel.FLIPKART, f"FK-{u}", [line(shg_a, [f"A-{u}-M01"], 2, 1_500)], utc(f"{at}T10:00+05:30"))
    OrderStory(
        Channel.HAAT,
        f"SR-{u}",
        [line(shg_a, [f"A-{u}-M01"], 1, 500)],
        utc(f"{at}T11:00+05:30"),
        outlet_id="SARAS-DELHI",
    )
    OrderStory(Channel.MEESHO, f"MS-{u}", [line(shg_b, [f"B-{u}-M01"], 1, 700)], utc(f"{at}T12:00+05:30"))
    return {"u": u, "D1": shg_a.district, "D2": shg_b.district, "A": shg_a.shg_id, "B": shg_b.shg_id}


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _get_text(url: str, token: str = "") -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_each_official_gets_her_scope_by_email_with_a_working_link(
    app: Chalice,
    api_url: str,
    local_aws: stack.LocalAws,
    area: dict[str, str],
    cli: Callable[..., Any],
) -> None:
    u = area["u"]
    officer, admin_mail = f"dpm-{u}@jkrlm.example", f"ceo-{u}@jkrlm.example"
    cli("digest", "subscribe", "--email", officer, "--district", area["D1"])
    admin = issue_local_token("admin", Role.MISSION_ADMIN)
    status, _ = _post(f"{api_url}/digest/subscriptions", admin, {"email": admin_mail})
    assert status == 201
    listed = json.loads(cli("digest", "subscriptions").output)["subscriptions"]
    assert {"email": officer, "district": area["D1"], "block": ""} in listed

    fired = datetime.combine(REPORT_DATE + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=2, minutes=30
    )
    outcome = runner.invoke(app, "daily_digest", runner.scheduled_event("daily_digest", fired))
    assert outcome["report_date"] == REPORT_DATE.isoformat()
    assert outcome["emails_failed"] == 0

    assert settings().DIGEST_SENDER in aws.client("ses").list_identities()["Identities"]
    [mail] = sent_emails(local_aws.endpoint, officer)
    assert mail["source"] == settings().DIGEST_SENDER
    assert area["D1"] in mail["subject"]
    body = re.sub(r"<[^>]+>", "", mail["body"])  # the text a mail client shows
    # Her district only: A's orders (3,000 + 500), never B's meesho order or district D2.
    assert "Orders yesterday: 2" in body
    assert "GMV yesterday: ₹3,500" in body
    assert "कल के ऑर्डर: 2" in body
    assert "कल की बिक्री (GMV): ₹3,500" in body
    assert "GMV this month on Flipkart: ₹3,000" in body
    assert "GMV this month on Haat: ₹500" in body
    assert "Blocks this month, GMV (orders)" in body
    assert "<td>Harwan</td><td><b>₹3,500 (2)</b>" in mail["body"]
    assert area["D2"] not in body
    assert "Meesho" not in body
    assert len(sent_emails(local_aws.endpoint, admin_mail)) == 1

    [link] = set(re.findall(r"https?://[^\s\"<>]+/dashboard\?[^\s\"<>]+", html.unescape(mail["body"])))
    # The dashboard of her district and that day; she signs in there (a link never expires).
    assert (
        link == f"{settings().PUBLIC_API_URL}/dashboard?date={REPORT_DATE.isoformat()}&district={area['D1']}"
    )
    assert "Harwan" in body  # her district's blocks by name, with their month's figures
    assert not PHONE.search(mail["body"]), "never a phone number"
    query = urlsplit(link).query
    assert _get_text(f"{api_url}/dashboard/view?{query}")[0] == 401
    officer_token = issue_local_token("dpm", Role.DISTRICT_COORDINATOR, district=area["D1"])
    status, page = _get_text(f"{api_url}/dashboard/view?{query}", officer_token)
    assert status == 200
    assert "Harwan" in page  # her district's block, one drill-down away from its SHG
    assert area["D2"] not in page
    assert 'data-figure="day-gmv_paise" data-value="350000"' in page
    status, _ = _get_text(f"{api_url}/dashboard/view?date={REPORT_DATE}&district={area['D2']}", officer_token)
    assert status == 403


def test_subscriptions_are_managed_within_the_callers_area(api_url: str, area: dict[str, str]) -> None:
    coordinator = issue_local_token("dc", Role.DISTRICT_COORDINATOR, district=area["D1"])
    url = f"{api_url}/digest/subscriptions"
    own = {"email": f"bpm-{area['u']}@jkrlm.example", "district": area["D1"], "block": "Harwan"}
    assert _post(url, coordinator, own)[0] == 201
    assert _post(url, coordinator, {"email": "x@jkrlm.example", "district": area["D2"]})[0] == 403
    assert _post(url, coordinator, {"email": "x@jkrlm.example"})[0] == 403  # the whole mission
    status, error = _post(url, coordinator, {"email": "not an address", "district": area["D1"]})
    assert status == 400, error
    assert _post(url, coordinator, {"email": "x@jkrlm.example", "block": "Harwan"})[0] == 400
    status, listed = get_json(url, coordinator)
    assert status == 200
    assert own in listed["subscriptions"]
    assert all(s["district"] == area["D1"] for s in listed["subscriptions"])
    member = issue_local_token("rp", Role.RESOURCE_PERSON, shg_ids=(area["A"],))
    assert get_json(url, member)[0] == 403
