"""Logs carry no personal data, and every handler emits EMF metrics (captured from real runs)."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import uuid
from typing import Any

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.observability import logger
from haat_tools import operator
from haat_tools.local import connectors_demo, demo, runner, stack
from haat_tools.local.session import Session
from tests import photo_corpus

PHONE = re.compile(r"\+?91[\s-]?\d{10}|\b[6-9]\d{9}\b")
FUNCTIONS_WITH_METRICS = (
    "on_registry_import",
    "on_photo_uploaded",
    "api_handler",
    "poll_channels",
    "on_order_events",
    "dispatch_sweep",
    "deliver_notifications",
    "daily_digest",
)


def _emf(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]
    return [line for line in lines if line["_aws"].get("CloudWatchMetrics")]


def _run_pipeline(
    app: Chalice, api_url: str, endpoint: str, capfd: pytest.CaptureFixture[str], log_lines: io.StringIO
) -> dict[str, str]:
    """What each function printed (logs and EMF) while the whole pipeline ran once."""
    session = Session(app, api_url, endpoint, shared=False)
    printed: dict[str, str] = {}

    def step(function: str) -> None:
        captured = capfd.readouterr()
        printed[function] = captured.out + captured.err + log_lines.getvalue()
        log_lines.seek(0)
        log_lines.truncate()

    capfd.readouterr()
    demo.seed_registry()
    step("on_registry_import")
    demo.upload_sample_photos(demo.DemoReport())
    # Earlier tests may have judged the sample photos already (a redelivery emits nothing): one new photo.
    fresh = photo_corpus.encode(photo_corpus.product_photo(seed=int(uuid.uuid4().int % 10_000)))
    aws.client("s3").put_object(
        Bucket=settings().UPLOADS_BUCKET,
        Key=f"uploads/JK-SGR-0001/P-SGR-PM-02/{uuid.uuid4().hex}.jpg",
        Body=fresh,
    )
    capfd.readouterr()
    runner.drain(app, runner.binding("on_photo_uploaded"))
    step("on_photo_uploaded")
    for channel, name in (("haat", "haat_bill_placed.json"), ("ondc", "ondc_on_confirm.json")):
        payload = json.loads((demo.EVENTS_DIR / "orders" / name).read_text())
        operator.send(api_url, operator.Line(1, channel, payload))
    step("api_handler")
    connectors_demo.poll_flipkart_stand_in(session)
    step("poll_channels")
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=(demo.EVENTS_DIR / "orders" / "amazon_order_change.json").read_text(),
        MessageAttributes={"channel": {"DataType": "String", "StringValue": "amazon"}},
    )
    capfd.readouterr()
    runner.drain(app, runner.binding("on_order_events"))
    step("on_order_events")
    for function in ("dispatch_sweep", "deliver_notifications", "daily_digest"):
        runner.fire(app, function)
        step(function)
    return printed


def test_handlers_emit_metrics_and_log_no_personal_data(
    app: Chalice,
    api_url: str,
    local_aws: stack.LocalAws,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    # The lines exactly as Lambda prints them (Powertools' formatter), at every level.
    log_lines = io.StringIO()
    handler = logging.StreamHandler(log_lines)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel("DEBUG")
    try:
        outputs = _run_pipeline(app, api_url, local_aws.endpoint, capfd, log_lines)
    finally:
        logger.setLevel(level)
        logger.removeHandler(handler)

    for function in FUNCTIONS_WITH_METRICS:
        metrics = _emf(outputs[function])
        assert metrics, f"{function} emitted no EMF metrics"
        assert all(m["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Haat" for m in metrics)

    people = [
        (row.get("Member Name") or row["Artisan Name"], f"+91{row['Mobile No']}")
        for name in ("members.csv", "artisans.csv")
        for row in csv.DictReader(
            (demo.SAMPLES_DIR / "registry" / name).read_text(encoding="utf-8").splitlines()
        )
    ]
    flipkart = json.loads((connectors_demo.FLIPKART_SAMPLES / "shipment_details_response.json").read_text())
    everything = "\n".join(outputs.values())
    assert "dispatch sweep" in everything  # the handlers did log
    log_lines = [line for line in everything.splitlines() if not line.startswith('{"_aws"')]
    assert not PHONE.findall("\n".join(log_lines))
    for name, phone in people:
        assert phone not in everything
        assert name not in everything
    for shipment in flipkart["shipments"]:
        address = shipment["deliveryAddress"]
        for field in ("lastName", "addressLine1", "contactNumber"):
            if address.get(field):
                assert str(address[field]) not in everything, field
