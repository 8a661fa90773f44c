"""Register SHGs and products for tests: photos are filed only under a product of the key's SHG."""

from __future__ import annotations

from chalicelib.registry import repository as registry
from chalicelib.registry.models import Registry


def register(shg_id: str, *product_ids: str, district: str = "Budgam", block: str = "Khansahib") -> None:
    """One SHG with these products (no members: nobody is told of a rejection)."""
    registry.seed(
        Registry.model_validate(
            {
                "shgs": [
                    {
                        "shg_id": shg_id,
                        "name": "Test SHG",
                        "district": district,
                        "block": block,
                        "village": "V",
                    }
                ],
                "members": [],
                "products": [
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
            }
        )
    )
