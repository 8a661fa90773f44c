"""A small mission area for catalogue tests: SHGs in two districts, products with and without listings."""

from __future__ import annotations

from typing import Any

from chalicelib.auth import Role, issue_local_token
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Product


def seed_two_districts(unique: str) -> dict[str, str]:
    """Two SHGs in Budgam (two products in the first) and one in Kupwara, each id unique to the test."""
    ids = {
        "shg": f"SHG-A-{unique}",
        "shg_same_district": f"SHG-B-{unique}",
        "shg_elsewhere": f"SHG-K-{unique}",
        "product": f"P-A1-{unique}",
        "second_product": f"P-A2-{unique}",
        "product_elsewhere": f"P-K1-{unique}",
        "district": f"Budgam-{unique}",
        "other_district": f"Kupwara-{unique}",
    }

    def shg(shg_id: str, name: str, district: str) -> dict[str, str]:
        return {"shg_id": shg_id, "name": name, "district": district, "block": "Block", "village": "Village"}

    def product(product_id: str, shg_id: str, title: str, listings: list[str]) -> dict[str, Any]:
        return {
            "product_id": product_id,
            "shg_id": shg_id,
            "sku": f"SKU-{product_id}",
            "craft": "sozani_embroidery",
            "title": title,
            "price_paise": 250000,
            "listings": [{"channel": c, "channel_sku": f"{c}-{product_id}"} for c in listings],
        }

    shgs = {
        shg_id: SHG.model_validate(shg(shg_id, name, district))
        for shg_id, name, district in (
            (ids["shg"], "Zainab SHG", ids["district"]),
            (ids["shg_same_district"], "Arshi SHG", ids["district"]),
            (ids["shg_elsewhere"], "Kupwara SHG", ids["other_district"]),
        )
    }
    for group in shgs.values():
        registry.put_shg(group)
    for product_id, shg_id, title, listings in (
        (ids["product"], ids["shg"], "Sozani stole", ["flipkart", "haat"]),
        (ids["second_product"], ids["shg"], "Aari cushion cover", []),
        (ids["product_elsewhere"], ids["shg_elsewhere"], "Namda rug", ["meesho"]),
    ):
        registry.put_product(
            Product.model_validate(product(product_id, shg_id, title, listings)), shgs[shg_id]
        )
    return ids


def resource_person(*shg_ids: str) -> str:
    return issue_local_token("rp-sub-1", Role.RESOURCE_PERSON, shg_ids=shg_ids)
