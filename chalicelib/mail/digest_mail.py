"""The morning digest e-mail: headline figures in English and Hindi and a signed link to the page.

Sent with SES SendEmail (text and HTML parts); the sender identity is verified per stage
(infra/resources.yaml; the local stack verifies it in moto). One official's failure (a bounced
or refused address) is logged and counted, and the rest still get theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.mail import links
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
        (f"GMV this month on {channel}", f"{channel} पर इस महीने की बिक्री", rupees(f["gmv_paise"]))
        for channel, f in by_channel.items()
        if f["orders"] or f["gmv_paise"]
    ]
    return figures


def scope_words(scope: Scope) -> tuple[str, str]:
    if scope.block:
        return (
            f"block {scope.block}, district {scope.district}",
            f"{HINDI_SCOPE['block']} {scope.block}, {HINDI_SCOPE['district']} {scope.district}",
        )
    if scope.district:
        return f"district {scope.district}", f"{HINDI_SCOPE['district']} {scope.district}"
    return "the whole mission", HINDI_SCOPE["mission"]


def compose(digest: Digest, link: str) -> Message:
    day = digest.report_date.strftime("%d %b %Y")
    english_scope, hindi_scope = scope_words(digest.scope)
    figures = headline(digest)
    subject = f"Haat digest {day}: {english_scope} / हाट सारांश"
    days = links.LINK_DAYS
    text = "\n".join(
        [
            f"Haat daily digest for {day} (IST), {english_scope}.",
            "",
            *(f"{en}: {value}" for en, _, value in figures),
            "",
            f"The full page (charts, districts, late orders; valid {days} days): {link}",
            "",
            f"हाट दैनिक सारांश, {day} (IST), {hindi_scope}।",
            "",
            *(f"{hi}: {value}" for _, hi, value in figures),
            "",
            f"पूरा पेज ({days} दिन तक मान्य): {link}",
            "",
        ]
    )
    rows = "".join(
        f"<tr><td>{escape(en)}: <b>{escape(value)}</b><br>"
        f'<span lang="hi">{escape(hi)}: <b>{escape(value)}</b></span></td></tr>'
        for en, hi, value in figures
    )
    html = (
        '<!doctype html><html><body style="font-family:sans-serif;color:#1d2330">'
        f"<h2>Haat daily digest · हाट दैनिक सारांश</h2><p>{escape(day)} (IST) · {escape(english_scope)}"
        f" · {escape(hindi_scope)}</p>"
        f'<table cellpadding="6" style="border-collapse:collapse">{rows}</table>'
        f'<p><a href="{escape(link)}">Open the full page · पूरा पेज खोलें</a> '
        f"(valid {days} days · {days} दिन तक मान्य)</p></body></html>"
    )
    return Message(subject=subject, text=text, html=html)


def page_link(digest: Digest, now: datetime) -> str:
    token = links.sign(digest.report_date, digest.scope, now)
    return f"{settings().PUBLIC_API_URL.rstrip('/')}/dashboard/shared/{token}"


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


def deliver(subscriptions: list[Subscription], digest_for: Any, now: datetime) -> dict[str, int]:
    """E-mail each subscription its scope's digest (`digest_for(scope)` builds it, once per scope)."""
    built: dict[Scope, Digest] = {}
    sent = failed = 0
    for subscription in subscriptions:
        scope = subscription.scope
        try:
            if scope not in built:
                built[scope] = digest_for(scope)
            digest = built[scope]
            send(subscription, compose(digest, page_link(digest, now)))
            sent += 1
        except (ClientError, ValueError):  # one refused address never stops the others
            failed += 1
            logger.exception("digest e-mail not sent", extra={"scope": scope.describe()})
    return {"emails_sent": sent, "emails_failed": failed, "scopes": len(built)}
