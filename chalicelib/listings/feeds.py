"""What each channel takes to list a product: Meesho's bulk catalogue sheet, Flipkart's listing file,
Amazon's JSON_LISTINGS_FEED and an ONDC on_search catalogue. Plain functions over `Item`s, no AWS.

Which fields are confirmed from the channels' published material and which are assumed is in the
README ("Listings"); the assumed per-craft values (HSN, Amazon product type, ONDC category) are in
`CRAFTS`, one line per craft, to be corrected in one place when a channel's cataloguing team says
otherwise. Money is rupees as the channels print it ("1800.00"); every CSV cell goes through
`chalicelib/csvfile.py`, so a title typed as "=HYPERLINK(...)" reaches no spreadsheet as a formula.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.csvfile import csv_bytes
from chalicelib.dashboard.names import craft as craft_name
from chalicelib.registry.models import SHG, Channel, CraftCategory, Product

BRAND = "JKRLM Umeed"  # the mission's brand for its SHGs' products (channels ask for one)
COUNTRY = "India"
STATE = "Jammu and Kashmir"
MAX_IMAGES = 4


@dataclass(frozen=True)
class CraftFacts:
    hsn: str  # assumed: the usual HSN heading for the craft's articles
    amazon_product_type: str  # assumed: check with the Product Type Definitions API before a first feed
    ondc_category: str  # assumed: ONDC retail category the craft's items sit in


CRAFTS: dict[CraftCategory, CraftFacts] = {
    CraftCategory.PASHMINA_SHAWL: CraftFacts("6214", "SCARF", "Shawls"),
    CraftCategory.KANI_SHAWL: CraftFacts("6214", "SCARF", "Shawls"),
    CraftCategory.SOZANI_EMBROIDERY: CraftFacts("6214", "SCARF", "Shawls"),
    CraftCategory.CREWEL_EMBROIDERY: CraftFacts("6304", "HOME", "Home Furnishing"),
    CraftCategory.PAPIER_MACHE: CraftFacts("4823", "HOME", "Home Decor"),
    CraftCategory.WALNUT_WOOD_CARVING: CraftFacts("4420", "HOME", "Home Decor"),
    CraftCategory.KHATAMBAND: CraftFacts("4418", "HOME", "Home Decor"),
    CraftCategory.HAND_KNOTTED_CARPET: CraftFacts("5701", "RUG", "Carpets & Rugs"),
    CraftCategory.NAMDA: CraftFacts("5704", "RUG", "Carpets & Rugs"),
    CraftCategory.GABBA: CraftFacts("5705", "RUG", "Carpets & Rugs"),
    CraftCategory.WILLOW_WICKER: CraftFacts("4602", "BASKET", "Home Decor"),
    CraftCategory.ESSENTIAL_OIL: CraftFacts("3301", "ESSENTIAL_OIL", "Health & Wellness"),
    CraftCategory.OTHER: CraftFacts("", "HOME", "Home Decor"),
}


@dataclass(frozen=True)
class Item:
    """A ready product as one channel lists it."""

    product: Product
    shg: SHG
    channel_sku: str
    image_urls: tuple[str, ...]  # public URLs of the photos' main renditions, the main image first

    @property
    def rupees(self) -> str:
        return f"{Decimal(self.product.price_paise) / 100:.2f}"

    @property
    def facts(self) -> CraftFacts:
        return CRAFTS[self.product.craft]

    @property
    def address(self) -> str:
        return f"{self.shg.village}, {self.shg.block}, {self.shg.district}, {STATE}"

    @property
    def maker(self) -> str:
        """Who made it, and where: the manufacturer and packer details the channels ask for."""
        return f"{self.shg.name}, {self.address}"

    @property
    def description(self) -> str:
        craft = craft_name(self.product.craft.value)
        gi = f" GI-registered craft: {self.product.gi_tag}." if self.product.gi_tag else ""
        return f"{self.product.title}. {craft}, handmade by {self.maker}.{gi}"


@dataclass(frozen=True)
class Feed:
    content_type: str
    extension: str
    build: Callable[[Sequence[Item], FeedContext], bytes]


@dataclass(frozen=True)
class FeedContext:
    """What a feed needs beyond the products: who sells, where, and when the file was made."""

    export_id: str
    amazon_seller_id: str = ""
    amazon_marketplace_id: str = "A21TJRUUN4KGV"  # Amazon.in
    mission_name: str = "Jammu and Kashmir Rural Livelihoods Mission (Umeed)"


def _images(item: Item) -> list[str]:
    return [*item.image_urls[:MAX_IMAGES], *[""] * (MAX_IMAGES - len(item.image_urls[:MAX_IMAGES]))]


MEESHO_COLUMNS = (
    "Product Name",
    "Variation",
    "Meesho Price",
    "Wrong/Defective Returns Price",
    "MRP",
    "Inventory",
    "GST %",
    "HSN Code",
    "Net Weight (gm)",
    "Product ID / Style ID",
    "SKU ID",
    "Brand Name",
    "Country of Origin",
    "Manufacturer Name",
    "Manufacturer Address",
    "Manufacturer Pincode",
    "Packer Name",
    "Packer Address",
    "Packer Pincode",
    "Image 1 (Front)",
    "Image 2",
    "Image 3",
    "Image 4",
    "Product Description",
)


def meesho_sheet(items: Sequence[Item], context: FeedContext) -> bytes:
    """Rows for Meesho's bulk catalogue upload: copied into the category's template from the panel
    (GST %, net weight and pincodes are the coordinator's to fill: they depend on the seller's
    registration and the parcel)."""
    rows = [
        [
            item.product.title,
            "",
            item.rupees,
            "",
            item.rupees,
            item.product.stock,
            "",
            item.facts.hsn,
            "",
            item.channel_sku,
            item.channel_sku,
            BRAND,
            COUNTRY,
            item.shg.name,
            item.address,
            "",
            item.shg.name,
            item.address,
            "",
            *_images(item),
            item.description,
        ]
        for item in items
    ]
    return csv_bytes(MEESHO_COLUMNS, rows)


FLIPKART_COLUMNS = (
    "Seller SKU ID",
    "Product Title",
    "Brand",
    "MRP (INR)",
    "Your Selling Price (INR)",
    "Stock",
    "HSN",
    "Country Of Origin",
    "Manufacturer Details",
    "Packer Details",
    "GI Tag",
    "Main Image URL",
    "Other Image URL 1",
    "Other Image URL 2",
    "Other Image URL 3",
    "Description",
)


def flipkart_file(items: Sequence[Item], context: FeedContext) -> bytes:
    """Rows for Flipkart's listing file (the seller panel's bulk listing sheet). Seller API v3
    creates listings only for products already in Flipkart's catalogue (an FSN); a GI craft is new
    to it, so it goes through the catalogue team with this file."""
    rows = [
        [
            item.channel_sku,
            item.product.title,
            BRAND,
            item.rupees,
            item.rupees,
            item.product.stock,
            item.facts.hsn,
            COUNTRY,
            item.maker,
            item.maker,
            item.product.gi_tag,
            *_images(item),
            item.description,
        ]
        for item in items
    ]
    return csv_bytes(FLIPKART_COLUMNS, rows)


def _amazon_value(value: object, marketplace: str, **more: object) -> list[dict[str, object]]:
    return [{"value": value, "marketplace_id": marketplace, **more}]


def amazon_feed(items: Sequence[Item], context: FeedContext) -> bytes:
    """A JSON_LISTINGS_FEED document (Feeds API, schema version 2.0): one UPDATE message per SKU with
    the product type's attributes, as the Listings Items API takes them."""
    market = context.amazon_marketplace_id
    messages = []
    for number, item in enumerate(items, start=1):
        images = list(item.image_urls)
        attributes: dict[str, object] = {
            "item_name": _amazon_value(item.product.title, market, language_tag="en_IN"),
            "brand": _amazon_value(BRAND, market, language_tag="en_IN"),
            "product_description": _amazon_value(item.description, market, language_tag="en_IN"),
            "country_of_origin": _amazon_value("IN", market),
            "condition_type": _amazon_value("new_new", market),
            "supplier_declared_has_product_identifier_exemption": _amazon_value(True, market),
            "purchasable_offer": [
                {
                    "currency": "INR",
                    "marketplace_id": market,
                    "our_price": [{"schedule": [{"value_with_tax": float(item.rupees)}]}],
                }
            ],
            "fulfillment_availability": [
                {"fulfillment_channel_code": "DEFAULT", "quantity": item.product.stock}
            ],
            "manufacturer": _amazon_value(item.maker, market, language_tag="en_IN"),
        }
        if item.product.gi_tag:
            attributes["bullet_point"] = _amazon_value(
                f"GI-registered craft: {item.product.gi_tag}", market, language_tag="en_IN"
            )
        if images:
            attributes["main_product_image_locator"] = [
                {"media_location": images[0], "marketplace_id": market}
            ]
        for index, url in enumerate(images[1:8], start=1):
            attributes[f"other_product_image_locator_{index}"] = [
                {"media_location": url, "marketplace_id": market}
            ]
        messages.append(
            {
                "messageId": number,
                "sku": item.channel_sku,
                "operationType": "UPDATE",
                "productType": item.facts.amazon_product_type,
                "requirements": "LISTING",
                "attributes": attributes,
            }
        )
    feed = {
        "header": {"sellerId": context.amazon_seller_id, "version": "2.0", "issueLocale": "en_IN"},
        "messages": messages,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2).encode()


