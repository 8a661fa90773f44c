"""Report counters in REPORTS_TABLE, maintained as events arrive (key design in the README).

Order changes reach them through the `OrderCounters` hook (connected in `chalicelib/wiring.py`),
photo verdicts and new listings through the photos pipeline. Each change applies its deltas with
atomic ADDs in one transaction, together with a marker item for its dedupe key, so a repeated call
changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.calendar import business_date, month_key, utc_iso
from chalicelib.config import settings
from chalicelib.dynamo import apply_once, plain, query_all, serialize, to_attributes
from chalicelib.observability import logger
from chalicelib.orders.hooks import Contribution, OrderChange
from chalicelib.orders.models import OrderEvent, OrderRecord
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Member
from chalicelib.reports.settings import report_settings
from chalicelib.reports.tally import COUNTERS, Labels, Tally, dimension_keys, order_tally, view_rows

MARKER_TTL = timedelta(days=90)
# Every order line of an SHG needs it and its members; the registry changes far more slowly.
_registry = registry.RegistryCache(ttl_seconds=300)


def day_pk(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def income_day_pk(day: date) -> str:
    return f"INCOME#{day.isoformat()}"


def income_month_pk(month: str) -> str:
    return f"INCOME#{month}"


UNPAID_PK = "UNPAID"
LABELS = ("district", "block", "shg_id", "craft", "channel", "outlet")


def view_pk(period: str, scope: str) -> str:
    """The dashboard roll-up of one scope ("" the mission, "D", "D/B") over one IST day
    ("2026-09-16") or month ("2026-09"): its parts, channels, outlets and crafts."""
    return f"VIEW#{period}#{scope}"


def mismatch_pk(month: str) -> str:
    return f"MISMATCH#{month}"


def partition(pk: str) -> Iterator[dict[str, Any]]:
    """Every item of a report partition (a day's counters, a month's income...), as plain values."""
    return (plain(item) for item in query_all(aws.table(settings().REPORTS_TABLE), Key("pk").eq(pk)))


def unpaid_before(cutoff: str) -> Iterator[dict[str, Any]]:
    """Delivered-unpaid orders delivered before `cutoff` (UTC ISO-8601), as plain values."""
    condition = Key("pk").eq(UNPAID_PK) & Key("sk").lt(cutoff)
    return (plain(item) for item in query_all(aws.table(settings().REPORTS_TABLE), condition))


LAKHPATI_PK = "LAKHPATI"
LAKHPATI_KEPT = timedelta(days=62)
LAKHPATI_TOP = 12


def keep_lakhpati(
    day: date, people: Iterable[Mapping[str, Any]], threshold_paise: int, now: datetime
) -> None:
    """The members near or past the Lakhpati mark as of `day` (the digest's list: member_id,
    shg_id, district, block, income_paise, progress_percent), summed for the dashboard per scope
    (the mission, each district and block with any): how many reached the mark, how many are near,
    and the LAKHPATI_TOP highest; one item per scope (sk "{day}#{scope}"), so a view reads one. The
    day's items are replaced, and expire after LAKHPATI_KEPT."""
    scopes: dict[str, list[Mapping[str, Any]]] = {"": []}
    for person in sorted(people, key=lambda p: (-int(p["income_paise"]), str(p["member_id"]))):
        district, block = str(person["district"]), str(person.get("block", ""))
        for scope in ("", district, f"{district}/{block}"):
            scopes.setdefault(scope, []).append(person)
    table = aws.table(settings().REPORTS_TABLE)
    condition = Key("pk").eq(LAKHPATI_PK) & Key("sk").begins_with(f"{day.isoformat()}#")
    stale = {str(item["sk"]) for item in query_all(table, condition, ProjectionExpression="sk")}
    expires_at = int((now + LAKHPATI_KEPT).timestamp())
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for sk in stale - {f"{day.isoformat()}#{scope}" for scope in scopes}:
            batch.delete_item(Key={"pk": LAKHPATI_PK, "sk": sk})
        for scope, members in scopes.items():
            reached = sum(1 for m in members if int(m["income_paise"]) >= threshold_paise)
            summary = {"reached": reached, "near": len(members) - reached, "top": members[:LAKHPATI_TOP]}
            item = {"pk": LAKHPATI_PK, "sk": f"{day.isoformat()}#{scope}", "expires_at": expires_at}
            batch.put_item(Item=item | to_attributes(summary))


def lakhpati_as_of(day: date, scope: str) -> tuple[date | None, dict[str, Any]]:
    """The latest Lakhpati summary kept on or before `day` for a scope ("" the mission, "D",
    "D/B"): (its day, {reached, near, top}); (None, {}) before any digest ran."""
    table = aws.table(settings().REPORTS_TABLE)
    latest = table.query(
        KeyConditionExpression=Key("pk").eq(LAKHPATI_PK) & Key("sk").lte(f"{day.isoformat()}#\uffff"),
        ScanIndexForward=False,
        Limit=1,
        ProjectionExpression="sk",
    )["Items"]
    if not latest:
        return None, {}
    kept = date.fromisoformat(str(latest[0]["sk"]).split("#", 1)[0])
    item = table.get_item(Key={"pk": LAKHPATI_PK, "sk": f"{kept.isoformat()}#{scope}"}).get("Item")
    return kept, plain(item) if item else {"reached": 0, "near": 0, "top": []}


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
            "Key": serialize({"pk": pk, "sk": sk}),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize(values),
        }
    }


