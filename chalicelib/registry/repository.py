"""DynamoDB storage for the registry (key design in the README): the only module that builds the
registry table's keys. Others read SHGs, members, products and SKU pointers, and take stock,
through these functions."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, query_all, serialize, to_attributes, to_item, transact
from chalicelib.registry.models import SHG, Language, Member, Product

M = TypeVar("M", bound=BaseModel)


def table_name() -> str:
    return settings().REGISTRY_TABLE


def _table() -> Any:
    return aws.table(table_name())


def load(model: type[M], item: Mapping[str, Any]) -> M:
    """The model an item holds, without its keys and bookkeeping (`imported`: what the import
    sheets last said of it; `created_*`, `updated_*`: who wrote it and when)."""
    fields = from_item(item)
    return model.model_validate({k: v for k, v in fields.items() if k in model.model_fields})


def sku_key(sku: str, channel: str = "") -> dict[str, str]:
    """Key of the pointer item that maps a (channel) SKU to its product, SHG and makers."""
    return {"pk": f"SKU#{channel}#{sku}" if channel else f"SKU#{sku}", "sk": "SKU"}


def pointer_sku(item: dict[str, Any]) -> str:
    """The (channel) SKU a pointer item read by `sku_key` maps."""
    return str(item["pk"]).split("#", 2)[-1]


def pointer_channel(item: dict[str, Any]) -> str:
    """The channel of a pointer item ("" for the product's own SKU)."""
    parts = str(item["pk"]).split("#", 2)
    return parts[1] if len(parts) == 3 else ""


def sku_pointers(channel: str, skus: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Channel SKU -> its pointer (product, SHG, district, block), for the SKUs the registry has."""
    keys = [sku_key(sku, channel) for sku in sorted(set(skus))]
    found = batch_get({table_name(): keys}) if keys else []
    return {pointer_sku(item): from_item(item) for _, item in found}


def shg_key(shg_id: str) -> dict[str, str]:
    return {"pk": f"SHG#{shg_id}", "sk": "PROFILE"}


def member_key(shg_id: str, member_id: str) -> dict[str, str]:
    return {"pk": f"SHG#{shg_id}", "sk": f"MEMBER#{member_id}"}


def product_key(product_id: str) -> dict[str, str]:
    return {"pk": f"PRODUCT#{product_id}", "sk": "PROFILE"}


def shg_item(shg: SHG, **meta: Any) -> dict[str, Any]:
    keys = {"gsi1pk": f"DISTRICT#{shg.district}", "gsi1sk": f"SHG#{shg.shg_id}", "entity": "shg"}
    return {**to_item(shg, **shg_key(shg.shg_id), **keys), **to_attributes(meta)}


def member_item(member: Member, **meta: Any) -> dict[str, Any]:
    keys = {"gsi1pk": f"MEMBER#{member.member_id}", "gsi1sk": "MEMBER", "entity": "member"}
    return {**to_item(member, **member_key(member.shg_id, member.member_id), **keys), **to_attributes(meta)}


def product_item(product: Product, **meta: Any) -> dict[str, Any]:
    keys = {"gsi1pk": f"SHG#{product.shg_id}", "gsi1sk": f"PRODUCT#{product.product_id}", "entity": "product"}
    return {**to_item(product, **product_key(product.product_id), **keys), **to_attributes(meta)}


def pointer_items(product: Product, shg: SHG) -> list[dict[str, Any]]:
    """The SKU pointers of a product (its own SKU and each channel SKU), denormalised so an order
    line resolves to product, SHG, place and makers in one read."""
    pointer = {
        "entity": "sku",
        "product_id": product.product_id,
        "shg_id": product.shg_id,
        "sku": product.sku,
        "craft": product.craft.value,
        "district": shg.district,
        "block": shg.block,
        "maker_member_ids": product.maker_member_ids,
        "short_name": {language.value: product.short_name_in(language) for language in Language},
    }
    skus = [sku_key(product.sku)] + [sku_key(x.channel_sku, x.channel.value) for x in product.listings]
    return [{**key, **pointer} for key in skus]


def put_items(items: Iterable[dict[str, Any]]) -> None:
    """Put many items, 25 a BatchWriteItem call (unprocessed items are resent by boto3)."""
    with _table().batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)


def put_shg(shg: SHG) -> None:
    _table().put_item(Item=shg_item(shg))


def put_member(member: Member) -> None:
    _table().put_item(Item=member_item(member))


def put_product(product: Product, shg: SHG) -> None:
    """Store a product with its SKU pointers."""
    put_items([product_item(product), *pointer_items(product, shg)])


def get_shg(shg_id: str) -> SHG | None:
    item = _table().get_item(Key=shg_key(shg_id)).get("Item")
    return load(SHG, item) if item else None


def get_product(product_id: str) -> Product | None:
    item = _table().get_item(Key=product_key(product_id)).get("Item")
    return load(Product, item) if item else None


def get_member(shg_id: str, member_id: str) -> Member | None:
    item = _table().get_item(Key=member_key(shg_id, member_id)).get("Item")
    return load(Member, item) if item else None


def find_member(member_id: str) -> Member | None:
    """A member by her code alone (member codes are unique in the mission)."""
    response = _table().query(
        IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq(f"MEMBER#{member_id}"), Limit=1
    )
    return load(Member, response["Items"][0]) if response["Items"] else None


def _index_items(partition: str, sort_prefix: str) -> list[dict[str, Any]]:
    """The items of one gsi1 partition whose sort key starts with `sort_prefix`."""
    condition = Key("gsi1pk").eq(partition) & Key("gsi1sk").begins_with(sort_prefix)
    return list(query_all(_table(), condition, IndexName="gsi1"))


def shgs_in_district(district: str) -> list[SHG]:
    return [load(SHG, item) for item in _index_items(f"DISTRICT#{district}", "SHG#")]


def products_of(shg_id: str) -> list[Product]:
    return [load(Product, item) for item in _index_items(f"SHG#{shg_id}", "PRODUCT#")]


def members_of(shg_id: str) -> list[Member]:
    condition = Key("pk").eq(f"SHG#{shg_id}") & Key("sk").begins_with("MEMBER#")
    return [load(Member, item) for item in query_all(_table(), condition)]


def products(product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Product profiles by id (price and stock, as plain values), in one BatchGetItem."""
    keys = [product_key(pid) for pid in sorted(set(product_ids))]
    if not keys:
        return {}
    return {str(item["product_id"]): from_item(item) for _, item in batch_get({table_name(): keys})}


def coordinators(shg_ids: Iterable[str]) -> dict[str, str]:
    """shg_id -> the member id of its cluster coordinator, for SHGs that have one."""
    keys = [shg_key(shg_id) for shg_id in sorted(set(shg_ids))]
    if not keys:
        return {}
    return {
        str(item["shg_id"]): str(item["coordinator_member_id"])
        for _, item in batch_get({table_name(): keys})
        if item.get("coordinator_member_id")
    }


def names(
    shg_ids: Iterable[str], members: Iterable[tuple[str, str]]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """(shg_id -> (name, coordinator's member id), member_id -> name) for SHGs and (shg_id,
    member_id) members that exist, read by BatchGetItem with only ids and names (never a phone)."""
    keys = [shg_key(shg_id) for shg_id in sorted(set(filter(None, shg_ids)))]
    keys += [member_key(*pair) for pair in sorted(set(members)) if all(pair)]
    if not keys:
        return {}, {}
    wanted = ("sk", "shg_id", "member_id", "name", "coordinator_member_id")
    groups: dict[str, tuple[str, str]] = {}
    people: dict[str, str] = {}
    for _, item in batch_get({table_name(): keys}, attributes=wanted):
        if item["sk"] == "PROFILE":
            groups[str(item["shg_id"])] = (
                str(item.get("name", "")),
                str(item.get("coordinator_member_id", "")),
            )
        else:
            people[str(item["member_id"])] = str(item.get("name", ""))
    return groups, people


def _stock_update(product_id: str, expression: str, condition: str, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table_name(),
            "Key": serialize(product_key(product_id)),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
        }
    }


def take_stock(product_id: str, quantity: int) -> dict[str, Any]:
    """A transaction Update that sells `quantity` of the product, only if that many are in stock."""
    return _stock_update(product_id, "SET stock = stock - :q", "stock >= :q", {":q": quantity})


def give_back_stock(product_id: str, quantity: int) -> dict[str, Any]:
    """Pieces back on the shelf (a cancellation before dispatch, a completed return)."""
    return _stock_update(product_id, "ADD stock :q", "attribute_exists(pk)", {":q": quantity})


def clear_stock(product_id: str, quantity: int) -> dict[str, Any]:
    """An oversold product: what was left is sold (stock never goes below zero)."""
    return _stock_update(
        product_id, "SET stock = :zero", "attribute_exists(pk) AND stock < :q", {":zero": 0, ":q": quantity}
    )


@dataclass
class RegistryCache:
    """SHGs, their members and products looked up once while fresh: a sweep and a photo keep one for
    their run, the report counters one per container for a few minutes (the registry changes far
    more slowly than orders arrive). `ttl_seconds` None keeps entries for the cache's lifetime."""

    ttl_seconds: float | None = None
    _shgs: dict[str, tuple[float, SHG | None]] = field(default_factory=dict)
    _members: dict[str, tuple[float, dict[str, Member]]] = field(default_factory=dict)
    _products: dict[str, tuple[float, Product | None]] = field(default_factory=dict)

    def _fresh(self, stamp: float) -> bool:
        return self.ttl_seconds is None or stamp + self.ttl_seconds > time.monotonic()

    def product(self, product_id: str) -> Product | None:
        cached = self._products.get(product_id)
        if cached is None or not self._fresh(cached[0]):
            cached = (time.monotonic(), get_product(product_id))
            self._products[product_id] = cached
        return cached[1]

    def shg(self, shg_id: str) -> SHG | None:
        cached = self._shgs.get(shg_id)
        if cached is None or not self._fresh(cached[0]):
            cached = (time.monotonic(), get_shg(shg_id))
            self._shgs[shg_id] = cached
        return cached[1]

    def members_of(self, shg_id: str) -> dict[str, Member]:
        """The SHG's members by member id."""
        cached = self._members.get(shg_id)
        if cached is None or not self._fresh(cached[0]):
            cached = (time.monotonic(), {m.member_id: m for m in members_of(shg_id)})
            self._members[shg_id] = cached
        return cached[1]


def read_items(
    keys: Iterable[Mapping[str, str]], attributes: tuple[str, ...] = ()
) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (pk, sk), read strongly consistent, 100 keys a call; absent keys are left out.
    `attributes` narrows what is read (e.g. only the keys and `imported`)."""
    unique = {(key["pk"], key["sk"]): dict(key) for key in keys}
    table = settings().REGISTRY_TABLE
    found = batch_get({table: list(unique.values())}, consistent=frozenset({table}), attributes=attributes)
    return {(str(item["pk"]), str(item["sk"])): item for _, item in found}


def members_imported(members: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(shg_id, member_id) -> the member item's key and `imported` only, for members that exist."""
    wanted = {
        tuple(member_key(shg_id, member_id).values()): (shg_id, member_id) for shg_id, member_id in members
    }
    found = read_items((member_key(*pair) for pair in wanted.values()), ("pk", "sk", IMPORTED))
    return {wanted[key]: item for key, item in found.items()}


def read_item(key: Mapping[str, str]) -> dict[str, Any] | None:
    item: dict[str, Any] | None = _table().get_item(Key=dict(key), ConsistentRead=True).get("Item")
    return item


IMPORTED = "imported"


def imported_text(source: Mapping[str, Any]) -> str:
    """What the import sheets said of an item, kept as one JSON string attribute: one value to read
    back (and project) instead of a map of as many values as the sheet has columns."""
    return json.dumps(dict(source), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def imported_of(item: Mapping[str, Any]) -> dict[str, Any]:
    """The `imported` memory of an item (empty for items no import wrote)."""
    text = item.get(IMPORTED)
    return dict(json.loads(str(text))) if text else {}


# --- changes with their history ------------------------------------------------------------


def put_action(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": settings().REGISTRY_TABLE, "Item": serialize(item)}}


def delete_action(key: Mapping[str, str]) -> dict[str, Any]:
    return {"Delete": {"TableName": settings().REGISTRY_TABLE, "Key": serialize(key)}}


def update_action(
    key: Mapping[str, str], fields: Mapping[str, Any], *, add: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """SET `fields` (and ADD `add`) on an item that must exist."""
    add = add or {}
    names = {f"#f{i}": name for i, name in enumerate([*fields, *add])}
    values = to_attributes({f":v{i}": value for i, value in enumerate([*fields.values(), *add.values()])})
    sets = [f"#f{i} = :v{i}" for i in range(len(fields))]
    adds = [f"#f{i} :v{i}" for i in range(len(fields), len(fields) + len(add))]
    expression = ("SET " + ", ".join(sets) if sets else "") + (" ADD " + ", ".join(adds) if adds else "")
    return {
        "Update": {
            "TableName": settings().REGISTRY_TABLE,
            "Key": serialize(key),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize(values),
        }
    }


def history_pk(entity: str, entity_id: str) -> str:
    return f"HISTORY#{entity}#{entity_id}"


def history_action(
    entity: str,
    entity_id: str,
    changes: Mapping[str, tuple[Any, Any]],
    *,
    by: str,
    at: datetime,
    via: str,
    **extra: Any,
) -> dict[str, Any]:
    """A Put of one change's record: each field from what to what, who, when and through what."""
    item = {
        "pk": history_pk(entity, entity_id),
        "sk": f"{at.isoformat()}#{uuid.uuid4().hex[:8]}",
        "entity": "history",
        "changes": {name: {"from": old, "to": new} for name, (old, new) in changes.items()},
        "by": by,
        "at": at.isoformat(),
        "via": via,
        **extra,
    }
    return put_action(to_attributes(item))


def commit(actions: list[dict[str, Any]]) -> None:
    """All or nothing (one TransactWriteItems, at most 100 actions)."""
    transact(actions)


def history(entity: str, entity_id: str) -> list[dict[str, Any]]:
    """The recorded changes of one member or product, oldest first."""
    return [from_item(item) for item in query_all(_table(), Key("pk").eq(history_pk(entity, entity_id)))]
