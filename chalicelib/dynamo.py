"""The one DynamoDB toolkit every repository uses: item conversions, batched reads, paginated
queries, transactions with conflict detection, and the conditional-failure test.

Repositories own their tables' keys; this module knows no table and no key design.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from chalicelib import aws

KEY_ATTRIBUTES = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "entity", "expires_at"})
MAX_TRANSACT_ITEMS = 100
MAX_BATCH_GET_KEYS = 100
CONFLICT_RETRIES = 6
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(model: BaseModel, **keys: Any) -> dict[str, Any]:
    """A DynamoDB item for `model`, with its key attributes (floats become Decimals)."""
    data = json.loads(model.model_dump_json(), parse_float=Decimal)
    return {**keys, **data}


def to_attributes(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Plain values (and dates, via str) as DynamoDB takes them: floats as Decimals."""
    return dict(json.loads(json.dumps(dict(fields), default=str), parse_float=Decimal))


def plain(value: Any) -> Any:
    """DynamoDB values as JSON-friendly Python (Decimal -> int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [plain(v) for v in value]
    return value


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item's own fields, without the key attributes, as plain Python."""
    return {k: plain(v) for k, v in item.items() if k not in KEY_ATTRIBUTES}


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> the low-level attribute-value format (for client calls and transactions)."""
    return {k: _serializer.serialize(v) for k, v in item.items()}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """The low-level attribute-value format -> Python values (numbers as Decimals)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def is_conditional_failure(error: ClientError) -> bool:
    """True when a single-item write was refused by its ConditionExpression."""
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


def put_once(table: Any, item: dict[str, Any]) -> bool:
    """Put `item` unless an item with its key exists; False if it did (a redelivery, a replay)."""
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True


def query_all(table: Any, key_condition: Any, **options: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query returns (a boto3 `Key` condition), following LastEvaluatedKey page by page."""
    request: dict[str, Any] = {"KeyConditionExpression": key_condition, **options}
    while True:
        page = table.query(**request)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def batch_get(
    keys_by_table: Mapping[str, list[dict[str, Any]]],
    *,
    consistent: frozenset[str] = frozenset(),
    attributes: tuple[str, ...] = (),
) -> list[tuple[str, dict[str, Any]]]:
    """(table, item) for each of the keys found, over as many BatchGetItem calls as the keys need
    (100 keys a call, unprocessed keys retried); tables named in `consistent` are read strongly;
    `attributes`, when given, are the only ones returned."""
    projection: dict[str, Any] = {}
    if attributes:
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    requests: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    count = 0
    for table, keys in keys_by_table.items():
        for key in keys:
            if count == MAX_BATCH_GET_KEYS:
                requests.append(current)
                current, count = {}, 0
            entry = current.setdefault(table, {"Keys": [], **projection})
            if table in consistent:
                entry["ConsistentRead"] = True
            entry["Keys"].append(serialize(key))
            count += 1
    if current:
        requests.append(current)
    found: list[tuple[str, dict[str, Any]]] = []
    client = aws.client("dynamodb")
    for request in requests:
        pending = request
        while pending:
            response = client.batch_get_item(RequestItems=pending)
            for table, items in response.get("Responses", {}).items():
                found.extend((table, deserialize(item)) for item in items)
            pending = response.get("UnprocessedKeys") or {}
    return found


class TransactionCancelled(Exception):
    """DynamoDB cancelled a transaction; `codes` has one entry per item ("None" for the ones that were
    fine, "ConditionalCheckFailed" for a failed condition, "TransactionConflict" for a concurrent write)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes))
        self.codes = codes

    @property
    def conditions_only(self) -> bool:
        """Cancelled by failed conditions alone (not by a conflict, throttling or validation)."""
        return bool(self.codes) and all(code in {"None", "ConditionalCheckFailed"} for code in self.codes)


def transact(items: list[dict[str, Any]]) -> None:
    """Run TransactWriteItems (at most 100 items); TransactionCancelled says which items failed."""
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons") or []
        raise TransactionCancelled([str(reason.get("Code", "None")) for reason in reasons]) from error


def apply_once(actions: list[dict[str, Any]]) -> bool:
    """Run `actions`, whose first is a conditional put of a dedupe marker, in transactions of at
    most 100 items; False (and nothing changed) if the marker already exists.

    Concurrent updates of the same items cancel each other's transactions; those are retried with
    jittered backoff.
    """
    for start in range(0, len(actions), MAX_TRANSACT_ITEMS):
        chunk = actions[start : start + MAX_TRANSACT_ITEMS]
        for attempt in range(CONFLICT_RETRIES):
            try:
                transact(chunk)
                break
            except TransactionCancelled as cancelled:
                if start == 0 and cancelled.codes[:1] == ["ConditionalCheckFailed"]:
                    return False
                if attempt == CONFLICT_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2**attempt))
    return True
