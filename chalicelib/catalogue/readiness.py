"""Product readiness per channel: pure rules over the registry product and its current photos."""

from __future__ import annotations

from chalicelib.catalogue.models import ChannelReadiness, PhotoRecord, ProductReadiness
from chalicelib.catalogue.quality import Verdict
from chalicelib.registry.models import Channel, Product

ACCEPTED = frozenset({Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS})


def _upload_order(record: PhotoRecord) -> tuple[str, str, int]:
    return (record.event_time, record.sequencer.rjust(32, "0"), record.processed_at)


def current_versions(records: list[PhotoRecord]) -> list[PhotoRecord]:
    """The newest version of each uploaded file (an overwrite replaces what it overwrote)."""
    latest: dict[str, PhotoRecord] = {}
    for record in sorted(records, key=_upload_order):
        latest[record.file_id] = record
    return list(latest.values())


def readiness(product_id: str, product: Product | None, records: list[PhotoRecord]) -> ProductReadiness:
    """Ready for a channel = an accepted main image, a title, a price and a listing on that channel."""
    images = accepted_images(records)
    mains = len(images)
    channels = {}
    for channel in Channel:
        missing = [] if mains else ["accepted_main_image"]
        if product is None:
            missing.append("product_in_registry")
        elif channel.value not in {listing.channel.value for listing in product.listings}:
            missing.append("channel_listing")
        channels[channel.value] = ChannelReadiness(ready=not missing, missing=missing)
    return ProductReadiness(
        product_id=product_id, accepted_main_images=mains, channels=channels, images=images
    )


def accepted_images(records: list[PhotoRecord]) -> list[str]:
    """The 'main' rendition key of each accepted current photo, in upload order."""
    accepted = sorted((r for r in current_versions(records) if r.verdict in ACCEPTED), key=_upload_order)
    return [rendition.key for r in accepted for rendition in r.renditions if rendition.name == "main"]


def newly_ready(before: ProductReadiness | None, after: ProductReadiness) -> list[str]:
    """Channels `after` is ready for that `before` was not."""
    was_ready = {c for c, r in before.channels.items() if r.ready} if before else set()
    return sorted(c for c, r in after.channels.items() if r.ready and c not in was_ready)
