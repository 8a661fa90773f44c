"""The morning digest e-mail: headline figures in English and Hindi, the scope's districts, blocks or
SHGs by name, and a link to the dashboard page of that scope and day (she signs in there).

Sent with SES SendEmail (text and HTML parts); the sender identity is verified per stage
(infra/resources.yaml; the local stack verifies it in moto). One official's failure (a bounced
or refused address) is logged and counted, and the rest still get theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dashboard import names
from chalicelib.mail.subscriptions import Subscription
from chalicelib.observability import logger
from chalicelib.reports.digest import Digest, Scope
from chalicelib.reports.page import rupees

HINDI_SCOPE = {"mission": "पूरा मिशन", "district": "ज़िला", "block": "ब्लॉक"}


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


AREAS_LISTED = 10


def areas(digest: Digest) -> list[tuple[str, str, str]]:
    """(English name, Hindi name, "GMV (orders)") of the scope's districts, blocks or SHGs this
    month, by GMV: the areas a coordinator reads the figures by, named as she knows them."""
    dimension = "shg" if digest.scope.block else ("block" if digest.scope.district else "district")
    rows = sorted(
        (r for r in digest.rows if r.period == "mtd" and r.dimension == dimension and r.counters["orders"]),
        key=lambda r: (-r.counters["gmv_paise"], r.key),
    )[:AREAS_LISTED]
    shgs = names.directory([r.key for r in rows], []) if dimension == "shg" else names.Directory()
    listed = []
    for row in rows:
        figures = f"{rupees(row.counters['gmv_paise'])} ({row.counters['orders']})"
        if dimension == "district":
            listed.append((row.key, names.district(row.key, "hi"), figures))
        else:
            name = shgs.shg(row.key) if dimension == "shg" else row.labels.get("block") or row.key
            listed.append((name, name, figures))
    return listed


def headline(digest: Digest) -> list[tuple[str, str, str]]:
    """(English label, Hindi label, value) of each headline figure."""
    day, mtd = digest.summary("day")["totals"], digest.summary("mtd")["totals"]
    by_channel = digest.summary("mtd")["by_channel"]
    figures = [
        ("Orders yesterday", "कल के ऑर्डर", str(day["orders"])),
        ("GMV yesterday", "कल की बिक्री (GMV)", rupees(day["gmv_paise"])),
        ("Orders this month", "इस महीने के ऑर्डर", str(mtd["orders"])),
        ("GMV this month", "इस महीने की बिक्री (GMV)", rupees(mtd["gmv_paise"])),
        ("Cancellations this month", "इस महीने रद्द", str(mtd["cancellations"])),
        ("Returns this month", "इस महीने वापसी", str(mtd["returns"])),
        ("Late dispatches this month", "इस महीने देर से भेजे गए", str(mtd["sla_breaches"])),
        ("Paid out by channels this month", "इस महीने चैनलों से भुगतान", rupees(mtd["payout_paise"])),
        ("Lakhpati Didis", "लखपति दीदी", str(len(digest.lakhpati))),
    ]
    figures += [
        (
            f"GMV this month on {names.channel(channel)}",
            f"{names.channel(channel, 'hi')} पर इस महीने की बिक्री",
            rupees(f["gmv_paise"]),
        )
        for channel, f in by_channel.items()
        if f["orders"] or f["gmv_paise"]
    ]
    return figures


def scope_words(scope: Scope) -> tuple[str, str]:
    hindi_district = names.district(scope.district, "hi")
    if scope.block:
        return (
            f"block {scope.block}, district {scope.district}",
            f"{HINDI_SCOPE['block']} {scope.block}, {HINDI_SCOPE['district']} {hindi_district}",
        )
    if scope.district:
        return f"district {scope.district}", f"{HINDI_SCOPE['district']} {hindi_district}"
    return "the whole mission", HINDI_SCOPE["mission"]


AREA_TITLES = {
    "district": ("Districts this month, GMV (orders)", "ज़िले, इस महीने की बिक्री (ऑर्डर)"),
    "block": ("Blocks this month, GMV (orders)", "ब्लॉक, इस महीने की बिक्री (ऑर्डर)"),
    "shg": ("Self-Help Groups this month, GMV (orders)", "स्वयं सहायता समूह, इस महीने की बिक्री (ऑर्डर)"),
}


def _area_title(scope: Scope) -> tuple[str, str]:
    return AREA_TITLES["shg" if scope.block else ("block" if scope.district else "district")]


def compose(digest: Digest, link: str) -> Message:
    day, hindi_day = names.day(digest.report_date), names.day(digest.report_date, "hi")
    english_scope, hindi_scope = scope_words(digest.scope)
    figures, listed = headline(digest), areas(digest)
    english_areas, hindi_areas = _area_title(digest.scope)
    subject = f"Haat digest {day}: {english_scope} / हाट सारांश"
    text = "\n".join(
        [
            f"Haat daily digest for {day} (IST), {english_scope}.",
            "",
            *(f"{en}: {value}" for en, _, value in figures),
            *([f"\n{english_areas}:", *(f"- {en}: {value}" for en, _, value in listed)] if listed else []),
            "",
            f"The full page (charts, SHGs, late orders now; sign in with your Haat account): {link}",
            "",
            f"हाट दैनिक सारांश, {hindi_day} (IST), {hindi_scope}।",
            "",
            *(f"{hi}: {value}" for _, hi, value in figures),
            *([f"\n{hindi_areas}:", *(f"- {hi}: {value}" for _, hi, value in listed)] if listed else []),
            "",
            f"पूरा पेज (अपने हाट खाते से साइन इन करें): {link}",
            "",
        ]
    )
    rows = "".join(
        f"<tr><td>{escape(en)}: <b>{escape(value)}</b><br>"
        f'<span lang="hi">{escape(hi)}: <b>{escape(value)}</b></span></td></tr>'
        for en, hi, value in figures
    )
    area_rows = "".join(
        f"<tr><td>{escape(en if hi == en else f'{en} · {hi}')}</td><td><b>{escape(value)}</b></td></tr>"
        for en, hi, value in listed
    )
    area_table = (
        f"<h3>{escape(english_areas)} · <span lang='hi'>{escape(hindi_areas)}</span></h3>"
        f'<table cellpadding="6" style="border-collapse:collapse">{area_rows}</table>'
        if listed
        else ""
    )
    html = (
        '<!doctype html><html><body style="font-family:sans-serif;color:#1d2330">'
        f"<h2>Haat daily digest · हाट दैनिक सारांश</h2><p>{escape(day)} (IST) · {escape(english_scope)}"
        f" · {escape(hindi_scope)}</p>"
        f'<table cellpadding="6" style="border-collapse:collapse">{rows}</table>{area_table}'
        f'<p><a href="{escape(link)}">Open the full page · पूरा पेज खोलें</a> '
        "(sign in with your Haat account · अपने हाट खाते से साइन इन करें)</p></body></html>"
    )
    return Message(subject=subject, text=text, html=html)


def page_link(digest: Digest) -> str:
    """The dashboard of the digest's scope and day: a plain address (it never expires; she signs in
    there, and the page shows only what her account may see)."""
    scope = digest.scope
    query = {"date": digest.report_date.isoformat(), "district": scope.district, "block": scope.block}
    address = urlencode({name: value for name, value in query.items() if value})
    return f"{settings().PUBLIC_API_URL.rstrip('/')}/dashboard?{address}"


def send(subscription: Subscription, message: Message) -> str:
    """Send one e-mail through SES; its MessageId."""
    response: dict[str, Any] = aws.client("ses").send_email(
        Source=settings().DIGEST_SENDER,
        Destination={"ToAddresses": [subscription.email]},
        Message={
            "Subject": {"Data": message.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": message.text, "Charset": "UTF-8"},
                "Html": {"Data": message.html, "Charset": "UTF-8"},
            },
        },
    )
    return str(response["MessageId"])


def deliver(subscriptions: list[Subscription], digest_for: Any) -> dict[str, int]:
    """E-mail each subscription its scope's digest (`digest_for(scope)` builds it, once per scope)."""
    built: dict[Scope, Digest] = {}
    sent = failed = 0
    for subscription in subscriptions:
        scope = subscription.scope
        try:
            if scope not in built:
                built[scope] = digest_for(scope)
            digest = built[scope]
            send(subscription, compose(digest, page_link(digest)))
            sent += 1
        except (ClientError, ValueError):  # one refused address never stops the others
            failed += 1
            logger.exception("digest e-mail not sent", extra={"scope": scope.describe()})
    return {"emails_sent": sent, "emails_failed": failed, "scopes": len(built)}