def _ondc_item(item: Item) -> dict[str, object]:
    craft = craft_name(item.product.craft.value)
    tags: list[dict[str, object]] = [{"code": "origin", "list": [{"code": "country", "value": "IND"}]}]
    if item.product.gi_tag:
        tags.append({"code": "gi_tag", "list": [{"code": "name", "value": item.product.gi_tag}]})
    return {
        "id": item.channel_sku,
        "descriptor": {
            "name": item.product.title,
            "code": item.channel_sku,
            "symbol": item.image_urls[0] if item.image_urls else "",
            "short_desc": f"{craft} by {item.shg.name}",
            "long_desc": item.description,
            "images": list(item.image_urls),
        },
        "price": {"currency": "INR", "value": item.rupees, "maximum_value": item.rupees},
        "quantity": {
            "available": {"count": str(item.product.stock)},
            "maximum": {"count": str(item.product.stock)},
        },
        "category_id": item.facts.ondc_category,
        "@ondc/org/returnable": True,
        "@ondc/org/cancellable": True,
        "@ondc/org/return_window": "P7D",
        "@ondc/org/seller_pickup_return": False,
        "@ondc/org/time_to_ship": "P2D",
        "@ondc/org/available_on_cod": False,
        "@ondc/org/statutory_reqs_packaged_commodities": {
            "manufacturer_or_packer_name": item.shg.name,
            "manufacturer_or_packer_address": item.address,
            "common_or_generic_name_of_commodity": craft,
        },
        "tags": tags,
    }


