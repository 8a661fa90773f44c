"""Conversions between pydantic models and DynamoDB items (which hold Decimals, not floats)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "entity", "expires_at"})


def to_item(model: BaseModel, **keys: Any) -> dict[str, Any]:
    """A DynamoDB item for `model`, with its key attributes."""
    data = json.loads(model.model_dump_json(), parse_float=Decimal)
    return {**keys, **data}


def plain(value: Any) -> Any:
    """DynamoDB values as JSON-friendly Python (Decimal -> int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [plain(v) for v in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item's own fields, without the key attributes, as plain Python."""
    return {k: plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES}


def put_once(table: Any, item: dict[str, Any]) -> bool:
    """Put `item` unless an item with its key exists; False if it did (a redelivery, a replay)."""
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
