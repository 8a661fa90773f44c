"""DynamoDB storage for photo records and product readiness (key design in the README)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.catalogue.models import ListingRecord, PhotoRecord, ProductReadiness
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, put_once, query_all, to_item

READINESS_SK = "READINESS"


def _table() -> Any:
    return aws.table(settings().CATALOGUE_TABLE)


def _product_pk(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def photo_key(product_id: str, file_id: str, version_id: str) -> dict[str, str]:
    return {"pk": _product_pk(product_id), "sk": f"PHOTO#{file_id}#{version_id}"}


def get_photo(product_id: str, file_id: str, version_id: str) -> PhotoRecord | None:
    item = _table().get_item(Key=photo_key(product_id, file_id, version_id)).get("Item")
    return PhotoRecord.model_validate(from_item(item)) if item else None


def put_photo(record: PhotoRecord) -> bool:
    """Store a photo version's record once; False if it was already there (a redelivery)."""
    return put_once(
        _table(), to_item(record, **photo_key(record.product_id, record.file_id, record.version_id))
    )


def delete_photo(product_id: str, file_id: str, version_id: str) -> None:
    _table().delete_item(Key=photo_key(product_id, file_id, version_id))


def photos_of(product_id: str, file_id: str = "") -> list[PhotoRecord]:
    """Every photo version recorded for a product, or for one of its files (one Query, paginated)."""
    condition = Key("pk").eq(_product_pk(product_id)) & Key("sk").begins_with(f"PHOTO#{file_id}")
    return [PhotoRecord.model_validate(from_item(item)) for item in query_all(_table(), condition)]


def get_readiness(product_id: str) -> ProductReadiness | None:
    item = _table().get_item(Key={"pk": _product_pk(product_id), "sk": READINESS_SK}).get("Item")
    return ProductReadiness.model_validate(from_item(item)) if item else None


def readiness_of(product_ids: list[str]) -> dict[str, ProductReadiness]:
    """The stored readiness of each product that has one (BatchGetItem, 100 keys a call)."""
    keys = [{"pk": _product_pk(p), "sk": READINESS_SK} for p in dict.fromkeys(product_ids)]
    found = [ProductReadiness.model_validate(from_item(item)) for _, item in batch_get({_table().name: keys})]
    return {readiness.product_id: readiness for readiness in found}


def put_readiness(readiness: ProductReadiness) -> None:
    _table().put_item(Item=to_item(readiness, pk=_product_pk(readiness.product_id), sk=READINESS_SK))


def _listing_key(product_id: str, channel: str) -> dict[str, str]:
    return {"pk": _product_pk(product_id), "sk": f"LISTING#{channel}"}


def listings_of(product_ids: list[str], channel: str) -> dict[str, ListingRecord]:
    """Each product's listing record on `channel`, for those that have one (BatchGetItem)."""
    keys = [_listing_key(p, channel) for p in dict.fromkeys(product_ids)]
    found = [ListingRecord.model_validate(from_item(item)) for _, item in batch_get({_table().name: keys})]
    return {record.product_id: record for record in found}


def put_listings(records: list[ListingRecord]) -> None:
    """Store listing records (BatchWriteItem, 25 a call; a repeated write stores the same state)."""
    with _table().batch_writer() as batch:
        for record in records:
            batch.put_item(Item=to_item(record, **_listing_key(record.product_id, record.channel)))
