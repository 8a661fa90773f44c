"""Listings end to end on the local stack: ready products (real photos through the pipeline) exported
per channel by the CLI and the API, images fetched from the URLs the files carry, listing records
(exported, live, rejected with the channel's reason), the channel's status report imported row by
row within the caller's area, and the report counters the dashboard shows."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from click.testing import Result

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.listings.feeds import MEESHO_COLUMNS
from chalicelib.reports.aggregates import day_pk, partition
from haat_tools.local import runner
from tests.http import get_json
from tests.photo_corpus import encode, product_photo
from tests.registry_seed import put


@dataclass(frozen=True)
class Area:
    u: str
    district: str
    block: str
    other_block: str
    skus: dict[str, str]  # product id -> Meesho SKU


def _product(
    u: str, pid: str, shg: str, *, title: str, craft: str, rupees: int, gi: str = ""
) -> dict[str, Any]:
    return {
        "product_id": f"{pid}-{u}",
        "shg_id": shg,
        "sku": f"SKU-{pid}-{u}",
        "craft": craft,
        "title": title,
        "price_paise": rupees * 100,
        "stock": 4,
        "gi_tag": gi,
        "listings": [
            {"channel": channel, "channel_sku": f"{prefix}-{pid}-{u}"}
            for channel, prefix in (("meesho", "MS"), ("flipkart", "FK"), ("amazon", "AZ"), ("ondc", "ON"))
        ],
    }


@pytest.fixture(scope="module")
def area(app: Chalice) -> Area:
    """District D: Noor SHG (block Harwan) with a GI pashmina stole, a box whose title starts like a
    formula, and a tray with no photo yet; Chinar SHG (block Hazratbal) with a namda rug. District E:
    one product, outside a D coordinator's area."""
    u = datetime.now(UTC).strftime("%H%M%S%f")[-8:]
    district, other = f"ListD-{u}", f"ListE-{u}"
    a, b, c = f"LA-{u}", f"LB-{u}", f"LC-{u}"
    put(
        [
            {"shg_id": a, "name": "Noor SHG", "district": district, "block": "Harwan", "village": "Dara"},
            {
                "shg_id": b,
                "name": "Chinar SHG",
                "district": district,
                "block": "Hazratbal",
                "village": "Nishat",
            },
            {"shg_id": c, "name": "Wular SHG", "district": other, "block": "Sopore", "village": "Tujar"},
        ],
        [
            _product(
                u,
                "P1",
                a,
                title="Pashmina stole, ivory",
                craft="pashmina_shawl",
                rupees=12_500,
                gi="Kashmir Pashmina",
            ),
            _product(u, "P2", a, title="=1+1 papier-mache box", craft="papier_mache", rupees=1_800),
            _product(u, "P3", a, title="Walnut wood tray", craft="walnut_wood_carving", rupees=4_200),
            _product(u, "P4", b, title="Namda rug 3x5 ft", craft="namda", rupees=6_500),
            _product(u, "P5", c, title="Willow basket", craft="willow_wicker", rupees=2_400),
        ],
    )
    s3 = aws.client("s3")
    for pid, shg, seed in (("P1", a, 1), ("P2", a, 2), ("P4", b, 4), ("P5", c, 5)):
        photo = encode(product_photo(seed=seed), "JPEG", quality=90)
        s3.put_object(Bucket=settings().UPLOADS_BUCKET, Key=f"uploads/{shg}/{pid}-{u}/front.jpg", Body=photo)
    runner.drain(app, runner.binding("on_photo_uploaded"))
    s3.put_object(Bucket=settings().MEDIA_BUCKET, Key=f"reports/{u}.json", Body=b"{}")
    skus = {f"P{n}": f"MS-P{n}-{u}" for n in range(1, 6)}
    return Area(u, district, "Harwan", "Hazratbal", skus)


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def _token(role: Role, area: Area, *, district: str = "", block: str = "") -> str:
    return issue_local_token(f"{role.value}-{area.u}", role, district=district or area.district, block=block)


