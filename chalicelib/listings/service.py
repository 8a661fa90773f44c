"""Listings: which ready products go to a channel, the file that takes them there, and what the
channel then said about each (live, or rejected with its reason).

"Ready" (catalogue readiness: an accepted main photo, a title, a price and a channel SKU) is not
"listed": a product's listing record per channel says exported, live or rejected, and the report
counters count each change once (the dashboard and digest show them beside the newly ready). Every
area is the caller's: an export holds only the SHGs `access.may` lets her export, and a status
report's rows for SKUs outside her area are refused one by one with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from chalicelib import access
from chalicelib.auth import Principal
from chalicelib.catalogue import readiness
from chalicelib.catalogue import repository as catalogue
from chalicelib.catalogue.models import ListingRecord, ListingState
from chalicelib.config import settings
from chalicelib.imports import RowError
from chalicelib.listings.feeds import FEEDS, FeedContext, Item
from chalicelib.registry import repository as registry
from chalicelib.registry.districts import DIVISIONS
from chalicelib.registry.models import SHG, Channel, Product
from chalicelib.reports import aggregates

LISTED_ON = tuple(FEEDS)  # the channels Haat makes listing files for (its own outlets need none)


class Include(StrEnum):
    NEW = "new"  # what the channel has not got: never exported, or rejected (and fixed since)
    ALL = "all"  # every ready product, with today's price and stock


class Refused(Exception):
    """The request itself cannot be answered (unknown channel, no seller id); a 4xx."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Entry:
    """A product with a SKU on the channel: its readiness, photos and listing record."""

    product: Product
    shg: SHG
    channel_sku: str
    ready: bool
    images: tuple[str, ...]  # rendition keys, the main image first
    record: ListingRecord | None

    @property
    def state(self) -> str:
        if self.record is not None:
            return self.record.state.value
        return "ready" if self.ready else "not_ready"

    def view(self) -> dict[str, object]:
        record = self.record
        return {
            "product_id": self.product.product_id,
            "shg_id": self.shg.shg_id,
            "title": self.product.title,
            "channel_sku": self.channel_sku,
            "state": self.state,
            "ready": self.ready,
            "listing_id": record.listing_id if record else "",
            "reason": record.reason if record else "",
            "exported_at": record.exported_at if record else "",
            "updated_at": record.updated_at if record else "",
        }


def channel_of(name: str) -> Channel:
    try:
        channel = Channel(name)
    except ValueError:
        channel = None
    if channel not in LISTED_ON:
        raise Refused(f"no listing file for {name[:40]!r}: one of {', '.join(LISTED_ON)}", 404)
    assert channel is not None
    return channel


def _place(shg: SHG) -> access.Resource:
    return access.Resource.of(shg.district, shg.block, shg.shg_id)


def area(principal: Principal, action: str, district: str = "", block: str = "") -> list[SHG]:
    """The groups of the asked area the caller may act on: her own SHGs (resource persons), a
    district or one of its blocks, or - for a mission admin naming none - every district."""
    access.require(principal, action)
    listed = access.listed_shgs(principal)
    if listed is not None:
        groups = [shg for shg in map(registry.get_shg, listed) if shg is not None]
    else:
        district = district or principal.district
        if district:
            access.require(principal, action, access.Resource.of(district, block or principal.block))
            groups = registry.shgs_in_district(district)
        else:
            access.require(principal, action, access.MISSION)
            groups = [shg for name in _districts() for shg in registry.shgs_in_district(name)]
    return [
        shg
        for shg in groups
        if (not block or shg.block == block) and access.may(principal, action, _place(shg))
    ]


def _districts() -> list[str]:
    return [district for districts in DIVISIONS.values() for district in districts]


