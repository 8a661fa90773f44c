"""`make demo`: the whole pipeline on sample photos and orders, read back from the local AWS."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from haat_tools import operator
from haat_tools import registry as registry_files
from haat_tools.local import connectors_demo, runner, stack
from haat_tools.local.session import Session

SAMPLES_DIR = stack.PROJECT_DIR / "samples"
EVENTS_DIR = stack.PROJECT_DIR / "events"
# The sample resource person the upload page signs in as (Srinagar SHG, two products).
DEMO_UPLOADER_SHG = "JK-SGR-0001"
DEMO_TOKEN_HOURS = 12


@dataclass
class DemoReport:
    seeded: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str, detail: str = "") -> None:
        self.rows.append((step, outcome, detail))


def seed_registry() -> dict[str, int]:
    """Import samples/registry/ through the registry import path; rows applied per kind of file."""
    app = runner.load_app()
    binding = runner.binding("on_registry_import")
    reports = registry_files.import_samples(lambda: runner.drain(app, binding).invocations)
    return {
        str(report.record.kind): report.record.rows - report.record.invalid - report.record.rejected
        for report in reports
    }


def upload_sample_photos(report: DemoReport) -> list[str]:
    """Upload samples/photos/{product_id}/{file} to uploads/{shg_id}/{product_id}/{file}."""
    keys = []
    s3 = aws.client("s3")
    for path in sorted((SAMPLES_DIR / "photos").glob("*/*")):
        product = registry.get_product(path.parent.name)
        if product is None:
            report.add("photo", "skipped", f"{path.name}: unknown product {path.parent.name}")
            continue
        key = f"uploads/{product.shg_id}/{product.product_id}/{path.name}"
        s3.put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=path.read_bytes())
        keys.append(key)
    return keys


# Sample order events in arrival order: each channel's sample, a duplicate Amazon delivery, a
# cancellation, and a mela order larger than the stock left (an oversell alert to the coordinator).
DEMO_ORDER_EVENTS = (
    ("haat", "haat_bill_placed.json"),
    ("ondc", "ondc_on_confirm.json"),
    ("ondc", "ondc_on_status_packed.json"),
    ("amazon", "amazon_order_change.json"),
    ("amazon", "amazon_order_change.json"),
    ("amazon", "amazon_order_cancelled.json"),
    ("haat", "haat_bill_mela_bulk.json"),
)


def send_sample_orders(session: Session, report: DemoReport) -> None:
    """Send the sample orders the way each channel does (signed webhooks; Amazon via the queue)."""
    events = [
        operator.Line(number, channel, json.loads((EVENTS_DIR / "orders" / name).read_text()))
        for number, (channel, name) in enumerate(DEMO_ORDER_EVENTS, start=1)
    ]
    orders_binding = runner.binding("on_order_events")
    process = None if session.shared else (lambda: runner.drain(session.app, orders_binding))
    for result in operator.send_all(session.api_url, events, process):
        detail = f"{result['channel']} {result.get('order', '')} {result.get('status') or ''}".rstrip()
        reason = result.get("reason") or result.get("result", "")
        report.add("order event", str(result["outcome"]), f"{detail} ({reason})" if reason else detail)
        for sms in result.get("notifications", []):
            report.add(
                f"sms {sms['language'] or '?'}", str(sms["state"]), str(sms["text"] or sms["notification_id"])
            )


def _current_photo(api_url: str, key: str) -> dict[str, Any] | None:
    """The current version of an upload, read back through GET /products/{id}/photos."""
    request = urllib.request.Request(f"{api_url}/products/{quote(key.split('/')[2])}/photos")
    request.add_header("Authorization", f"Bearer {issue_local_token('demo', Role.MISSION_ADMIN)}")
    with urllib.request.urlopen(request, timeout=30) as response:
        photos: list[dict[str, Any]] = json.loads(response.read())["photos"]
    return next((p for p in photos if p["key"] == key and p["current"]), None)


def run(session: Session) -> DemoReport:
    report = DemoReport()
    report.seeded = seed_registry()
    photo_keys = upload_sample_photos(report)
    send_sample_orders(session, report)
    flipkart_orders, poll = connectors_demo.poll_flipkart_stand_in(session)
    report.add("flipkart poll", "ran", json.dumps(poll["flipkart"]))
    meesho_orders, imported = connectors_demo.import_meesho_sample(session)
    report.add("meesho import", "ran", f"{imported['valid']} valid, {imported['invalid']} invalid rows")
    runner.drain_all(session.app)
    for expected in (*flipkart_orders, *meesho_orders[:1]):
        report.add("channel order", *connectors_demo.arrival(expected))
    sweep = runner.fire(session.app, "dispatch_sweep")
    delivered = runner.fire(session.app, "deliver_notifications")
    # Fired as at the next 08:00 IST, so the digest covers today's demo activity.
    digest_at = runner.next_fire(runner.schedules(session.app)["daily_digest"], datetime.now(UTC))
    digest = runner.fire(session.app, "daily_digest", digest_at)

    for key in photo_keys:
        photo = _current_photo(session.api_url, key)
        if photo is None:
            report.add("photo", "MISSING", key)
            continue
        reasons = "; ".join(reason["en"] for reason in photo["reasons"]) or "marketplace-ready"
        report.add("photo", photo["verdict"], f"{key}: {reasons}")
    report.add("dispatch sweep", "ran", json.dumps(sweep, sort_keys=True))
    report.add("notifications", "delivered", json.dumps(delivered, sort_keys=True))
    for name in ("digest_csv", "digest_json", "index_html"):
        head = aws.client("s3").head_object(Bucket=digest["bucket"], Key=digest[name])
        report.add(
            "daily digest",
            "written",
            f"s3://{digest['bucket']}/{digest[name]} "
            f"({head['ContentLength']} bytes, for {digest['report_date']})",
        )
    return report


def summary(report: DemoReport) -> dict[str, dict[str, int]]:
    """Outcome counts per kind of step: photos processed, order events, SMS, digest files."""
    kinds = {
        "photo": "photos",
        "order event": "order events",
        "channel order": "channel orders",
        "daily digest": "digest files",
    }
    counts: dict[str, dict[str, int]] = {}
    for step, outcome, _ in report.rows:
        kind = "sms" if step.startswith("sms") else kinds.get(step)
        if kind:
            counts.setdefault(kind, {})
            counts[kind][outcome] = counts[kind].get(outcome, 0) + 1
    return counts


def upload_page(session: Session) -> tuple[str, str]:
    """(URL, token) to try the upload page as a sample SHG's resource person (valid 12 hours)."""
    shg = registry.get_shg(DEMO_UPLOADER_SHG)
    token = issue_local_token(
        "demo-resource-person",
        Role.RESOURCE_PERSON,
        district=shg.district if shg else "",
        shg_ids=[DEMO_UPLOADER_SHG],
        ttl_s=DEMO_TOKEN_HOURS * 3600,
    )
    return f"{session.api_url}/upload", token
