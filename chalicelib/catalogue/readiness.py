"""Product readiness per channel: pure rules over the registry product and its current photos."""

from __future__ import annotations

from chalicelib.catalogue.models import ChannelReadiness, PhotoRecord, ProductReadiness
from chalicelib.catalogue.quality import Verdict
from chalicelib.registry.models import Channel, Product

ACCEPTED = frozenset({Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS})


def current_versions(records: list[PhotoRecord]) -> list[PhotoRecord]:
    """The newest version of each uploaded file (an overwrite replaces what it overwrote)."""
    latest: dict[str, PhotoRecord] = {}

    def order(record: PhotoRecord) -> tuple[str, str, int]:
        return (record.event_time, record.sequencer.rjust(32, "0"), record.processed_at)

    for record in sorted(records, key=order):
        latest[record.file_id] = record
    return list(latest.values())


def readiness(product_id: str, product: Product | None, records: list[PhotoRecord]) -> ProductReadiness:
    """Ready for a channel = an accepted main image, a title, a price and a listing on that channel."""
    mains = sum(
        1
        for record in current_versions(records)
        if record.verdict in ACCEPTED and any(r.name == "main" for r in record.renditions)
    )
    channels = {}
    for channel in Channel:
        missing = [] if mains else ["accepted_main_image"]
        if product is None:
            missing.append("product_in_registry")
        elif channel.value not in {listing.channel.value for listing in product.listings}:
            missing.append("channel_listing")
        channels[channel.value] = ChannelReadiness(ready=not missing, missing=missing)
    return ProductReadiness(product_id=product_id, accepted_main_images=mains, channels=channels)


def newly_ready(before: ProductReadiness | None, after: ProductReadiness) -> list[str]:
    """Channels `after` is ready for that `before` was not."""
    was_ready = {c for c, r in before.channels.items() if r.ready} if before else set()
    return sorted(c for c, r in after.channels.items() if r.ready and c not in was_ready)