def _marker(dedupe_key: str, now: datetime) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": settings().REPORTS_TABLE,
            "Item": serialize(
                {
                    "pk": f"APPLIED#{dedupe_key}",
                    "sk": "APPLIED",
                    "expires_at": int((now + MARKER_TTL).timestamp()),
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


Counted = tuple[date, str, str, Mapping[str, int], Labels]  # (IST day, dimension, key, counters, labels)
Sums = dict[tuple[str, str], tuple[Counter[str], Labels]]  # (pk, sk) -> what to ADD, labels to SET


def counter_sums(rows: Iterable[Counted], into: Sums | None = None) -> Sums:
    """What each dimension row adds to the report items: its day's row, and the dashboard
    roll-ups of that day and month (`tally.view_rows`), summed per item (a transaction names an
    item once; a benchmark sums a month of orders the same way)."""
    sums: Sums = {} if into is None else into
    for day, dimension, key, counters, labels in rows:
        targets = [(day_pk(day), f"{dimension}#{key}", labels)]
        for scope, row, row_labels in view_rows(dimension, key, labels):
            targets += [
                (view_pk(period, scope), row, row_labels) for period in (day.isoformat(), month_key(day))
            ]
        for pk, sk, item_labels in targets:
            summed, _ = sums.setdefault((pk, sk), (Counter(), item_labels))
            summed.update(counters)
    return sums


def tally_sums(tally: Tally, into: Sums | None = None) -> Sums:
    """`counter_sums` of a change's tally, with its members' income (expected on delivery, and
    settled: paid by the channel) per day and month."""
    sums = counter_sums(
        (
            (day, dimension, key, counters, tally.labels[(day, dimension, key)])
            for (day, dimension, key), counters in tally.counters.items()
        ),
        into,
    )
    for name, amounts in (("income_paise", tally.income), ("settled_income_paise", tally.settled_income)):
        for (day, member_id), amount in amounts.items():
            for pk in (income_day_pk(day), income_month_pk(month_key(day))):
                summed, _ = sums.setdefault(
                    (pk, f"MEMBER#{member_id}"), (Counter(), tally.income_labels[member_id])
                )
                summed[name] += amount
    return sums


def rebuild_views(month: date) -> int:
    """The dashboard roll-ups of `month`'s days and of the month, summed again from its day
    partitions and written over (for days tallied before the roll-ups existed); how many items.
    Run it while no order is tallied: a change tallied meanwhile would be missing from them."""
    sums: Sums = {}
    day = month.replace(day=1)
    while day.month == month.month:
        rows = []
        for item in partition(day_pk(day)):
            dimension, key = str(item["sk"]).split("#", 1)
            counters = {k: int(v) for k, v in item.items() if k in COUNTERS or k.startswith("reason_")}
            rows.append((day, dimension, key, counters, Labels(**{f: str(item.get(f, "")) for f in LABELS})))
        counter_sums(rows, sums)
        day += timedelta(days=1)
    views = {key: found for key, found in sums.items() if key[0].startswith("VIEW#")}
    with aws.table(settings().REPORTS_TABLE).batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for (pk, sk), (counters, labels) in views.items():
            nonzero = {name: value for name, value in counters.items() if value}
            batch.put_item(
                Item={"pk": pk, "sk": sk, **nonzero, **{k: v for k, v in vars(labels).items() if v}}
            )
    return len(views)


def _actions(sums: Sums) -> list[dict[str, Any]]:
    actions = []
    for (pk, sk), (summed, labels) in sorted(sums.items(), key=lambda kv: kv[0]):
        nonzero = {name: value for name, value in summed.items() if value}
        if nonzero:
            actions.append(_add_update(pk, sk, nonzero, labels))
    return actions


def _tally_actions(tally: Tally) -> list[dict[str, Any]]:
    return _actions(tally_sums(tally))


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
                    "Item": serialize(
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
                    "Key": serialize({"pk": UNPAID_PK, "sk": f"{utc_iso(after.delivered_at)}#{order_key}"}),
                }
            }
        )
    if tally.paid and tally.mismatch is None:  # a later settlement made the order whole
        day = business_date(event.event_time)
        actions.append(
            {
                "Delete": {
                    "TableName": table,
                    "Key": serialize({"pk": mismatch_pk(month_key(day)), "sk": order_key}),
                }
            }
        )
    if tally.mismatch is not None:
        day = business_date(event.event_time)
        actions.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": serialize(
                        {
                            "pk": mismatch_pk(month_key(day)),
                            "sk": order_key,
                            "day": day.isoformat(),
                            "district": first.district if first else "",
                            "shg_id": first.shg_id if first else "",
                            "expected_payout_paise": after.total_paise - tally.expected_fee_paise,
                            "payout_paise": after.payout_paise or 0,
                            "difference_paise": tally.mismatch,
                        }
                    ),
                }
            }
        )
    return actions


