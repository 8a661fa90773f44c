"""The catalogue photo pipeline, end to end: files are PUT into the local S3 uploads bucket, the
bucket notifies the photo-uploads queue, the runner delivers the messages to the real
`on_photo_uploaded`, and results are read back through `GET /products/{id}/photos`."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore import handlers
from chalice import Chalice
from chalice.test import Client
from PIL import Image, ImageStat

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from chalicelib.registry.models import (
    SHG,
    Channel,
    ChannelListing,
    CraftCategory,
    Language,
    Member,
    MemberRole,
    Product,
)
from chalicelib.reports.aggregates import day_pk
from haat_tools.local import runner
from tests import photo_corpus
from tests.http import get_json
from tests.photo_corpus import Case
from tests.registry_seed import register

PHOTOS = runner.binding("on_photo_uploaded")
CASES = photo_corpus.corpus()


def _upload(key: str, data: bytes) -> str:
    response = aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=data)
    return str(response.get("VersionId", "null"))


def _photos(api_url: str, product_id: str, token: str | None = None) -> tuple[int, dict[str, Any]]:
    status, body = get_json(
        f"{api_url}/products/{product_id}/photos", token or issue_local_token("qa", Role.MISSION_ADMIN)
    )
    return status, body


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


@pytest.fixture(scope="module")
def processed(app: Chalice, api_url: str) -> Iterator[dict[str, dict[str, Any]]]:
    """Every corpus case uploaded to a product of its own, delivered once, read back via the API."""
    products = {case.name: f"P-corpus-{case.name.replace('_', '-')}" for case in CASES}
    register("SHG-corpus", *products.values())
    for case in CASES:
        _upload(f"uploads/SHG-corpus/{products[case.name]}/{case.file_name}", case.data)
    result = runner.drain(app, PHOTOS)
    assert result.failed == 0
    views = {}
    for case in CASES:
        status, body = _photos(api_url, products[case.name])
        assert status == 200, body
        (views[case.name],) = body["photos"]
    return views


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_corpus_photo_gets_its_verdict(processed: dict[str, dict[str, Any]], case: Case) -> None:
    photo = processed[case.name]
    assert (photo["verdict"], tuple(photo["codes"])) == (case.verdict, case.codes)
    assert photo["file_name"] == case.file_name
    for reason in photo["reasons"]:
        assert set(reason) == {"en", "hi", "ur"}
        assert all(reason.values())
    if case.verdict == "rejected":
        assert photo["renditions"] == []
    else:
        assert [r["name"] for r in photo["renditions"]] == ["main", "listing", "thumb"]


@pytest.mark.parametrize("case", [c for c in CASES if c.verdict != "rejected"], ids=lambda c: c.name)
def test_renditions_are_square_clean_srgb_and_cacheable(
    processed: dict[str, dict[str, Any]], case: Case
) -> None:
    photo = processed[case.name]
    longest = max(photo["source"]["width"], photo["source"]["height"])
    expected = {"main": min(2000, longest), "listing": min(800, longest), "thumb": min(320, longest)}
    for rendition in photo["renditions"]:
        data = _fetch(rendition["url"])
        image = Image.open(io.BytesIO(data))
        assert image.size == (expected[rendition["name"]],) * 2
        assert image.mode == "RGB"
        assert image.format == {"image/jpeg": "JPEG", "image/webp": "WEBP"}[rendition["content_type"]]
        assert len(image.getexif()) == 0
        assert "xmp" not in image.info
        assert "exif" not in image.info
        assert b"PhoneCo" not in data
        assert b"xmpmeta" not in data
        head = aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=rendition["key"])
        assert head["ContentType"] == rendition["content_type"]
        assert "max-age=31536000" in head["CacheControl"]
        assert rendition["key"].startswith(f"photos/{rendition['name']}/")


def _listing(photo: dict[str, Any]) -> Image.Image:
    url = next(r["url"] for r in photo["renditions"] if r["name"] == "listing")
    return Image.open(io.BytesIO(_fetch(url))).convert("RGB")


def test_exif_orientation_is_applied(processed: dict[str, dict[str, Any]]) -> None:
    photo = processed["exif_orientation_6"]
    assert (photo["source"]["width"], photo["source"]["height"]) == (1200, 1600)
    listing = _listing(photo)
    # The stored top-left marker is top-right once turned upright; portrait -> white side bars.
    red, green, blue = listing.getpixel((680, 30))  # type: ignore[misc]
    assert red > 180
    assert green < 80
    assert blue < 80
    assert listing.getpixel((50, 400)) == (255, 255, 255)


def test_transparency_is_flattened_on_white_and_sixteen_bits_keep_their_tones(
    processed: dict[str, dict[str, Any]],
) -> None:
    assert _listing(processed["transparent_png"]).getpixel((400, 120)) == (255, 255, 255)
    grey = ImageStat.Stat(_listing(processed["png_16_bit"]).convert("L"))
    assert 100 < grey.mean[0] < 250  # 16-bit values scaled down, not clipped to white


def test_cmyk_and_heic_are_converted_to_rgb(processed: dict[str, dict[str, Any]]) -> None:
    assert processed["cmyk"]["source"]["format"] == "JPEG"
    assert processed["heic"]["source"]["format"] == "HEIF"
    good = _listing(processed["good"])
    for name in ("cmyk", "heic", "webp"):
        other = _listing(processed[name])
        centre = (400, 400)
        assert all(
            abs(a - b) < 40 for a, b in zip(good.getpixel(centre), other.getpixel(centre), strict=True)
        )  # type: ignore[arg-type]


def test_embedded_icc_profiles_are_converted_to_srgb(processed: dict[str, dict[str, Any]]) -> None:
    centre = (300, 300, 500, 500)
    plain = ImageStat.Stat(_listing(processed["good"]).crop(centre).convert("L")).mean[0]
    linear = ImageStat.Stat(_listing(processed["icc_linear_rgb"]).crop(centre).convert("L")).mean[0]
    assert linear > plain + 25  # linear-light values re-encoded for sRGB's gamma


def test_a_near_duplicate_is_flagged_and_kept(app: Chalice, api_url: str, unique: str) -> None:
    product = f"P-dup-{unique}"
    register(f"SHG-{unique}", product)
    photo = photo_corpus.product_photo(seed=7)
    _upload(f"uploads/SHG-{unique}/{product}/front.jpg", photo_corpus.encode(photo, quality=92))
    runner.drain(app, PHOTOS)
    again = photo_corpus.encode(photo.resize((1500, 1125)), quality=70)
    _upload(f"uploads/SHG-{unique}/{product}/front-again.jpg", again)
    runner.drain(app, PHOTOS)
    _, body = _photos(api_url, product)
    by_name = {p["file_name"]: p for p in body["photos"]}
    assert by_name["front.jpg"]["verdict"] == "accepted"
    assert by_name["front-again.jpg"]["verdict"] == "accepted_with_warnings"
    assert by_name["front-again.jpg"]["codes"] == ["near_duplicate"]
    assert by_name["front-again.jpg"]["duplicate_of"] == "front.jpg"
    assert len(by_name["front-again.jpg"]["renditions"]) == 3


def test_oversized_upload_is_rejected_before_download(
    app: Chalice, api_url: str, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "100000")
    settings.cache_clear()
    register(f"SHG-{unique}", f"P-big-{unique}")
    try:
        _upload(
            f"uploads/SHG-{unique}/P-big-{unique}/big.jpg", photo_corpus.encode(photo_corpus.product_photo())
        )
        runner.drain(app, PHOTOS)
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    _, body = _photos(api_url, f"P-big-{unique}")
    assert [(p["verdict"], p["codes"], p["source"]["format"]) for p in body["photos"]] == [
        ("rejected", ["file_too_large"], "")
    ]


def _seed(unique: str) -> tuple[str, str]:
    shg_id, product_id = f"SHG-{unique}", f"P-{unique}"
    shg = SHG(shg_id=shg_id, name="Test SHG", district="Budgam", block="B", village="V")
    registry.put_shg(shg)
    registry.put_member(
        Member(
            member_id=f"RP-{unique}",
            shg_id=shg_id,
            name="RP",
            phone="+919000000099",
            language=Language.URDU,
            role=MemberRole.RESOURCE_PERSON,
        )
    )
    registry.put_member(Member(member_id=f"AR-{unique}", shg_id=shg_id, name="AR", phone="+919000000098"))
    product = Product(
        product_id=product_id,
        shg_id=shg_id,
        sku=f"SKU-{unique}",
        craft=CraftCategory.PAPIER_MACHE,
        title="Papier-mache box",
        price_paise=150000,
        listings=[ChannelListing(channel=Channel.AMAZON, channel_sku=f"AMZ-{unique}")],
    )
    registry.put_product(product, shg)
    return shg_id, product_id


def _items(table: str, prefix: str) -> list[dict[str, Any]]:
    items = aws.table(table).scan()["Items"]  # tests may scan; the app never does
    return sorted((i for i in items if i["pk"].startswith(prefix)), key=lambda i: i["pk"])


def test_same_version_twice_changes_nothing_and_notifies_once(client: Client, unique: str) -> None:
    shg, product = _seed(unique)
    key = f"uploads/{shg}/{product}/dark box.jpg"
    _upload(key, photo_corpus.encode(photo_corpus.product_photo().point(lambda v: v // 9)))
    sqs = aws.client("sqs")
    url = aws.queue_url(settings().PHOTO_UPLOADS_QUEUE)
    (message,) = [
        m
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        if product in m["Body"]
    ]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    event = client.events.generate_sqs_event(message_bodies=[message["Body"]], queue_name=PHOTOS.function)

    assert client.lambda_.invoke("on_photo_uploaded", event).payload == {"batchItemFailures": []}
    records = _items(settings().CATALOGUE_TABLE, f"PRODUCT#{product}")
    notifications = _items(settings().OUTBOX_TABLE, "NOTIF#photo_rejected:")
    mine = [n for n in notifications if n["shg_id"] == shg]
    assert client.lambda_.invoke("on_photo_uploaded", event).payload == {"batchItemFailures": []}

    assert _items(settings().CATALOGUE_TABLE, f"PRODUCT#{product}") == records
    assert [n for n in _items(settings().OUTBOX_TABLE, "NOTIF#photo_rejected:") if n["shg_id"] == shg] == mine
    (notification,) = mine
    assert notification["member_id"] == f"RP-{unique}"
    assert notification["template"] == "photo_rejected"
    assert notification["variables"]["photo"] == "dark box.jpg"
    assert notification["variables"]["reason"]["ur"] == "اندھیری: دن کی روشنی میں لیں"  # too dark: daylight


def test_readiness_follows_the_current_version_of_a_photo(app: Chalice, api_url: str, unique: str) -> None:
    shg, product = _seed(unique)
    key = f"uploads/{shg}/{product}/front.jpg"
    _upload(key, photo_corpus.encode(photo_corpus.product_photo(seed=3)))
    runner.drain(app, PHOTOS)
    _, body = _photos(api_url, product)
    assert body["readiness"]["channels"]["amazon"] == {"ready": True, "missing": []}
    assert body["readiness"]["channels"]["flipkart"] == {"ready": False, "missing": ["channel_listing"]}

    _upload(key, b"overwritten by mistake")
    runner.drain(app, PHOTOS)
    _, body = _photos(api_url, product)
    assert [(p["verdict"], p["current"]) for p in body["photos"]] == [("rejected", True), ("accepted", False)]
    assert body["readiness"]["channels"]["amazon"] == {"ready": False, "missing": ["accepted_main_image"]}


def test_photos_api_needs_a_token_and_the_right_area(api_url: str, unique: str) -> None:
    _, product = _seed(unique)
    request = urllib.request.Request(f"{api_url}/products/{product}/photos")
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(request, timeout=10)
    assert anonymous.value.code == 401
    elsewhere = issue_local_token("rp", Role.RESOURCE_PERSON, shg_ids=["JK-OTHER-0001"])
    assert _photos(api_url, product, elsewhere)[0] == 403
    own = issue_local_token("rp", Role.RESOURCE_PERSON, shg_ids=[f"SHG-{unique}"])
    assert _photos(api_url, product, own)[0] == 200
    coordinator = issue_local_token("dc", Role.DISTRICT_COORDINATOR, district="Budgam")
    assert _photos(api_url, product, coordinator)[0] == 200


def test_an_upload_deleted_before_processing_is_a_result_not_a_retry(
    app: Chalice, api_url: str, unique: str
) -> None:
    register(f"SHG-{unique}", f"P-gone-{unique}")
    key = f"uploads/SHG-{unique}/P-gone-{unique}/front.jpg"
    _upload(key, photo_corpus.encode(photo_corpus.product_photo()))
    aws.client("s3").delete_object(Bucket=settings().UPLOADS_BUCKET, Key=key)
    result = runner.drain(app, PHOTOS)
    assert result.failed == 0
    _, body = _photos(api_url, f"P-gone-{unique}")
    assert [(p["verdict"], p["codes"]) for p in body["photos"]] == [("rejected", ["upload_gone"])]


def test_the_s3_test_event_is_acknowledged_and_ignored(client: Client) -> None:
    event = client.events.generate_sqs_event(
        message_bodies=[json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})], queue_name="q"
    )
    assert client.lambda_.invoke("on_photo_uploaded", event).payload == {"batchItemFailures": []}


def test_verdicts_and_new_listings_feed_the_digest_counters(app: Chalice, unique: str) -> None:
    shg, product = _seed(unique)
    _upload(f"uploads/{shg}/{product}/front.jpg", photo_corpus.encode(photo_corpus.product_photo(seed=5)))
    _upload(f"uploads/{shg}/{product}/blank.jpg", b"not an image")
    runner.drain(app, PHOTOS)
    runner.drain(app, PHOTOS)
    today = business_date(datetime.now(UTC))
    counters = aws.table(settings().REPORTS_TABLE).get_item(Key={"pk": day_pk(today), "sk": f"shg#{shg}"})[
        "Item"
    ]
    assert counters["photos_checked"] == 2
    assert counters["photos_rejected"] == 1
    assert counters["reason_not_an_image"] == 1
    assert counters["new_listings"] == 1  # ready on amazon, the one channel it is listed on


@contextmanager
def _registry_reads() -> Iterator[list[tuple[str, str]]]:
    """(operation, key or key condition values) of every request to the registry table, as sent."""
    reads: list[tuple[str, str]] = []
    table = settings().REGISTRY_TABLE

    def before_call(model: Any, params: dict[str, Any], **_: Any) -> None:
        body = json.loads(params.get("body") or b"{}")
        if body.get("TableName") == table:
            what = body.get("Key") or body.get("ExpressionAttributeValues")
            reads.append((model.name, json.dumps(what, sort_keys=True)))

    entry = ("before-call.dynamodb", before_call)
    handlers.BUILTIN_HANDLERS.append(entry)
    session = boto3.DEFAULT_SESSION
    if session is not None:
        session._session.register(*entry)
    aws.reset()
    try:
        yield reads
    finally:
        handlers.BUILTIN_HANDLERS.remove(entry)
        if session is not None:
            session._session.unregister(*entry)
        aws.reset()


@pytest.mark.parametrize(
    ("file_name", "data"),
    [
        ("front.jpg", photo_corpus.encode(photo_corpus.product_photo(seed=7))),  # accepted, newly listed
        ("dark.jpg", photo_corpus.encode(photo_corpus.product_photo().point(lambda v: v // 9))),  # rejected
    ],
)
def test_a_photo_reads_each_registry_item_once(
    app: Chalice, unique: str, file_name: str, data: bytes
) -> None:
    shg, product = _seed(unique)
    _upload(f"uploads/{shg}/{product}/{file_name}", data)
    with _registry_reads() as reads:
        assert runner.drain(app, PHOTOS).failed == 0
    assert reads, "the photo path reads its product and SHG from the registry"
    assert len(reads) == len(set(reads)), reads


def test_a_photo_under_another_shgs_product_is_refused_and_never_makes_it_ready(
    app: Chalice, api_url: str, unique: str
) -> None:
    """SHG A files a good photo under SHG B's product: a verdict telling A why, B's product unchanged."""
    shg_a, _ = _seed(unique)
    shg_b, product_b = _seed(f"{unique}b")
    key = f"uploads/{shg_a}/{product_b}/x.jpg"
    _upload(key, photo_corpus.encode(photo_corpus.product_photo()))
    assert runner.drain(app, PHOTOS).failed == 0
    _, body = _photos(api_url, product_b)
    [photo] = body["photos"]
    assert (photo["key"], photo["verdict"], photo["codes"]) == (key, "rejected", ["another_shgs_product"])
    assert photo["reasons"][0]["en"].startswith("This product belongs to another SHG")
    assert photo["renditions"] == []
    assert body["readiness"]["accepted_main_images"] == 0
    assert not any(channel["ready"] for channel in body["readiness"]["channels"].values())
    own = issue_local_token("rp", Role.RESOURCE_PERSON, shg_ids=[shg_b])
    assert _photos(api_url, product_b, own)[0] == 200  # B's people see the attempt


def test_a_photo_of_a_product_not_in_the_registry_is_refused(app: Chalice, api_url: str, unique: str) -> None:
    shg, _ = _seed(unique)
    _upload(f"uploads/{shg}/P-nowhere-{unique}/x.jpg", photo_corpus.encode(photo_corpus.product_photo()))
    assert runner.drain(app, PHOTOS).failed == 0
    [photo] = _photos(api_url, f"P-nowhere-{unique}")[1]["photos"]
    assert (photo["verdict"], photo["codes"]) == ("rejected", ["unknown_product"])


@pytest.mark.parametrize(
    "key",
    [
        "uploads/loose-{unique}.jpg",
        "uploads/SHG-{unique}/x-{unique}.jpg",
        "uploads/SHG-{unique}/P-{unique}/deeper/x.jpg",
        "uploads/=HYPERLINK(1)/P-{unique}/x.jpg",
        "uploads/SHG-{unique}/P-{unique}/..",
    ],
    ids=["loose", "no-product", "too-deep", "formula-shg", "dot-dot"],
)
def test_keys_outside_the_pattern_are_refused_not_filed(app: Chalice, unique: str, key: str) -> None:
    _seed(unique)
    _upload(key.format(unique=unique), photo_corpus.encode(photo_corpus.product_photo()))
    assert runner.drain(app, PHOTOS).failed == 0
    filed = [
        i for i in _items(settings().CATALOGUE_TABLE, "PRODUCT#") if i.get("key") == key.format(unique=unique)
    ]
    assert filed == []
