"""`on_photo_uploaded` under faults in S3 and DynamoDB: after SQS redelivery (and a redrive when an
outage outlasts maxReceiveCount) each upload has one record and its renditions, the digest counts
each verdict and new listing once, and the resource person is told about a rejection once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from chalicelib import aws
from chalicelib.calendar import business_date
from chalicelib.catalogue import repository
from chalicelib.catalogue.quality import Verdict
from chalicelib.config import settings
from haat_tools.local.fault_proxy import Fault, Kind
from tests import photo_corpus
from tests.faults import world
from tests.faults.conftest import Scenario

PHOTOS = "on_photo_uploaded"
GOOD_PHOTO = photo_corpus.encode(photo_corpus.product_photo(1000, 800, seed=7), quality=85)


def _upload(scenario: Scenario) -> world.World:
    with scenario.plan.suspended():
        w = world.make_world(scenario.unique)
        prefix = f"uploads/{w.shg.shg_id}/{w.product.product_id}"
        s3 = aws.client("s3")
        s3.put_object(Bucket=settings().UPLOADS_BUCKET, Key=f"{prefix}/front.jpg", Body=GOOD_PHOTO)
        s3.put_object(Bucket=settings().UPLOADS_BUCKET, Key=f"{prefix}/blank.jpg", Body=b"not an image")
    return w


def _check(scenario: Scenario, w: world.World, now: float) -> None:
    records = {record.file_name: record for record in repository.photos_of(w.product.product_id)}
    assert sorted(records) == ["blank.jpg", "front.jpg"], "a photo was lost or recorded twice"
    assert records["front.jpg"].verdict in {Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS}
    assert records["blank.jpg"].verdict is Verdict.REJECTED
    for rendition in records["front.jpg"].renditions:
        aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=rendition.key)
    figures = world.counters(business_date(datetime.now(UTC)).isoformat(), w.shg.shg_id)
    assert {k: figures.get(k, 0) for k in ("photos_checked", "photos_rejected", "new_listings")} == {
        "photos_checked": 2,
        "photos_rejected": 1,
        "new_listings": 2,  # ready on haat and flipkart, the channels it is listed on
    }
    assert figures["reason_not_an_image"] == 1
    blank = records["blank.jpg"]
    notice = f"photo_rejected:{blank.file_id}:{blank.version_id}:{w.resource_person.member_id}"
    world.deliver_until_settled(scenario.app, now, [notice])
    assert world.assert_sms_once(scenario.sms, w, [notice]) == {notice: "sent"}
    assert not world.dead_letters(PHOTOS)


# Calls per upload: GetItem (its record), GetObject, Query (near duplicates), PutObject (renditions),
# Query + PutItem (rejection notice), PutItem (record), GetItem (product, SHG), TransactWriteItems (its
# verdict counted), then readiness: GetItem, Query, TransactWriteItems (a new listing), PutItem.
CASES = {
    "upload-read-throttled-beyond-retries": [Fault("s3", "GetObject", Kind.THROTTLE, times=6)],
    "rendition-write-5xx-beyond-retries": [Fault("s3", "PutObject", Kind.ERROR, times=6)],
    "record-written-answer-lost": [Fault("dynamodb", "PutItem", Kind.DROP)],
    "verdict-count-throttled-beyond-retries": [
        Fault("dynamodb", "TransactWriteItems", Kind.THROTTLE, times=6)
    ],
    "verdict-count-answer-lost": [Fault("dynamodb", "TransactWriteItems", Kind.DROP)],
    "listing-count-throttled-beyond-retries": [
        Fault("dynamodb", "TransactWriteItems", Kind.THROTTLE, at=2, times=6)
    ],
    "readiness-write-5xx-beyond-retries": [Fault("dynamodb", "PutItem", Kind.ERROR, at=2, times=6)],
    "slow-reads": [Fault("dynamodb", "GetItem", Kind.LATENCY, times=3, seconds=0.2)],
}


@pytest.mark.parametrize("faults", CASES.values(), ids=CASES.keys())
def test_each_upload_once_each_count_once(scenario: Scenario, faults: list[Fault]) -> None:
    w = _upload(scenario)
    now = time.time()
    scenario.plan.add(*faults)
    world.poll_queue(scenario.app, PHOTOS)
    assert scenario.plan.injected, "the fault never hit"
    scenario.plan.clear()
    _check(scenario, w, now)


def test_an_s3_outage_parks_uploads_in_the_dlq_and_a_redrive_restores_them(scenario: Scenario) -> None:
    w = _upload(scenario)
    now = time.time()
    scenario.plan.add(Fault("s3", "GetObject", Kind.ERROR, times=10_000))
    world.poll_queue(scenario.app, PHOTOS)
    assert len(world.dead_letters(PHOTOS)) == 2
    scenario.plan.clear()
    assert world.redrive(scenario.app, PHOTOS, scenario.plan) == 2
    _check(scenario, w, now)
