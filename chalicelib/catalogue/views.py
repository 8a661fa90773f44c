"""Catalogue routes: SHGs and products a caller may work on, their photos, and upload targets.

- `GET /shgs`: the SHGs in the caller's area (a mission admin names a district).
- `GET /shgs/{shg_id}/products`: the SHG's products with their readiness per channel.
- `GET /products/{product_id}/photos[?key=]`: photo records, readiness and rendition URLs.
- `POST /uploads`: a presigned POST for one photo of a product (see catalogue/uploads.py).

Who may see or upload what is chalicelib/access.py's answer; a thing that is not in the registry
belongs to the mission as a whole (mission admins only), so a scoped caller learns nothing of it.
"""

from __future__ import annotations

import re
from typing import Any

from chalice import BadRequestError, NotFoundError, Response
from pydantic import ValidationError

from chalicelib import access
from chalicelib.auth import Principal
from chalicelib.catalogue import readiness, repository, storage, uploads
from chalicelib.catalogue.models import PhotoRecord, Upload
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Product


def _place(shg: SHG | None) -> access.Resource:
    return access.Resource.of(shg.district, shg.block, shg.shg_id) if shg else access.MISSION


# The registry's id shapes: anything else names nothing (and is never sent to DynamoDB as a key).
_REGISTRY_ID = re.compile(r"[A-Za-z0-9_-]{3,60}")


def _shg_in_scope(shg_id: str, principal: Principal, action: str) -> SHG:
    access.require(principal, action)
    shg = registry.get_shg(shg_id) if _REGISTRY_ID.fullmatch(shg_id) else None
    access.require(principal, action, _place(shg))
    if shg is None:
        raise NotFoundError(f"no SHG {shg_id}")
    return shg


def _product_in_scope(product_id: str, principal: Principal, action: str) -> Product | None:
    """The product, if the caller may take `action` on it (None: an admin asked for an unknown one)."""
    access.require(principal, action)
    product = registry.get_product(product_id) if _REGISTRY_ID.fullmatch(product_id) else None
    access.require(principal, action, _place(registry.get_shg(product.shg_id) if product else None))
    return product


def shgs(principal: Principal, district: str | None) -> dict[str, Any]:
    """The SHGs the caller may work on, by name (her own SHGs, or one index Query per district)."""
    access.require(principal, "products:read")
    listed = access.listed_shgs(principal)
    if listed is not None:
        found = [shg for shg in map(registry.get_shg, listed) if shg is not None]
    else:
        district = district or principal.district
        if not district:
            raise BadRequestError("name a district: GET /shgs?district=<district>")
        access.require(principal, "products:read", access.Resource.of(district, principal.block))
        found = registry.shgs_in_district(district)
    in_scope = [shg for shg in found if access.may(principal, "products:read", _place(shg))]
    return {
        "shgs": [
            shg.model_dump(include={"shg_id", "name", "district", "block", "village"})
            for shg in sorted(in_scope, key=lambda shg: shg.name.casefold())
        ]
    }


def shg_products(shg_id: str, principal: Principal) -> dict[str, Any]:
    """The SHG's products, each with its readiness per channel (no photo yet: not ready anywhere)."""
    shg = _shg_in_scope(shg_id, principal, "products:read")
    products = sorted(registry.products_of(shg.shg_id), key=lambda p: p.title.casefold())
    stored = repository.readiness_of([p.product_id for p in products])
    return {
        "shg_id": shg.shg_id,
        "products": [
            {
                **product.model_dump(
                    mode="json", include={"product_id", "sku", "title", "craft", "price_paise"}
                ),
                "readiness": (
                    stored.get(product.product_id) or readiness.readiness(product.product_id, product, [])
                ).model_dump(mode="json"),
            }
            for product in products
        ],
    }


def product_photos(product_id: str, principal: Principal, key: str | None = None) -> dict[str, Any]:
    """Every photo version of the product (or of the upload `key`), newest first, with presigned
    rendition URLs; the upload page polls with `key` until its photo's verdict is there."""
    _product_in_scope(product_id, principal, "photos:read")
    file_id = Upload(bucket=settings().UPLOADS_BUCKET, key=key).file_id if key else ""
    records = repository.photos_of(product_id, file_id)
    current = {(r.file_id, r.version_id) for r in readiness.current_versions(records)}
    photos = [
        _view(record, (record.file_id, record.version_id) in current)
        for record in sorted(records, key=lambda r: (r.event_time, r.processed_at), reverse=True)
        if not key or record.key == key
    ]
    status = repository.get_readiness(product_id)
    return {
        "product_id": product_id,
        "readiness": status.model_dump(mode="json") if status else None,
        "photos": photos,
    }


def create_upload(raw_body: bytes, principal: Principal) -> Response:
    """201 with a presigned POST for one photo, or a 4xx that says what to change."""
    access.require(principal, "photos:upload")
    try:
        request = uploads.UploadRequest.model_validate_json(raw_body or b"{}")
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, e["loc"])) or "body" for e in error.errors())
        return _refusal(
            400, "invalid_request", f"send product_id, file_name, content_type and size ({fields})"
        )
    product = _product_in_scope(request.product_id, principal, "photos:upload")
    if product is None:
        raise NotFoundError(f"no product {request.product_id}")
    try:
        target = uploads.target(product, request, uploader=principal.subject)
    except uploads.UploadRefused as refused:
        status = 413 if refused.problem is uploads.UploadProblem.TOO_LARGE else 415
        return _refusal(status, refused.problem.value, str(refused))
    return Response(body=target.model_dump(), status_code=201)


def _refusal(status: int, code: str, message: str) -> Response:
    return Response(body={"error": code, "message": message}, status_code=status)


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