def entries(channel: Channel, groups: Iterable[SHG]) -> list[Entry]:
    """Every product of the groups that has a SKU on `channel`, with what it needs to be listed."""
    found: list[tuple[Product, SHG, str]] = []
    for shg in groups:
        for product in registry.products_of(shg.shg_id):
            sku = next((x.channel_sku for x in product.listings if x.channel == channel), "")
            if sku:
                found.append((product, shg, sku))
    ids = [product.product_id for product, _, _ in found]
    ready = catalogue.readiness_of(ids)
    records = catalogue.listings_of(ids, channel.value)
    result = []
    for product, shg, sku in found:
        stored = ready.get(product.product_id)
        is_ready = bool(
            stored and stored.channels.get(channel.value) and stored.channels[channel.value].ready
        )
        images = tuple(stored.images) if stored else ()
        if is_ready and not images:  # readiness stored before Haat kept its images
            images = tuple(readiness.accepted_images(catalogue.photos_of(product.product_id)))
        result.append(Entry(product, shg, sku, is_ready, images, records.get(product.product_id)))
    return sorted(result, key=lambda e: (e.shg.district, e.shg.block, e.shg.name, e.product.title))


def photo_url(key: str) -> str:
    """The stable public URL of a rendition (photos/ only: raw uploads are never public)."""
    base = settings().PHOTOS_BASE_URL
    if not key.startswith("photos/"):
        raise ValueError(f"not a rendition: {key[:60]}")
    return f"{base}{key}"


class ExportResult(BaseModel):
    export_id: str
    channel: str
    file_name: str
    content_type: str
    products: int = Field(description="rows or messages in the file")
    not_ready: int = Field(description="products with a SKU on the channel that are not ready yet")
    left_out: int = Field(
        description="ready products left out: already exported or live (include=all sends them)"
    )


@dataclass
class Export:
    result: ExportResult
    content: bytes
    records: list[ListingRecord] = field(default_factory=list)


def _wanted(entry: Entry, include: Include) -> bool:
    if not entry.ready:
        return False
    if include is Include.ALL or entry.record is None:
        return True
    return entry.record.state is ListingState.REJECTED


def export(
    principal: Principal,
    channel: Channel,
    *,
    district: str = "",
    block: str = "",
    include: Include = Include.NEW,
) -> Export:
    """The channel's listing file for the ready products of the area, and each one's listing record
    marked exported (a live listing stays live: the file then updates it)."""
    groups = area(principal, "listings:export", district, block)
    context = FeedContext(export_id=_new_id(), amazon_seller_id=settings().AMAZON_SELLER_ID)
    if channel is Channel.AMAZON and not context.amazon_seller_id:
        raise Refused(
            "AMAZON_SELLER_ID is not set for this stage: the mission's Seller Central merchant id", 409
        )
    every = entries(channel, groups)
    chosen = [entry for entry in every if _wanted(entry, include)]
    items = [Item(e.product, e.shg, e.channel_sku, tuple(photo_url(key) for key in e.images)) for e in chosen]
    feed = FEEDS[channel]
    now = _now()
    records = [_exported(entry, channel, context.export_id, principal.subject, now) for entry in chosen]
    catalogue.put_listings(records)
    for entry, record in zip(chosen, records, strict=True):
        if entry.record is None or entry.record.state is not record.state:
            _count(entry, record, dedupe=context.export_id)
    where = "-".join(_slug(part) for part in (district or principal.district or "mission", block) if part)
    result = ExportResult(
        export_id=context.export_id,
        channel=channel.value,
        file_name=f"haat-{channel.value}-{where}-{now[:10]}.{feed.extension}",
        content_type=feed.content_type,
        products=len(items),
        not_ready=sum(1 for entry in every if not entry.ready),
        left_out=sum(1 for entry in every if entry.ready and not _wanted(entry, include)),
    )
    return Export(result, feed.build(items, context), records)


def _exported(entry: Entry, channel: Channel, export_id: str, by: str, now: str) -> ListingRecord:
    live = entry.record is not None and entry.record.state is ListingState.LIVE
    base = entry.record or ListingRecord(
        product_id=entry.product.product_id,
        channel=channel.value,
        channel_sku=entry.channel_sku,
        shg_id=entry.shg.shg_id,
        state=ListingState.EXPORTED,
        updated_at=now,
        updated_by=by,
    )
    return base.model_copy(
        update={
            "channel_sku": entry.channel_sku,
            "state": ListingState.LIVE if live else ListingState.EXPORTED,
            "reason": base.reason if live else "",
            "export_id": export_id,
            "exported_at": now,
            "exported_by": by,
            "updated_at": now,
            "updated_by": by,
        }
    )