def _post(
    api_url: str, path: str, body: bytes, token: str, content_type: str
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"{api_url}{path}",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _export(api_url: str, channel: str, token: str, **asked: str) -> tuple[int, dict[str, str], bytes]:
    return _post(
        api_url, f"/listings/{channel}/exports", json.dumps(asked).encode(), token, "application/json"
    )


def _states(api_url: str, area: Area, channel: str = "meesho") -> dict[str, dict[str, Any]]:
    token = issue_local_token("reader", Role.MISSION_ADMIN)
    status, body = get_json(f"{api_url}/listings/{channel}?district={area.district}", token)
    assert status == 200, body
    return {p["product_id"].removesuffix(f"-{area.u}"): p for p in body["products"]}


def test_a_coordinator_exports_the_meesho_sheet_with_the_cli(
    area: Area, cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "meesho.csv"
    result = cli("listings", "export", "--channel", "meesho", "--district", area.district, "--out", str(out))
    summary = json.loads(result.output)
    assert (summary["products"], summary["not_ready"], summary["left_out"]) == (3, 1, 0)

    content = out.read_bytes()
    assert next(csv.reader(io.StringIO(content.decode()))) == list(MEESHO_COLUMNS)
    rows = {row["SKU ID"]: row for row in _rows(content)}
    assert set(rows) == {area.skus["P1"], area.skus["P2"], area.skus["P4"]}  # P3 has no photo, P5 elsewhere
    stole = rows[area.skus["P1"]]
    assert (stole["Product Name"], stole["Meesho Price"], stole["MRP"], stole["Inventory"]) == (
        "Pashmina stole, ivory",
        "12500.00",
        "12500.00",
        "4",
    )
    assert stole["HSN Code"] == "6214"
    assert "GI-registered craft: Kashmir Pashmina" in stole["Product Description"]
    assert (stole["Manufacturer Name"], stole["Manufacturer Address"]) == (
        "Noor SHG",
        f"Dara, Harwan, {area.district}, Jammu and Kashmir",
    )
    assert rows[area.skus["P2"]]["Product Name"] == "'=1+1 papier-mache box"  # never a formula in Excel

    # The image is what the channel fetches: a public URL of the rendition, never of the upload.
    url = stole["Image 1 (Front)"]
    assert url.startswith(settings().PHOTOS_BASE_URL + "photos/main/"), url
    assert "uploads/" not in content.decode()
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read(3) == b"\xff\xd8\xff"  # a JPEG
    # Nothing else is public: not the raw upload (location and all), not the digest archive.
    endpoint = settings().PHOTOS_BASE_URL.removesuffix(f"{settings().MEDIA_BUCKET}/")
    for private in (
        f"{endpoint}{settings().UPLOADS_BUCKET}/uploads/LA-{area.u}/P1-{area.u}/front.jpg",
        f"{settings().PHOTOS_BASE_URL}reports/{area.u}.json",
    ):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(private, timeout=30)
        assert refused.value.code == 403, private


def test_ready_and_listed_are_different_states(
    area: Area, api_url: str, cli: Callable[..., Result], tmp_path: Path
) -> None:
    states = _states(api_url, area)
    assert {pid: p["state"] for pid, p in states.items()} == {
        "P1": "exported",
        "P2": "exported",
        "P3": "not_ready",
        "P4": "exported",
    }
    export = ("listings", "export", "--channel", "meesho", "--district", area.district, "--out")
    again = json.loads(cli(*export, str(tmp_path / "new.csv")).output)
    assert (again["products"], again["left_out"]) == (0, 3)  # nothing new for Meesho
    every = json.loads(cli(*export, str(tmp_path / "all.csv"), "--include", "all").output)
    assert every["products"] == 3


def test_the_channels_status_report_is_recorded_row_by_row_within_the_area(area: Area, api_url: str) -> None:
    report = "\n".join(
        [
            "Seller SKU ID,QC Status,Rejection Reason,Catalog ID",
            f"{area.skus['P1']},QC Passed,,MSC-9001",
            f"{area.skus['P2']},QC Failed,Image has a watermark,",
            f"{area.skus['P5']},QC Passed,,MSC-9002",  # another district's
            f"MS-UNKNOWN-{area.u},QC Passed,,",
            f"{area.skus['P4']},maybe,,",
        ]
    ).encode()
    token = _token(Role.DISTRICT_COORDINATOR, area)
    status, _, raw = _post(api_url, "/listings/meesho/status", report, token, "text/csv")
    body = json.loads(raw)
    assert status == 200, body
    assert (body["rows"], body["changed"], body["refused"]) == (5, 2, 2)
    reasons = {error["row"]: error["reason"] for error in body["errors"]}
    assert "outside your area" in reasons[4]
    assert "not listed for meesho" in reasons[5]
    assert "not understood" in reasons[6]

    states = _states(api_url, area)
    assert (states["P1"]["state"], states["P1"]["listing_id"]) == ("live", "MSC-9001")
    assert (states["P2"]["state"], states["P2"]["reason"]) == ("rejected", "Image has a watermark")
    assert _states(api_url, area)["P4"]["state"] == "exported"

    repeat = json.loads(_post(api_url, "/listings/meesho/status", report, token, "text/csv")[2])
    assert (repeat["changed"], repeat["unchanged"]) == (0, 2)

    # A rejected product (its photo fixed) comes back in the next new export; a live one does not.
    status, headers, content = _export(api_url, "meesho", token)
    assert status == 200
    assert [row["SKU ID"] for row in _rows(content)] == [area.skus["P2"]]
    assert headers["X-Haat-Products"] == "1"
    assert headers["Content-Disposition"].startswith('attachment; filename="haat-meesho-')


def test_exports_are_scoped_by_the_access_policy(area: Area, api_url: str) -> None:
    block = _token(Role.BLOCK_COORDINATOR, area, block=area.other_block)
    status, _, content = _export(api_url, "flipkart", block, block=area.other_block)
    assert status == 200
    assert [row["Seller SKU ID"] for row in _rows(content)] == [f"FK-P4-{area.u}"]  # her block only

    elsewhere = issue_local_token("dc-e", Role.DISTRICT_COORDINATOR, district=f"ListE-{area.u}")
    assert _export(api_url, "flipkart", elsewhere, district=area.district)[0] == 403
    person = issue_local_token("rp", Role.RESOURCE_PERSON, shg_ids=[f"LA-{area.u}"])
    assert _export(api_url, "flipkart", person)[0] == 403
    assert _export(api_url, "paytm", block)[0] == 404
    assert _post(api_url, "/listings/meesho/status", b"SKU,Status\nx,live\n", person, "text/csv")[0] == 403


def test_amazon_feed_and_ondc_catalog(area: Area, api_url: str) -> None:
    admin = issue_local_token("admin", Role.MISSION_ADMIN)
    status, headers, content = _export(api_url, "amazon", admin, district=area.district)
    assert (status, headers["Content-Type"]) == (200, "application/json")
    feed = json.loads(content)
    assert feed["header"] == {"sellerId": "A1LOCALSELLER", "version": "2.0", "issueLocale": "en_IN"}
    messages = {m["sku"]: m for m in feed["messages"]}
    stole = messages[f"AZ-P1-{area.u}"]
    assert (stole["operationType"], stole["productType"], stole["requirements"]) == (
        "UPDATE",
        "SCARF",
        "LISTING",
    )
    attributes = stole["attributes"]
    assert attributes["item_name"][0]["value"] == "Pashmina stole, ivory"
    assert attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 12500.0
    assert attributes["main_product_image_locator"][0]["media_location"].startswith(
        settings().PHOTOS_BASE_URL
    )
    assert attributes["bullet_point"][0]["value"] == "GI-registered craft: Kashmir Pashmina"
    assert [m["messageId"] for m in feed["messages"]] == [1, 2, 3]

    status, _, content = _export(api_url, "ondc", admin, district=area.district)
    catalog = json.loads(content)["catalog"]
    providers = {p["id"]: p for p in catalog["bpp/providers"]}
    assert set(providers) == {f"LA-{area.u}", f"LB-{area.u}"}
    items = {i["id"]: i for p in providers.values() for i in p["items"]}
    rug = items[f"ON-P4-{area.u}"]
    assert rug["price"] == {"currency": "INR", "value": "6500.00", "maximum_value": "6500.00"}
    assert rug["descriptor"]["images"]
    assert rug["descriptor"]["symbol"] == rug["descriptor"]["images"][0]
    with urllib.request.urlopen(rug["descriptor"]["symbol"], timeout=30) as response:
        assert response.status == 200


def test_listing_changes_are_counted_once_for_the_dashboard(area: Area) -> None:
    """By hand: Meesho exported P1, P2, P4 (3), then P2 again after its rejection (4); P1 went live
    (1); P2 was rejected (1); Flipkart exported P4 (1); Amazon and ONDC P1, P2, P4 (3 + 3)."""
    today = partition(day_pk(business_date(datetime.now(UTC))))
    district = next(item for item in today if item["sk"] == f"district#{area.district}")  # noqa: RUF100
    assert (district["listings_exported"], district["listings_live"], district["listings_rejected"]) == (
        11,
        1,
        1,
    )


def test_the_dashboard_shows_ready_and_listed_apart(area: Area, api_url: str) -> None:
    token = _token(Role.DISTRICT_COORDINATOR, area)
    request = urllib.request.Request(
        f"{api_url}/dashboard/view?district={area.district}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    figures = dict(re.findall(r'data-figure="mtd-(new_listings|listings_\w+)" data-value="(\d+)"', page))
    # Newly ready: P1, P2, P4 on each of the four channels (P3 has no photo).
    assert figures == {
        "new_listings": "12",
        "listings_exported": "11",
        "listings_live": "1",
        "listings_rejected": "1",
    }
