"""Report counters in REPORTS_TABLE, maintained as events arrive (key design in the README).

Called by the orders handler after each committed order change, and by the photos pipeline after
each verdict or new listing. Each call applies its deltas with atomic ADDs in one transaction,
together with a marker item for its dedupe key, so a repeated call changes nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.observability import logger
from chalicelib.orders.models import OrderEvent, OrderRecord
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Member
from chalicelib.reports.calendar import business_date, month_key, utc_iso
from chalicelib.reports.settings import report_settings
from chalicelib.reports.tally import Labels, Tally, dimension_keys, order_tally

MARKER_TTL = timedelta(days=90)
MAX_TRANSACTION_ITEMS = 100
CONFLICT_RETRIES = 6
_serializer = TypeSerializer()


def day_pk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def income_day_pk(day: date) -> str:
    return f"INCOME#{day.isoformat()}"


def income_month_pk(month: str) -> str:
    return f"INCOME#{month}"


UNPAID_PK = "UNPAID"


def mismatch_pk(month: str) -> str:
    return f"MISMATCH#{month}"


def _values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items()}


def _add_update(pk: str, sk: str, counters: Mapping[str, int], labels: Labels) -> dict[str, Any]:
    """An Update action: ADD each counter, SET the labels the digest prints."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    adds = []
    for index, (name, value) in enumerate(sorted(counters.items())):
        names[f"#c{index}"] = name
        values[f":c{index}"] = value
        adds.append(f"#c{index} :c{index}")
    sets = []
    for name, value in vars(labels).items():
        if value:
            names[f"#{name}"] = name
            values[f":{name}"] = value
            sets.append(f"#{name} = :{name}")
    expression = "ADD " + ", ".join(adds) + (" SET " + ", ".join(sets) if sets else "")
    return {
        "Update": {
            "TableName": settings().REPORTS_TABLE,
            "Key": _values({"pk": pk, "sk": sk}),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": _values(values),
        }
    }


def _marker(dedupe_key: str, now: datetime) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": settings().REPORTS_TABLE,
            "Item": _values(
                {
                    "pk": f"APPLIED#{dedupe_key}",
                    "sk": "APPLIED",
                    "expires_at": int((now + MARKER_TTL).timestamp()),
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _transact(actions: list[dict[str, Any]]) -> bool:
    """Run `actions` (the first is the dedupe marker) atomically; False if already applied.

    Concurrent changes to the same day's counters cancel each other's transactions
    (TransactionConflict); those are retried with jittered backoff.
    """
    client = aws.client("dynamodb")
    for start in range(0, len(actions), MAX_TRANSACTION_ITEMS):
        chunk = actions[start : start + MAX_TRANSACTION_ITEMS]
        for attempt in range(CONFLICT_RETRIES):
            try:
                client.transact_write_items(TransactItems=chunk)
                break
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if start == 0 and codes and codes[0] == "ConditionalCheckFailed":
                    return False
                if attempt == CONFLICT_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2**attempt))
    return True


def _tally_actions(tally: Tally) -> list[dict[str, Any]]:
    actions = []
    for (day, dimension, key), counters in sorted(tally.counters.items()):
        nonzero = {name: value for name, value in counters.items() if value}
        if nonzero:
            labels = tally.labels[(day, dimension, key)]
            actions.append(_add_update(day_pk(day), f"{dimension}#{key}", nonzero, labels))
    for (day, member_id), amount in sorted(tally.income.items()):
        if amount:
            labels = tally.income_labels[member_id]
            for pk in (income_day_pk(day), income_month_pk(month_key(day))):
                actions.append(_add_update(pk, f"MEMBER#{member_id}", {"income_paise": amount}, labels))
    return actions


def _order_actions(after: OrderRecord, tally: Tally, event: OrderEvent) -> list[dict[str, Any]]:
    """Delivered-unpaid bookkeeping and payout mismatches, beside the counters."""
    table = settings().REPORTS_TABLE
    order_key = f"{after.channel.value}#{after.channel_order_id}"
    actions: list[dict[str, Any]] = []
    first = after.lines[0] if after.lines else None
    if tally.delivered_unpaid:
        delivered_at = after.delivered_at or event.event_time
        actions.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": _values(
                        {
                            "pk": UNPAID_PK,
                            "sk": f"{utc_iso(delivered_at)}#{order_key}",
                            "order": order_key,
                            "delivered_at": utc_iso(delivered_at),
                            "district": first.district if first else "",
                            "shg_id": first.shg_id if first else "",
                            "expected_payout_paise": after.total_paise - tally.expected_fee_paise,
                        }
                    ),
                }
            }
        )
    if tally.closes_unpaid and after.delivered_at is not None:
        actions.append(
            {
                "Delete": {
                    "TableName": table,
                    "Key": _values({"pk": UNPAID_PK, "sk": f"{utc_iso(after.delivered_at)}#{order_key}"}),
                }
            }
        )
    if tally.mismatch is not None:
        day = business_date(event.event_time)
        actions.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": _values(
                        {
                            "pk": mismatch_pk(month_key(day)),
                            "sk": order_key,
                            "day": day.isoformat(),
                            "district": first.district if first else "",
                            "shg_id": first.shg_id if first else "",
                            "expected_payout_paise": (after.payout_paise or 0) - tally.mismatch,
                            "payout_paise": after.payout_paise or 0,
                            "difference_paise": tally.mismatch,
                        }
                    ),
                }
            }
        )
    return actions