def _count(entry: Entry, record: ListingRecord, *, dedupe: str) -> None:
    aggregates.record_listing_change(
        entry.shg.shg_id,
        entry.shg.district,
        entry.product.craft.value,
        datetime.fromisoformat(record.updated_at),
        record.state.value,
        dedupe_key=f"{record.product_id}#{record.channel}#{record.state.value}#{dedupe}",
    )


class StatusUpdate(BaseModel):
    """What the channel said about one SKU (a row of its listing status report, or a `mark`)."""

    row: int = 0
    sku: str = Field(min_length=1, max_length=120)
    state: ListingState
    listing_id: str = Field(default="", max_length=120)
    reason: str = Field(default="", max_length=500)


class MarkResult(BaseModel):
    mark_id: str
    channel: str
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: list[RowError] = Field(default_factory=list)


def mark(principal: Principal, channel: Channel, updates: Sequence[StatusUpdate], result: MarkResult) -> None:
    """Record live or rejected per SKU; a SKU Haat does not list on the channel, or one outside the
    caller's area, is refused on its row with the reason and the rest go on."""
    access.require(principal, "listings:mark")
    pointers = registry.sku_pointers(channel.value, {u.sku for u in updates})
    allowed: list[tuple[StatusUpdate, dict[str, object]]] = []
    for update in updates:
        result.rows += 1
        pointer = pointers.get(update.sku)
        reason = _refusal(principal, channel, update.sku, pointer)
        if reason:
            result.refused += 1
            result.errors.append(RowError(row=update.row, column="sku", value=update.sku, reason=reason))
            continue
        assert pointer is not None
        allowed.append((update, pointer))
    records = catalogue.listings_of([str(p["product_id"]) for _, p in allowed], channel.value)
    now = _now()
    changed: list[ListingRecord] = []
    for update, pointer in allowed:
        product_id = str(pointer["product_id"])
        before = records.get(product_id)
        after = _marked(before, update, pointer, channel, by=principal.subject, now=now)
        if before is not None and _same(before, after):
            result.unchanged += 1
            continue
        records[product_id] = after
        changed.append(after)
        result.changed += 1
        if before is None or before.state is not after.state:
            aggregates.record_listing_change(
                str(pointer["shg_id"]),
                str(pointer.get("district", "")),
                str(pointer.get("craft", "")),
                datetime.fromisoformat(now),
                after.state.value,
                dedupe_key=f"{product_id}#{channel.value}#{after.state.value}#{result.mark_id}",
            )
    catalogue.put_listings(changed)


def _refusal(principal: Principal, channel: Channel, sku: str, pointer: dict[str, object] | None) -> str:
    if pointer is None or not pointer.get("product_id"):
        return f"SKU {sku} is not listed for {channel.value} in the registry"
    place = access.Resource.of(str(pointer["district"]), str(pointer["block"]), str(pointer["shg_id"]))
    if not access.may(principal, "listings:mark", place):
        return f"SKU {sku} is outside your area ({access.scope_of(principal)})"
    return ""


def _marked(
    before: ListingRecord | None,
    update: StatusUpdate,
    pointer: dict[str, object],
    channel: Channel,
    *,
    by: str,
    now: str,
) -> ListingRecord:
    base = before or ListingRecord(
        product_id=str(pointer["product_id"]),
        channel=channel.value,
        channel_sku=update.sku,
        shg_id=str(pointer["shg_id"]),
        state=update.state,
        updated_at=now,
        updated_by=by,
    )
    live = update.state is ListingState.LIVE
    return base.model_copy(
        update={
            "state": update.state,
            "listing_id": update.listing_id or base.listing_id,
            "reason": "" if live else (update.reason or "the channel gave no reason"),
            "updated_at": now,
            "updated_by": by,
        }
    )


def _same(before: ListingRecord, after: ListingRecord) -> bool:
    fields = ("state", "listing_id", "reason")
    return all(getattr(before, f) == getattr(after, f) for f in fields)


def _new_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40] or "area"


def new_mark(channel: Channel) -> MarkResult:
    return MarkResult(mark_id=_new_id(), channel=channel.value)
