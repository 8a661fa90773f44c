"""DynamoDB storage for the registry (key design in the README): the only module that builds the
registry table's keys. Others read SHGs, members, products and SKU pointers, and take stock,
through these functions."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, query_all, serialize, to_item
from chalicelib.registry.models import SHG, Language, Member, Product, Registry


def table_name() -> str:
    return settings().REGISTRY_TABLE


def _table() -> Any:
    return aws.table(table_name())


def sku_key(sku: str, channel: str = "") -> dict[str, str]:
    """Key of the pointer item that maps a (channel) SKU to its product, SHG and makers."""
    return {"pk": f"SKU#{channel}#{sku}" if channel else f"SKU#{sku}", "sk": "SKU"}


def pointer_sku(item: dict[str, Any]) -> str:
    """The (channel) SKU a pointer item read by `sku_key` maps."""
    return str(item["pk"]).split("#", 2)[-1]


def shg_key(shg_id: str) -> dict[str, str]:
    return {"pk": f"SHG#{shg_id}", "sk": "PROFILE"}


def product_key(product_id: str) -> dict[str, str]:
    return {"pk": f"PRODUCT#{product_id}", "sk": "PROFILE"}


def put_shg(shg: SHG) -> None:
    _table().put_item(
        Item=to_item(
            shg,
            **shg_key(shg.shg_id),
            gsi1pk=f"DISTRICT#{shg.district}",
            gsi1sk=f"SHG#{shg.shg_id}",
            entity="shg",
        )
    )


def put_member(member: Member) -> None:
    _table().put_item(
        Item=to_item(
            member,
            pk=f"SHG#{member.shg_id}",
            sk=f"MEMBER#{member.member_id}",
            gsi1pk=f"MEMBER#{member.member_id}",
            gsi1sk="MEMBER",
            entity="member",
        )
    )


def put_product(product: Product, shg: SHG) -> None:
    """Store a product with its SKU pointers, denormalised so an order line resolves in one read."""
    table = _table()
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
    with table.batch_writer() as batch:
        batch.put_item(
            Item=to_item(
                product,
                **product_key(product.product_id),
                gsi1pk=f"SHG#{product.shg_id}",
                gsi1sk=f"PRODUCT#{product.product_id}",
                entity="product",
            )
        )
        batch.put_item(Item={**sku_key(product.sku), **pointer})
        for listing in product.listings:
            batch.put_item(Item={**sku_key(listing.channel_sku, listing.channel.value), **pointer})


def get_shg(shg_id: str) -> SHG | None:
    item = _table().get_item(Key=shg_key(shg_id)).get("Item")
    return SHG.model_validate(from_item(item)) if item else None


def get_product(product_id: str) -> Product | None:
    item = _table().get_item(Key=product_key(product_id)).get("Item")
    return Product.model_validate(from_item(item)) if item else None


def get_member(shg_id: str, member_id: str) -> Member | None:
    item = _table().get_item(Key={"pk": f"SHG#{shg_id}", "sk": f"MEMBER#{member_id}"}).get("Item")
    return Member.model_validate(from_item(item)) if item else None


def _index_items(partition: str, sort_prefix: str) -> list[dict[str, Any]]:
    """The items of one gsi1 partition whose sort key starts with `sort_prefix`."""
    condition = Key("gsi1pk").eq(partition) & Key("gsi1sk").begins_with(sort_prefix)
    return [from_item(item) for item in query_all(_table(), condition, IndexName="gsi1")]


def shgs_in_district(district: str) -> list[SHG]:
    return [SHG.model_validate(item) for item in _index_items(f"DISTRICT#{district}", "SHG#")]


def products_of(shg_id: str) -> list[Product]:
    return [Product.model_validate(item) for item in _index_items(f"SHG#{shg_id}", "PRODUCT#")]


def members_of(shg_id: str) -> list[Member]:
    condition = Key("pk").eq(f"SHG#{shg_id}") & Key("sk").begins_with("MEMBER#")
    return [Member.model_validate(from_item(item)) for item in query_all(_table(), condition)]


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


def seed(registry: Registry) -> dict[str, int]:
    """Load a registry export; re-running it overwrites the same items."""
    shgs = {shg.shg_id: shg for shg in registry.shgs}
    for shg in registry.shgs:
        put_shg(shg)
    for member in registry.members:
        put_member(member)
    for product in registry.products:
        put_product(product, shgs[product.shg_id])
    return {"shgs": len(registry.shgs), "members": len(registry.members), "products": len(registry.products)}
