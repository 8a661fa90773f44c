"""Register SHGs and products for tests: photos are filed only under a product of the key's SHG."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Member, Product


def put(
    shgs: Sequence[dict[str, Any]], products: Sequence[dict[str, Any]], members: Sequence[dict[str, Any]] = ()
) -> None:
    """SHGs, members and products (with their SKU pointers) as plain fields, straight into the registry."""
    groups = {group.shg_id: group for group in (SHG.model_validate(fields) for fields in shgs)}
    for group in groups.values():
        registry.put_shg(group)
    for fields in members:
        registry.put_member(Member.model_validate(fields))
    for fields in products:
        product = Product.model_validate(fields)
        registry.put_product(product, groups[product.shg_id])


def register(shg_id: str, *product_ids: str, district: str = "Budgam", block: str = "Khansahib") -> None:
    """One SHG with these products (no members: nobody is told of a rejection)."""
    put(
        [{"shg_id": shg_id, "name": "Test SHG", "district": district, "block": block, "village": "V"}],
        [
            {
                "product_id": product_id,
                "shg_id": shg_id,
                "sku": f"SKU-{product_id}",
                "craft": "papier_mache",
                "title": "Test product",
                "price_paise": 100000,
            }
            for product_id in product_ids
        ],
    )
