"""The sample registry (samples/registry/, its photos in samples/photos/) listed on every channel,
end to end on the local stack: the photos go through the pipeline, `haat listings export` writes each
channel's file for the whole mission, and the sample SHGs' part of it is byte for byte what
events/listings/ keeps - the files a coordinator takes to Meesho's and Flipkart's seller panels,
the Amazon JSON_LISTINGS_FEED and the ONDC catalog.

The samples are registered under ids of this run (`-<run>` after each SHG, product and SKU), so
other tests' records never mix in; the comparison takes the suffix off again, shows image URLs at
https://photos.example.org/ (the stage's PHOTOS_BASE_URL differs) and numbers the Amazon messages
of the sample SKUs from 1. `HAAT_WRITE_LISTING_SAMPLES=1` rewrites the files from a run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice
from click.testing import Result

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.registry import values
from haat_tools.local import runner
from haat_tools.local.stack import PROJECT_DIR
from tests.registry_seed import put

EXPECTED = PROJECT_DIR / "events" / "listings"
SAMPLES = PROJECT_DIR / "samples"
FILES = {
    "meesho": "meesho_catalogue.csv",
    "flipkart": "flipkart_listing.csv",
    "amazon": "amazon_listings_feed.json",
    "ondc": "ondc_catalog.json",
}
CHANNEL_COLUMNS = {
    "flipkart": "Flipkart SKU",
    "amazon": "Amazon SKU",
    "meesho": "Meesho SKU",
    "ondc": "ONDC SKU",
}
SHOWN_AT = "https://photos.example.org/"


def _sheet(name: str, skip: int = 0) -> list[dict[str, str]]:
    lines = (SAMPLES / "registry" / name).read_text(encoding="utf-8").splitlines()[skip:]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@pytest.fixture(scope="module")
def run(app: Chalice) -> str:
    """The sample SHGs and their products under this run's ids, with the sample photos processed."""
    run = f"r{uuid.uuid4().hex[:6]}"
    shgs = [
        {
            "shg_id": f"{row['SHG Code']}-{run}",
            "name": row["SHG Name"],
            "district": row["District"],
            "block": row["Block"],
            "village": row["Village"],
        }
        for row in _sheet("shgs.csv", skip=1)
    ]
    products = [
        {
            "product_id": f"{row['Product ID']}-{run}",
            "shg_id": f"{row['SHG Code']}-{run}",
            "sku": f"{row['SKU']}-{run}",
            "craft": values.craft(row["Craft"]),
            "title": row["Title"],
            "price_paise": values.paise(row["Price (Rs)"]),
            "stock": int(row["Stock"]),
            "gi_tag": row["GI Tag"],
            "listings": [
                {"channel": channel, "channel_sku": f"{row[column]}-{run}"}
                for channel, column in CHANNEL_COLUMNS.items()
            ],
        }
        for row in _sheet("products.csv")
        if row["SHG Code"]  # the sample artisan's carpet has no photo: never ready
    ]
    put(shgs, products)
    s3 = aws.client("s3")
    groups = {p["product_id"].removesuffix(f"-{run}"): p["shg_id"] for p in products}
    for path in sorted((SAMPLES / "photos").glob("*/*")):
        key = f"uploads/{groups[path.parent.name]}/{path.parent.name}-{run}/{path.name}"
        s3.put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=path.read_bytes())
    runner.drain(app, runner.binding("on_photo_uploaded"))
    return run


def _shown(text: str, run: str) -> str:
    return text.replace(f"-{run}", "").replace(settings().PHOTOS_BASE_URL, SHOWN_AT)


def _samples_only(channel: str, content: bytes, run: str) -> bytes:
    """The run's products of a mission-wide file, as the sample registry names them."""
    if channel in ("meesho", "flipkart"):
        lines = content.decode().splitlines(keepends=True)
        return _shown("".join([lines[0], *(line for line in lines[1:] if f"-{run}," in line)]), run).encode()
    document: dict[str, Any] = json.loads(content)
    if channel == "amazon":
        mine = [m for m in document["messages"] if m["sku"].endswith(f"-{run}")]
        document["messages"] = [{**m, "messageId": n} for n, m in enumerate(mine, start=1)]
    else:
        providers = document["catalog"]["bpp/providers"]
        document["catalog"]["bpp/providers"] = [p for p in providers if p["id"].endswith(f"-{run}")]
    return _shown(json.dumps(document, ensure_ascii=False, indent=2), run).encode()


@pytest.mark.parametrize("channel", list(FILES))
def test_the_sample_registry_exports_the_files_events_listings_keeps(
    run: str, channel: str, cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / FILES[channel]
    cli("listings", "export", "--channel", channel, "--include", "all", "--out", str(out))
    exported = _samples_only(channel, out.read_bytes(), run)
    expected = EXPECTED / FILES[channel]
    if os.environ.get("HAAT_WRITE_LISTING_SAMPLES"):
        expected.write_bytes(exported)
    assert exported == expected.read_bytes(), f"{expected} differs from the export"
