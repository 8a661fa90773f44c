"""`GET /products/{product_id}/photos`: a product's photo records, readiness and rendition URLs."""

from __future__ import annotations

from typing import Any

from chalicelib import access
from chalicelib.auth import Principal
from chalicelib.catalogue import readiness, repository, storage
from chalicelib.catalogue.models import PhotoRecord
from chalicelib.registry import repository as registry


def product_photos(product_id: str, principal: Principal) -> dict[str, Any]:
    """Every photo version of the product, newest first, with presigned rendition URLs."""
    _authorize(product_id, principal)
    records = repository.photos_of(product_id)
    current = {(r.file_id, r.version_id) for r in readiness.current_versions(records)}
    photos = [
        _view(record, (record.file_id, record.version_id) in current)
        for record in sorted(records, key=lambda r: (r.event_time, r.processed_at), reverse=True)
    ]
    status = repository.get_readiness(product_id)
    return {
        "product_id": product_id,
        "readiness": status.model_dump(mode="json") if status else None,
        "photos": photos,
    }


def _authorize(product_id: str, principal: Principal) -> None:
    """The product's photos for a caller whose area holds its SHG (a product not in the registry:
    mission admins only)."""
    access.require(principal, "photos:read")
    if access.may(principal, "photos:read", access.MISSION):
        return
    access.require(principal, "photos:read", product_resource(product_id))


def product_resource(product_id: str) -> access.Resource:
    """The place of a product: its SHG's district and block (none if either is not registered)."""
    product = registry.get_product(product_id)
    shg = registry.get_shg(product.shg_id) if product else None
    if product is None or shg is None:
        return access.MISSION
    return access.Resource.of(shg.district, shg.block, shg.shg_id)


def _view(record: PhotoRecord, is_current: bool) -> dict[str, Any]:
    return {
        "file_name": record.file_name,
        "key": record.key,
        "version_id": record.version_id,
        "current": is_current,
        "verdict": record.verdict.value,
        "codes": [code.value for code in record.codes],
        "reasons": [finding.messages for finding in record.findings],
        "duplicate_of": record.duplicate_of,
        "source": {
            "format": record.source_format,
            "width": record.source_width,
            "height": record.source_height,
            "bytes": record.source_bytes,
        },
        "renditions": [
            {**rendition.model_dump(mode="json"), "url": storage.presigned_url(rendition.key)}
            for rendition in record.renditions
        ],
    }