_REGISTRY_TTL_SECONDS = 300
_registry_cache: dict[str, tuple[float, SHG, dict[str, Member]]] = {}


def _shg_and_members(shg_id: str) -> tuple[SHG, dict[str, Member]] | None:
    """An SHG and its members, cached per container for a few minutes: every order line of an SHG
    needs them, and the registry changes far more slowly than orders arrive."""
    cached = _registry_cache.get(shg_id)
    if cached and cached[0] > time.monotonic():
        return cached[1], cached[2]
    shg = registry.get_shg(shg_id)
    if shg is None:
        return None
    members = {m.member_id: m for m in registry.members_of(shg_id)}
    _registry_cache[shg_id] = (time.monotonic() + _REGISTRY_TTL_SECONDS, shg, members)
    return shg, members


def _registry_view(orders: Iterable[OrderRecord]) -> tuple[dict[str, SHG], dict[str, Member]]:
    shgs: dict[str, SHG] = {}
    members: dict[str, Member] = {}
    for order in orders:
        for line in order.lines:
            if line.shg_id and line.shg_id not in shgs and (found := _shg_and_members(line.shg_id)):
                shgs[line.shg_id] = found[0]
                members.update(found[1])
    return shgs, members


def order_change_actions(
    before: OrderRecord | None, after: OrderRecord, event: OrderEvent
) -> list[dict[str, Any]]:
    """TransactWriteItems actions (dedupe marker first) that add the change `before` -> `after`
    (caused by `event`) to the report counters; [] when it changes no figure.

    The orders service commits them in the same transaction as the order itself, so a change is
    counted exactly when it is recorded.
    """
    shgs, members = _registry_view([after])
    tally = order_tally(
        before, after, event, shgs=shgs, members=members, rules=report_settings().CHANNEL_FEE_RULES
    )
    actions = _tally_actions(tally) + _order_actions(after, tally, event)
    if not actions:
        return []
    dedupe_key = f"ORDER#{after.channel.value}#{after.channel_order_id}#{event.event_id}"
    return [_marker(dedupe_key, event.event_time), *actions]


def record_order_change(before: OrderRecord | None, after: OrderRecord, event: OrderEvent) -> None:
    """Apply `order_change_actions` on their own (for changes too large to share the order's
    transaction). Safe to call again for the same event: the second call changes nothing."""
    actions = order_change_actions(before, after, event)
    if actions:
        applied = _transact(actions)
        logger.debug("order change tallied", extra={"applied": applied, "actions": len(actions)})


def _shg_dimension_actions(
    shg_id: str, district: str, craft: str, at: datetime, counters: Mapping[str, int]
) -> list[dict[str, Any]]:
    shg = registry.get_shg(shg_id)
    block = shg.block if shg else "unknown"
    day = business_date(at)
    return [
        _add_update(day_pk(day), f"{dimension}#{key}", counters, labels)
        for dimension, key, labels in dimension_keys(district, block, shg_id, craft or "unknown")
        if dimension != "craft" or craft
    ]


def record_photo_verdict(
    shg_id: str,
    district: str,
    verdict: str,
    codes: Iterable[str],
    at: datetime,
    *,
    craft: str = "",
    dedupe_key: str = "",
) -> None:
    """Count a photo check (rejected when `verdict` is "rejected") and its rejection reason codes.

    `dedupe_key` (e.g. the upload's key and version) makes a repeated call a no-op.
    """
    rejected = verdict.strip().lower() == "rejected"
    counters = {"photos_checked": 1, "photos_rejected": int(rejected)}
    if rejected:
        counters.update({f"reason_{code}": 1 for code in sorted(set(codes))})
    actions = _shg_dimension_actions(shg_id, district, craft, at, counters)
    key = dedupe_key or f"{shg_id}#{utc_iso(at)}#{verdict}"
    _transact([_marker(f"PHOTO#{key}", at), *actions])


def record_new_listing(shg_id: str, district: str, craft: str, at: datetime, *, dedupe_key: str = "") -> None:
    """Count a product newly listed on a channel (`dedupe_key`, e.g. "{channel}#{channel_sku}")."""
    actions = _shg_dimension_actions(shg_id, district, craft, at, {"new_listings": 1})
    key = dedupe_key or f"{shg_id}#{utc_iso(at)}"
    _transact([_marker(f"LISTING#{key}", at), *actions])