def ondc_catalog(items: Sequence[Item], context: FeedContext) -> bytes:
    """The `catalog` of an on_search answer: one provider per SHG with its items (the seller app adds
    its locations, fulfillments and context)."""
    groups: dict[str, SHG] = {}
    offered: dict[str, list[dict[str, object]]] = {}
    for item in items:
        groups.setdefault(item.shg.shg_id, item.shg)
        offered.setdefault(item.shg.shg_id, []).append(_ondc_item(item))
    providers = [
        {
            "id": shg.shg_id,
            "descriptor": {
                "name": shg.name,
                "short_desc": f"{shg.village}, {shg.district}",
                "long_desc": f"Self-help group of {context.mission_name}",
            },
            "items": offered[shg_id],
        }
        for shg_id, shg in groups.items()
    ]
    catalog = {
        "bpp/descriptor": {"name": context.mission_name, "short_desc": "Handicrafts of Jammu and Kashmir"},
        "bpp/providers": providers,
    }
    return json.dumps({"catalog": catalog}, ensure_ascii=False, indent=2).encode()


FEEDS: dict[Channel, Feed] = {
    Channel.MEESHO: Feed("text/csv; charset=utf-8", "csv", meesho_sheet),
    Channel.FLIPKART: Feed("text/csv; charset=utf-8", "csv", flipkart_file),
    Channel.AMAZON: Feed("application/json", "json", amazon_feed),
    Channel.ONDC: Feed("application/json", "json", ondc_catalog),
}
