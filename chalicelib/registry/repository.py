"""DynamoDB storage for the registry (key design in the README)."""

from __future__ import annotations

from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import from_item, to_item
from chalicelib.registry.models import SHG, Member, Product, Registry


def _table() -> Any:
    return aws.table(settings().REGISTRY_TABLE)


def sku_key(sku: str, channel: str = "") -> dict[str, str]:
    """Key of the pointer item that maps a (channel) SKU to its product, SHG and makers."""
    return {"pk": f"SKU#{channel}#{sku}" if channel else f"SKU#{sku}", "sk": "SKU"}


def put_shg(shg: SHG) -> None:
    _table().put_item(
        Item=to_item(
            shg,
            pk=f"SHG#{shg.shg_id}",
            sk="PROFILE",
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
    }
    with table.batch_writer() as batch:
        batch.put_item(
            Item=to_item(
                product,
                pk=f"PRODUCT#{product.product_id}",
                sk="PROFILE",
                gsi1pk=f"SHG#{product.shg_id}",
                gsi1sk=f"PRODUCT#{product.product_id}",
                entity="product",
            )
        )
        batch.put_item(Item={**sku_key(product.sku), **pointer})
        for listing in product.listings:
            batch.put_item(Item={**sku_key(listing.channel_sku, listing.channel.value), **pointer})


def get_shg(shg_id: str) -> SHG | None:
    item = _table().get_item(Key={"pk": f"SHG#{shg_id}", "sk": "PROFILE"}).get("Item")
    return SHG.model_validate(from_item(item)) if item else None


def get_product(product_id: str) -> Product | None:
    item = _table().get_item(Key={"pk": f"PRODUCT#{product_id}", "sk": "PROFILE"}).get("Item")
    return Product.model_validate(from_item(item)) if item else None


def get_member(shg_id: str, member_id: str) -> Member | None:
    item = _table().get_item(Key={"pk": f"SHG#{shg_id}", "sk": f"MEMBER#{member_id}"}).get("Item")
    return Member.model_validate(from_item(item)) if item else None


def members_of(shg_id: str) -> list[Member]:
    response = _table().query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :member)",
        ExpressionAttributeValues={":pk": f"SHG#{shg_id}", ":member": "MEMBER#"},
    )
    return [Member.model_validate(from_item(item)) for item in response["Items"]]


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
