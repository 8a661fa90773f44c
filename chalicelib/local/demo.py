"""`make demo`: the whole pipeline on sample photos and orders, read back from the local AWS."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.local import runner, stack
from chalicelib.local.session import Session
from chalicelib.orders import operator
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Registry

SAMPLES_DIR = stack.PROJECT_DIR / "samples"
EVENTS_DIR = stack.PROJECT_DIR / "events"


@dataclass
class DemoReport:
    seeded: dict[str, int] = field(default_factory=dict)
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, step: str, outcome: str, detail: str = "") -> None:
        self.rows.append((step, outcome, detail))


def seed_registry(path: Path = SAMPLES_DIR / "registry.json") -> dict[str, int]:
    return registry.seed(Registry.model_validate_json(path.read_text()))


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
        {"channel": channel, "payload": json.loads((EVENTS_DIR / "orders" / name).read_text())}
        for channel, name in DEMO_ORDER_EVENTS
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


def run(session: Session) -> DemoReport:
    report = DemoReport()
    report.seeded = seed_registry()
    photo_keys = upload_sample_photos(report)
    send_sample_orders(session, report)
    runner.drain_all(session.app)
    sweep = runner.fire(session.app, "dispatch_sweep")
    digest = runner.fire(session.app, "daily_digest")

    catalogue = aws.table(settings().CATALOGUE_TABLE)
    for key in photo_keys:
        product_id = key.split("/")[2]
        items = catalogue.query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
            ExpressionAttributeValues={":pk": f"PRODUCT#{product_id}", ":sk": f"UPLOAD#{key}#"},
        )["Items"]
        report.add("photo", items[0]["status"] if items else "MISSING", key)
    report.add("dispatch sweep", "ran", json.dumps(sweep))
    head = aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=digest["report_key"])
    report.add(
        "daily digest",
        "written",
        f"s3://{settings().MEDIA_BUCKET}/{digest['report_key']} ({head['ContentLength']} bytes)",
    )
    return report
