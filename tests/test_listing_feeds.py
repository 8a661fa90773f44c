"""The listing files for the sample registry (samples/registry/), byte for byte as
events/listings/ keeps them: what a coordinator uploads to Meesho's and Flipkart's seller panels,
the Amazon JSON_LISTINGS_FEED and the ONDC catalog (pure functions: no AWS)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from chalicelib.listings.feeds import FEEDS, FeedContext, Item
from chalicelib.registry import values
from chalicelib.registry.models import SHG, Channel, Product
from haat_tools.local.stack import PROJECT_DIR

EXPECTED = PROJECT_DIR / "events" / "listings"
SAMPLES = PROJECT_DIR / "samples" / "registry"
CONTEXT = FeedContext(export_id="sample", amazon_seller_id="A1EXAMPLESELLER")
FILES = {
    Channel.MEESHO: "meesho_catalogue.csv",
    Channel.FLIPKART: "flipkart_listing.csv",
    Channel.AMAZON: "amazon_listings_feed.json",
    Channel.ONDC: "ondc_catalog.json",
}


def _sheet(name: str, skip: int = 0) -> list[dict[str, str]]:
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()[skip:]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def sample_items(channel: Channel) -> list[Item]:
    """The sample SHGs' products (not the individual artisan's), two photos each."""
    groups = {
        row["SHG Code"]: SHG(
            shg_id=row["SHG Code"],
            name=row["SHG Name"],
            district=row["District"],
            block=row["Block"],
            village=row["Village"],
        )
        for row in _sheet("shgs.csv", skip=1)
    }
    items = []
    for row in _sheet("products.csv"):
        if row["SHG Code"] not in groups:
            continue
        sku = row[f"{channel.value.capitalize() if channel is not Channel.ONDC else 'ONDC'} SKU"]
        product = Product(
            product_id=row["Product ID"],
            shg_id=row["SHG Code"],
            sku=row["SKU"],
            craft=values.craft(row["Craft"]),
            title=row["Title"],
            price_paise=values.paise(row["Price (Rs)"]),
            stock=int(row["Stock"]),
            gi_tag=row["GI Tag"],
        )
        urls = tuple(f"https://photos.example.org/photos/main/{product.product_id}-{n}.jpg" for n in (1, 2))
        items.append(Item(product, groups[product.shg_id], sku, urls))
    return items


@pytest.mark.parametrize("channel", list(FILES))
def test_sample_listing_files(channel: Channel) -> None:
    built = FEEDS[channel].build(sample_items(channel), CONTEXT)
    expected = EXPECTED / FILES[channel]
    assert built == expected.read_bytes(), f"{expected} differs: python -m tests.test_listing_feeds writes it"


def test_every_sample_product_is_in_each_file() -> None:
    feed = json.loads((EXPECTED / "amazon_listings_feed.json").read_text())
    assert [m["sku"] for m in feed["messages"]] == [item.channel_sku for item in sample_items(Channel.AMAZON)]
    meesho = list(csv.DictReader(io.StringIO((EXPECTED / "meesho_catalogue.csv").read_text())))
    assert len(meesho) == len(sample_items(Channel.MEESHO)) == 6


def write_expected(folder: Path = EXPECTED) -> None:
    for channel, name in FILES.items():
        (folder / name).write_bytes(FEEDS[channel].build(sample_items(channel), CONTEXT))


if __name__ == "__main__":
    write_expected()