def _registry_view(orders: Iterable[OrderRecord]) -> tuple[dict[str, SHG], dict[str, Member]]:
    shgs: dict[str, SHG] = {}
    members: dict[str, Member] = {}
    for order in orders:
        for line in order.lines:
            if line.shg_id and line.shg_id not in shgs and (shg := _registry.shg(line.shg_id)):
                shgs[line.shg_id] = shg
                members.update(_registry.members_of(line.shg_id))
    return shgs, members


def order_change_actions(
    before: OrderRecord | None, after: OrderRecord, event: OrderEvent
) -> list[dict[str, Any]]:
    """TransactWriteItems actions (dedupe marker first) that add the change `before` -> `after`
    (caused by `event`) to the report counters; [] when it changes no figure.

    The `OrderCounters` hook has them committed in the same transaction as the order itself, so
    a change is counted exactly when it is recorded.
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
    _apply(order_change_actions(before, after, event))


def _apply(actions: list[dict[str, Any]]) -> None:
    if actions:
        applied = apply_once(actions)
        logger.debug("order change tallied", extra={"applied": applied, "actions": len(actions)})


class OrderCounters:
    """The order-change hook that keeps the report counters: its actions share the order's
    transaction when they fit and are applied (idempotently, per event) right after it otherwise."""

    role = "tally"

    def contribute(self, change: OrderChange) -> Contribution:
        actions = order_change_actions(change.before, change.after, change.event)
        return Contribution(actions=actions, deferrable=True)

    def committed(self, change: OrderChange, contribution: Contribution, *, in_transaction: bool) -> None:
        if not in_transaction:
            _apply(contribution.actions)


def _shg_dimension_actions(
    shg_id: str,
    district: str,
    craft: str,
    at: datetime,
    counters: Mapping[str, int],
    *,
    lookups: registry.RegistryCache | None,
) -> list[dict[str, Any]]:
    shg = (lookups or registry.RegistryCache()).shg(shg_id)
    block = shg.block if shg else "unknown"
    day = business_date(at)
    return _actions(
        counter_sums(
            (day, dimension, key, counters, labels)
            for dimension, key, labels in dimension_keys(district, block, shg_id, craft or "unknown")
            if dimension not in ("craft", "block_craft") or craft
        )
    )


def record_photo_verdict(
    shg_id: str,
    district: str,
    verdict: str,
    codes: Iterable[str],
    at: datetime,
    *,
    craft: str = "",
    dedupe_key: str = "",
    lookups: registry.RegistryCache | None = None,
) -> None:
    """Count a photo check (rejected when `verdict` is "rejected") and its rejection reason codes.

    `dedupe_key` (e.g. the upload's key and version) makes a repeated call a no-op; `lookups` is the
    caller's registry cache, so the SHG it already read is not read again.
    """
    rejected = verdict.strip().lower() == "rejected"
    counters = {"photos_checked": 1, "photos_rejected": int(rejected)}
    if rejected:
        counters.update({f"reason_{code}": 1 for code in sorted(set(codes))})
    actions = _shg_dimension_actions(shg_id, district, craft, at, counters, lookups=lookups)
    key = dedupe_key or f"{shg_id}#{utc_iso(at)}#{verdict}"
    apply_once([_marker(f"PHOTO#{key}", at), *actions])


def record_new_listing(
    shg_id: str,
    district: str,
    craft: str,
    at: datetime,
    *,
    dedupe_key: str = "",
    lookups: registry.RegistryCache | None = None,
) -> None:
    """Count a product newly listed on a channel (`dedupe_key`, e.g. "{channel}#{channel_sku}")."""
    actions = _shg_dimension_actions(shg_id, district, craft, at, {"new_listings": 1}, lookups=lookups)
    key = dedupe_key or f"{shg_id}#{utc_iso(at)}"
    apply_once([_marker(f"LISTING#{key}", at), *actions])


def record_listing_change(
    shg_id: str,
    district: str,
    craft: str,
    at: datetime,
    state: str,
    *,
    dedupe_key: str,
    lookups: registry.RegistryCache | None = None,
) -> None:
    """Count a product's channel listing reaching `state` (exported, live, rejected) once per
    `dedupe_key` (e.g. "{product}#{channel}#{state}#{export or report}")."""
    counters = {f"listings_{state}": 1}
    actions = _shg_dimension_actions(shg_id, district, craft, at, counters, lookups=lookups)
    apply_once([_marker(f"LISTING_STATE#{dedupe_key}", at), *actions])
