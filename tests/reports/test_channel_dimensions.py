"""Channel and outlet dimensions of the digest, per scope, checked against totals computed by hand.

District D1 has SHG A (block Harwan) and SHG C (block Ganderbal); district D2 has SHG B. Report
date 20 Nov 2026 (IST); month to date from 1 Nov.

| order | channel (outlet) | SHG | value | placed | life |
| FK | flipkart | A | 2 x 1,000 | 11-18 | shipped 11-18, delivered 11-19, paid 900 (fee 100) on 11-20 |
| AZ | amazon | A | 1,000 | 11-18 | dispatch by 11-18 18:00, shipped 11-19: SLA breach on 11-19 |
| SR | haat (SARAS-DELHI) | A | 500 | 11-20 | - |
| HS | haat (HAAT-SRINAGAR) | A | 300 | 11-20 | cancelled 11-20 |
| MS | meesho | B | 700 | 11-10 | delivered 11-12, returned 11-20 |
| ON | ondc | C | 400 | 11-20 | - |
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from chalicelib.orders.models import OrderStatus
from chalicelib.registry.models import Channel
from chalicelib.reports import digest
from chalicelib.reports.digest import Scope
from chalicelib.reports.settings import report_settings
from tests.reports.helpers import OrderStory, line, seed_shg, utc

REPORT_DATE = date(2026, 11, 20)


def ist(text: str) -> Any:
    return utc(text + "+05:30")


@pytest.fixture(scope="module")
def sales(local_aws: object) -> dict[str, str]:
    u = uuid.uuid4().hex[:8]
    shg_a, _ = seed_shg(f"A-{u}", f"D1-{u}", "Harwan", "2025-01-01", {f"A-{u}-M01": 1.0})
    shg_b, _ = seed_shg(f"B-{u}", f"D2-{u}", "Sopore", "2025-01-01", {f"B-{u}-M01": 1.0})
    shg_c, _ = seed_shg(f"C-{u}", f"D1-{u}", "Ganderbal", "2025-01-01", {f"C-{u}-M01": 1.0})
    a, b, c = [f"A-{u}-M01"], [f"B-{u}-M01"], [f"C-{u}-M01"]
    fk = OrderStory(
        Channel.FLIPKART, f"FK-{u}", [line(shg_a, a, 2, 1_000, "sozani")], ist("2026-11-18T10:00")
    )
    fk.move(OrderStatus.SHIPPED, ist("2026-11-18T12:00")).move(OrderStatus.DELIVERED, ist("2026-11-19T10:00"))
    fk.pay(ist("2026-11-20T10:00"), 900, 100)
    az = OrderStory(
        Channel.AMAZON,
        f"AZ-{u}",
        [line(shg_a, a, 1, 1_000, "sozani")],
        ist("2026-11-18T10:00"),
        ist("2026-11-18T18:00"),
    )
    az.move(OrderStatus.SHIPPED, ist("2026-11-19T09:00"))
    OrderStory(
        Channel.HAAT,
        f"SR-{u}",
        [line(shg_a, a, 1, 500, "namda")],
        ist("2026-11-20T11:00"),
        outlet_id="SARAS-DELHI",
    )
    hs = OrderStory(
        Channel.HAAT,
        f"HS-{u}",
        [line(shg_a, a, 1, 300, "namda")],
        ist("2026-11-20T11:00"),
        outlet_id="HAAT-SRINAGAR",
    )
    hs.move(OrderStatus.CANCELLED, ist("2026-11-20T12:00"))
    ms = OrderStory(Channel.MEESHO, f"MS-{u}", [line(shg_b, b, 1, 700, "sozani")], ist("2026-11-10T10:00"))
    ms.move(OrderStatus.DELIVERED, ist("2026-11-12T10:00")).move(
        OrderStatus.RETURN_REQUESTED, ist("2026-11-15T10:00")
    )
    ms.move(OrderStatus.RETURNED, ist("2026-11-20T10:00"))
    OrderStory(Channel.ONDC, f"ON-{u}", [line(shg_c, c, 1, 400, "namda")], ist("2026-11-20T09:00"))
    return {
        "D1": shg_a.district,
        "D2": shg_b.district,
        "A": shg_a.shg_id,
        "B": shg_b.shg_id,
        "C": shg_c.shg_id,
    }


def _summary(scope: Scope) -> dict[str, Any]:
    document = json.loads(digest.to_json(digest.build(REPORT_DATE, report_settings(), scope)))
    assert document["scope"] == scope.model_dump()
    return dict(document["summary"])


def _pick(figures: dict[str, int], *names: str) -> dict[str, int]:
    return {name: figures[name] for name in names}


def test_channel_and_outlet_figures_of_a_district_match_hand_totals(sales: dict[str, str]) -> None:
    summary = _summary(Scope(district=sales["D1"]))
    mtd, day = summary["mtd"], summary["day"]
    names = (
        "orders",
        "gmv_paise",
        "cancellations",
        "returns",
        "sla_breaches",
        "payout_paise",
        "channel_fee_paise",
    )
    assert set(mtd["by_channel"]) == {"flipkart", "meesho", "amazon", "ondc", "haat"}
    assert _pick(mtd["by_channel"]["flipkart"], *names) == {
        "orders": 1, "gmv_paise": 200_000, "cancellations": 0, "returns": 0, "sla_breaches": 0,
        "payout_paise": 90_000, "channel_fee_paise": 10_000,
    }  # fmt: skip
    assert _pick(mtd["by_channel"]["amazon"], "orders", "gmv_paise", "sla_breaches") == {
        "orders": 1, "gmv_paise": 100_000, "sla_breaches": 1,
    }  # fmt: skip
    assert _pick(mtd["by_channel"]["haat"], "orders", "gmv_paise", "cancellations") == {
        "orders": 2, "gmv_paise": 80_000, "cancellations": 1,
    }  # fmt: skip
    assert mtd["by_channel"]["meesho"]["orders"] == 0  # SHG B is in D2
    assert _pick(mtd["by_channel"]["ondc"], "orders", "gmv_paise") == {"orders": 1, "gmv_paise": 40_000}
    assert {k: _pick(v, "orders", "gmv_paise", "cancellations") for k, v in mtd["by_outlet"].items()} == {
        "HAAT-SRINAGAR": {"orders": 1, "gmv_paise": 30_000, "cancellations": 1},
        "SARAS-DELHI": {"orders": 1, "gmv_paise": 50_000, "cancellations": 0},
    }
    assert _pick(mtd["totals"], "orders", "gmv_paise", "cancellations", "sla_breaches") == {
        "orders": 5, "gmv_paise": 420_000, "cancellations": 1, "sla_breaches": 1,
    }  # fmt: skip
    assert {k: v["gmv_paise"] for k, v in mtd["by_craft"].items()} == {"namda": 120_000, "sozani": 300_000}
    # The report day alone: the two haat bills, the ONDC order and Flipkart's payout.
    assert _pick(day["totals"], "orders", "gmv_paise", "payout_paise") == {
        "orders": 3, "gmv_paise": 120_000, "payout_paise": 90_000,
    }  # fmt: skip
    assert day["by_channel"]["amazon"]["orders"] == 0


def test_a_district_digest_holds_only_its_district(sales: dict[str, str]) -> None:
    built = digest.build(REPORT_DATE, report_settings(), Scope(district=sales["D2"]))
    text = digest.to_json(built).decode() + digest.to_csv(built).decode()
    assert sales["B"] in text
    for elsewhere in (sales["A"], sales["C"], sales["D1"]):
        assert elsewhere not in text
    summary = built.summary("mtd")
    assert _pick(summary["by_channel"]["meesho"], "orders", "gmv_paise", "returns") == {
        "orders": 1, "gmv_paise": 70_000, "returns": 1,
    }  # fmt: skip
    assert built.channel_poll_failures == {}
    assert {r.dimension for r in built.rows} <= {
        "district",
        "block",
        "shg",
        "channel",
        "outlet",
        "block_craft",
    }


def test_a_block_digest_holds_only_its_block(sales: dict[str, str]) -> None:
    built = digest.build(REPORT_DATE, report_settings(), Scope(district=sales["D1"], block="Ganderbal"))
    text = digest.to_json(built).decode()
    assert sales["C"] in text
    assert sales["A"] not in text
    assert built.summary("mtd")["totals"]["gmv_paise"] == 40_000
    assert "district" not in {r.dimension for r in built.rows}


def test_a_block_scope_names_its_district() -> None:
    with pytest.raises(ValueError, match="names its district"):
        Scope(block="Harwan")
