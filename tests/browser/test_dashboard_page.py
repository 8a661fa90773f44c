"""The dashboard in headless Chromium against the local stack, as officials use it.

A district coordinator opens the digest e-mail's link and signs in through the hosted UI (the local
stand-in issues the tokens Cognito would); she sees her district only, by name, with the figures
of the digest JSON of the same day; drills down district -> block -> SHG; reads the late orders
with SHG, maker, hours late and who was reminded, the Lakhpati progress and photo rejection reasons;
switches to Hindi; prints. A mission admin also sees every district and the failed channel polls.
Screenshots at 1280x800 and 412x900 in English and Hindi: build/screenshots/<test>/.

| order | channel | SHG (block, district) | value | placed (IST) | then |
| O0 | flipkart | Al-Noor (Chadoora, D1) | 2 x 1,200 | 16 Sep 09:00 | |
| O1 | amazon | Al-Noor (Chadoora, D1) | 2,500 | 15 Sep 10:00 | cancelled 16 Sep |
| O2 | haat, SARAS-DELHI | Gulshan (Khansahib, D1) | 800 | 16 Sep 11:00 | |
| O3 | haat, HAAT-BUDGAM | Gulshan (Khansahib, D1) | 3 x 300 | 3 Sep 11:00 | |
| O4 | meesho | Zoon (Handwara, D2) | 9,900 | 16 Sep 12:00 | |
| LK | haat | Al-Noor | 4 x 23,000 | 10 May | delivered 12 May, paid 20 May: Shameema's 92,000 |
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from chalice import Chalice

from chalicelib import aws, ops
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.mail import digest_mail
from chalicelib.orders.models import OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Language, Member, MemberRole
from chalicelib.reports import digest
from chalicelib.reports.aggregates import record_photo_verdict
from chalicelib.reports.digest import Scope
from chalicelib.reports.settings import report_settings
from haat_tools.local import runner, stack
from tests.browser import audit, hosted_ui
from tests.browser.conftest import PageVisit, Screenshots
from tests.reports.helpers import OrderStory, line, utc

DAY = date(2026, 9, 16)
FIGURES = ("orders", "gmv_paise", "cancellations", "returns", "sla_breaches")
PHONE = re.compile(r"\+?91[\s-]?\d{5}[\s-]?\d{5}|\b\d{10}\b")
WIDE, PHONE_SIZE = (1280, 800), (412, 900)


def ist(text: str) -> datetime:
    return utc(f"{text}+05:30")


def seed_group(shg_id: str, name: str, district: str, block: str, people: dict[str, str]) -> SHG:
    """An SHG with named members ({member_id: name}); the last one is its coordinator."""
    *makers, coordinator = people
    shg = SHG(
        shg_id=shg_id,
        name=name,
        district=district,
        block=block,
        village="Nagbal",
        onboarded_on="2025-01-01",
        coordinator_member_id=coordinator,
    )
    registry.put_shg(shg)
    for index, (member_id, member_name) in enumerate(people.items()):
        registry.put_member(
            Member(
                member_id=member_id,
                shg_id=shg_id,
                name=member_name,
                phone=f"+9194190{index:05d}",
                language=Language.URDU,
                role=MemberRole.COORDINATOR if member_id == coordinator else MemberRole.ARTISAN,
                income_share=0.0 if member_id == coordinator else 1.0 / len(makers),
            )
        )
    return shg


@pytest.fixture(scope="module")
def area(app: Chalice) -> dict[str, str]:
    """Two blocks of district D1 and one SHG in D2, with the sales of the table above, a late order
    in each district (escalated and sent), a rejected photo and a failed channel poll."""
    u = uuid.uuid4().hex[:8]
    d1, d2 = f"Budgam-{u}", f"Kupwara-{u}"
    a = seed_group(
        f"A-{u}",
        "Al-Noor Mahila SHG",
        d1,
        "Chadoora",
        {f"A-{u}-M01": "Shameema Akhter", f"A-{u}-M09": "Rubeena Jan"},
    )
    c = seed_group(
        f"C-{u}", "Gulshan SHG", d1, "Khansahib", {f"C-{u}-M01": "Haleema Bano", f"C-{u}-M09": "Saja Mir"}
    )
    b = seed_group(
        f"B-{u}", "Zoon SHG", d2, "Handwara", {f"B-{u}-M01": "Mehmooda Lone", f"B-{u}-M09": "Asha Dar"}
    )
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
    OrderStory(
        Channel.HAAT,
        f"LK-{u}",
        [line(a, makers[a.shg_id], 4, 23_000)],
        ist("2026-05-10T10:00"),
        outlet_id="HAAT-JAMMU",
    ).move(OrderStatus.SHIPPED, ist("2026-05-11T10:00")).move(
        OrderStatus.DELIVERED, ist("2026-05-12T10:00")
    ).pay(ist("2026-05-20T10:00"), 92_000, 0)  # Lakhpati counts money received
    now = datetime.now(UTC)
    for order_id, shg, hours in ((f"LATE-{u}", a, 30), (f"LATE-B-{u}", b, 5)):
        OrderStory(
            Channel.FLIPKART,
            order_id,
            [line(shg, makers[shg.shg_id], 1, 1_000, "sozani_embroidery")],
            now - timedelta(days=2),
            now - timedelta(hours=hours),
            store=True,
        )
    # The real schedules: the sweep escalates the late orders, the sender delivers the SMS.
    runner.invoke(app, "dispatch_sweep", runner.scheduled_event("dispatch_sweep", now))
    runner.invoke(app, "deliver_notifications", runner.scheduled_event("deliver_notifications", now))
    record_photo_verdict(
        a.shg_id, d1, "rejected", ["blurry"], ist("2026-09-10T10:00"), craft="sozani_embroidery"
    )
    record_photo_verdict(c.shg_id, d1, "rejected", ["too_dark"], ist("2026-09-11T10:00"), craft="namda")
    account = f"flipkart-{u}"
    ops.record_run("poll_channels", ist("2026-09-16T10:00"), {"failed_accounts": [account]})
    return {"u": u, "D1": d1, "D2": d2, "A": a.shg_id, "B": b.shg_id, "C": c.shg_id, "account": account}


@pytest.fixture(scope="module")
def digest_json(app: Chalice, area: dict[str, str]) -> dict[str, Any]:
    """The digest the morning run writes for DAY (the mission's digest.json in S3)."""
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


def _signed_in(open_page: Any, api_url: str, token: str, size: tuple[int, int], query: str = "") -> PageVisit:
    """The page opened with a token in its address (#token=, as the local demo's link carries it)."""
    visit: PageVisit = open_page(viewport=size, mobile=size[0] < 600)
    visit.page.goto(f"{api_url}/dashboard?date={DAY.isoformat()}{query}#token={token}")
    visit.page.wait_for_selector('[data-figure="mtd-gmv_paise"]')
    return visit


def _coordinator(area: dict[str, str]) -> str:
    return issue_local_token("dpm-budgam", Role.DISTRICT_COORDINATOR, district=area["D1"])


def _no_phone_numbers(html: str) -> None:
    found = PHONE.findall(html)
    assert not found, f"phone numbers on the page: {found}"


@pytest.fixture
def hosted(area: dict[str, str]) -> Iterator[hosted_ui.HostedUi]:
    """The user pool's hosted UI stand-in, signing the district coordinator in."""
    client_id = "haat-dashboard"
    with hosted_ui.running(client_id, lambda: _coordinator(area)) as ui, pytest.MonkeyPatch.context() as env:
        env.setenv("COGNITO_DOMAIN", ui.url)
        env.setenv("COGNITO_APP_CLIENT_ID", client_id)
        settings.cache_clear()
        try:
            yield ui
        finally:
            settings.cache_clear()
    settings.cache_clear()


def test_from_the_emails_link_she_signs_in_and_sees_that_day_of_her_district(
    api_url: str, open_page: Any, screenshots: Screenshots, area: dict[str, str], hosted: hosted_ui.HostedUi
) -> None:
    """The link names the scope and day and never expires (this one is months old); the page sends
    her to the hosted UI and back to the same view, the code gone from the address."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PUBLIC_API_URL", api_url)
        settings.cache_clear()
        built = digest.build(DAY, report_settings(), Scope(district=area["D1"]))
        link = digest_mail.page_link(built)
    settings.cache_clear()
    assert link == f"{api_url}/dashboard?date={DAY.isoformat()}&district={area['D1']}"
    page = open_page(viewport=WIDE, mobile=False).page
    page.goto(link)
    page.wait_for_selector("#signin-hosted:visible")
    assert page.locator("#signin-token").is_hidden(), "no token to paste"
    screenshots.take(page, "1-sign-in-1280x800")
    page.click("#signin-hosted")
    page.wait_for_selector('[data-figure="mtd-gmv_paise"]')
    assert (len(hosted.exchanged), hosted.refusals) == (1, [])
    assert urlsplit(page.url).query == f"district={area['D1']}&date={DAY.isoformat()}"
    assert page.get_attribute("[data-scope]", "data-scope") == f"{area['D1']}/"
    assert _figure(page, "day-gmv_paise") == 320_000
    screenshots.take(page, "2-signed-in-1280x800")

    page.click("#signout")
    page.goto(f"{api_url}/dashboard?code={hosted.exchanged[0]}&state=forged")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message") == "Sign-in did not finish. Try again."
    assert "code=" not in page.url


def test_a_district_coordinator_sees_her_district_by_name_with_the_digest_figures(
    api_url: str, open_page: Any, screenshots: Screenshots, area: dict[str, str], digest_json: dict[str, Any]
) -> None:
    page = _signed_in(open_page, api_url, _coordinator(area), WIDE).page
    for period in ("day", "mtd"):
        row = _row(digest_json, period, area["D1"])
        assert {name: _figure(page, f"{period}-{name}") for name in FIGURES} == {
            name: row[name] for name in FIGURES
        }
    scoped = json.loads(digest.to_json(digest.build(DAY, report_settings(), Scope(district=area["D1"]))))
    for channel, figures in scoped["summary"]["mtd"]["by_channel"].items():
        if figures["orders"]:
            assert _figure(page, f"channel-{channel}-gmv_paise") == figures["gmv_paise"], channel
    # By hand: today 2,400 + 800; yesterday 2,500 (cancelled today); month 2,400 + 2,500 + 800 + 900.
    assert _figure(page, "day-gmv_paise") == 320_000
    assert _figure(page, "prev-gmv_paise") == 250_000
    assert _figure(page, "mtd-gmv_paise") == 660_000
    assert _figure(page, "mtd-cancellations") == 1
    assert _figure(page, "channel-haat-gmv_paise") == 170_000
    assert _figure(page, "outlet-SARAS-DELHI-gmv_paise") == 80_000
    assert _figure(page, "craft-namda-gmv_paise") == 80_000

    text = page.inner_text("#view")
    assert area["D2"] not in text
    assert "Zoon SHG" not in text
    assert "Mehmooda" not in text
    for name in ("Flipkart", "Amazon", "Pashmina shawl", "Sozani embroidery", "Willow wicker", "Chadoora"):
        assert name in text, name
    late = page.inner_text("#late")
    assert f"LATE-{area['u']}" in late
    assert f"LATE-B-{area['u']}" not in late
    assert "Al-Noor Mahila SHG" in late
    assert "Shameema A." in late
    assert re.search(r"\b(29\.9|30\.0|30\.1)\b", late), late
    assert re.search(r"Rubeena J\. \(escalation, sent\)", late), late
    assert page.get_attribute("[data-lakhpati]", "data-lakhpati") == "0"
    assert "Shameema A. · Al-Noor Mahila SHG" in page.inner_html("#view")  # Lakhpati chart: 92% of a lakh
    shameema = f"A-{area['u']}-M01"  # LK: delivered (expected) and paid (received) 92,000 in May
    assert (
        _figure(page, f"lakhpati-{shameema}") == _figure(page, f"lakhpati-{shameema}-expected") == 92_000_00
    )
    assert "Blurred" in page.inner_html("#view")
    assert "Too dark" in page.inner_html("#view")
    assert "channel poll" not in text.lower(), "seller accounts are the mission's"
    _no_phone_numbers(page.content())
    assert page.locator("svg").count() >= 5
    assert audit.problems(page) == []
    screenshots.take(page, "district-1280x800-en", full_page=True)

    page.click("a[data-drill]:text('Chadoora')")
    page.wait_for_selector(f"tr[data-area='{area['A']}']")
    assert "Al-Noor Mahila SHG" in page.inner_text(f"tr[data-area='{area['A']}']")
    assert "Gulshan SHG" not in page.inner_text("#view")
    assert _figure(page, f"area-{area['A']}-mtd-gmv_paise") == 490_000
    screenshots.take(page, "block-1280x800-en", full_page=True)
    page.emulate_media(media="print")
    screenshots.take(page, "block-print", full_page=True)
    assert page.locator(".bar").is_hidden()
    page.emulate_media(media="screen")

    page.click(f".crumbs a:text('{area['D1']}')")
    page.wait_for_selector(f"tr[data-area='{area['D1']}/Khansahib']")
    page.click("button[data-lang=hi]")
    page.wait_for_function("() => (document.body.dataset.loaded || '').includes('lang=hi')")
    assert "इस महीने" in page.inner_text("#view")
    assert "नमदा" in page.inner_text("#view")
    screenshots.take(page, "district-1280x800-hi", full_page=True)


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_on_a_phone(
    api_url: str, open_page: Any, screenshots: Screenshots, area: dict[str, str], lang: str
) -> None:
    visit = open_page(viewport=PHONE_SIZE, mobile=True, locale="hi-IN" if lang == "hi" else "en-IN")
    page = visit.page
    page.goto(f"{api_url}/dashboard?date={DAY.isoformat()}&lang={lang}#token={_coordinator(area)}")
    page.wait_for_selector('[data-figure="mtd-gmv_paise"]')
    assert page.evaluate("() => document.documentElement.lang") == lang
    screenshots.take(page, f"district-412x900-{lang}")
    screenshots.take(page, f"district-412x900-{lang}-whole", full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_SIZE[0]
    assert audit.problems(page) == []
    page.locator("#late").scroll_into_view_if_needed()
    screenshots.take(page, f"late-412x900-{lang}")


def test_a_mission_admin_drills_from_the_mission_to_an_shg_and_sees_the_failed_polls(
    api_url: str, open_page: Any, screenshots: Screenshots, area: dict[str, str]
) -> None:
    admin = issue_local_token("ceo", Role.MISSION_ADMIN)
    page = _signed_in(open_page, api_url, admin, WIDE).page
    assert _figure(page, f"poll-{area['account']}") == 1
    assert page.get_attribute("[data-scope]", "data-scope") == "/"
    screenshots.take(page, "mission-1280x800", full_page=True)
    page.click(f"a[data-drill]:text('{area['D2']}')")
    page.wait_for_selector(f"tr[data-area='{area['D2']}/Handwara']")
    page.click("a[data-drill]:text('Handwara')")
    page.wait_for_selector(f"tr[data-area='{area['B']}']")
    assert "Zoon SHG" in page.inner_text(f"tr[data-area='{area['B']}']")
    assert _figure(page, f"area-{area['B']}-mtd-gmv_paise") == 990_000
    assert "Whole mission" in page.inner_text(".crumbs")
    screenshots.take(page, "shg-level-1280x800")


def test_another_district_is_refused(api_url: str, open_page: Any, area: dict[str, str]) -> None:
    visit: PageVisit = open_page(viewport=WIDE, mobile=False)
    visit.page.goto(f"{api_url}/dashboard?district={area['D2']}#token={_coordinator(area)}")
    visit.page.wait_for_selector("#message:not([hidden])")
    assert "outside your area" in visit.page.inner_text("#message")
    assert "Zoon" not in visit.page.inner_text("body")


def test_the_local_stack_signs_in_with_a_pasted_token(
    api_url: str, open_page: Any, area: dict[str, str], local_aws: stack.LocalAws
) -> None:
    """Without a hosted UI (the local stack), the token `make demo` prints is pasted instead."""
    page = open_page(viewport=WIDE, mobile=False).page
    page.goto(f"{api_url}/dashboard?date={DAY.isoformat()}")
    page.fill("#token", _coordinator(area))
    page.click("#signin-token button[type=submit]")
    page.wait_for_selector('[data-figure="mtd-gmv_paise"]')
    assert "token=" not in page.url
