"""Edits between imports through the API and the CLI: scoped, validated, and each recorded with
who made it, when and through what; the sender uses the new mobile and language at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from chalice import Chalice
from chalice.test import Client
from click.testing import Result

from chalicelib.auth import Role, issue_local_token
from chalicelib.registry import repository
from chalicelib.registry.models import Language
from tests.registry.helpers import (
    MEMBER_HEADERS,
    PRODUCT_HEADERS,
    SHG_HEADERS,
    headers,
    member,
    product,
    run_import,
    shg,
    table,
    token,
)


@pytest.fixture
def group(client: Client, app: Chalice, unique: str) -> str:
    code = f"ED{unique}"
    run_import(client, app, table(SHG_HEADERS, [shg(code, "Budgam")]).encode(), "shgs.csv")
    run_import(
        client, app, table(MEMBER_HEADERS, [member(f"{code}-1", code, mobile="9811111111")]).encode(), "m.csv"
    )
    run_import(
        client, app, table(PRODUCT_HEADERS, [product(f"{code}-SKU", code, stock="4")]).encode(), "p.csv"
    )
    return code


def _patch(client: Client, path: str, body: dict[str, Any], bearer: str | None = None) -> Any:
    return client.http.patch(
        path, headers=headers(bearer or token(subject="budgam-dmmu")), body=json.dumps(body)
    )


def test_member_mobile_language_and_opt_out_with_consent(client: Client, group: str) -> None:
    member_id = f"{group}-1"
    changed = _patch(client, f"/members/{member_id}", {"mobile": "098765 43210", "language": "Hindi"})
    assert changed.status_code == 200, changed.body
    assert changed.json_body["changes"] == {
        "phone": {"from": "+919811111111", "to": "+919876543210"},
        "language": {"from": "ur", "to": "hi"},
    }
    opted = _patch(
        client,
        f"/members/{member_id}",
        {
            "sms_opt_out": True,
            "consent_date": "28-11-2026",
            "consent_source": "written form at the block office",
        },
    )
    assert opted.status_code == 200, opted.body
    stored = repository.get_member(group, member_id)
    assert stored is not None
    assert (stored.phone, stored.language, stored.sms_opt_out) == ("+919876543210", Language.HINDI, True)
    assert stored.sms_consent is not None
    assert (stored.sms_consent.given_on, stored.sms_consent.source, stored.sms_consent.recorded_by) == (
        "2026-11-28",
        "written form at the block office",
        "budgam-dmmu",
    )
    history = client.http.get(f"/members/{member_id}/history", headers=headers(token())).json_body["history"]
    assert [sorted(entry["changes"]) for entry in history] == [
        ["language", "phone"],
        ["sms_consent", "sms_opt_out"],
    ]
    assert all(entry["by"] == "budgam-dmmu" and entry["via"] == "api" and entry["at"] for entry in history)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"mobile": "12345"}, "10-digit"),
        ({"language": "French"}, "unknown language"),
        ({"sms_opt_out": True}, "consent_date and consent_source"),
        ({"sms_opt_out": True, "consent_date": "01-01-2999", "consent_source": "call"}, "future"),
        ({}, "nothing to change"),
        ({"phone": "9876543210"}, "Extra inputs"),
    ],
)
def test_bad_member_edits_are_400_with_the_reason(
    client: Client, group: str, body: dict[str, Any], words: str
) -> None:
    refused = _patch(client, f"/members/{group}-1", body)
    assert refused.status_code == 400
    assert words in refused.json_body["error"]


def test_edits_are_scoped_to_the_callers_area(client: Client, group: str) -> None:
    jammu = token(Role.DISTRICT_COORDINATOR, "Jammu", subject="jammu-dmmu")
    assert _patch(client, f"/members/{group}-1", {"language": "en"}, jammu).status_code == 403
    assert _patch(client, f"/products/P-{group}-SKU", {"price": "100"}, jammu).status_code == 403
    budgam = token(Role.DISTRICT_COORDINATOR, "Budgam", subject="budgam-dmmu")
    assert _patch(client, f"/members/{group}-1", {"language": "en"}, budgam).status_code == 200
    assert _patch(client, "/members/NO-SUCH-MEMBER", {"language": "en"}, budgam).status_code == 404
    her_rp = issue_local_token("rp-1", Role.RESOURCE_PERSON, shg_ids=[group])
    other_rp = issue_local_token("rp-2", Role.RESOURCE_PERSON, shg_ids=["SOMEONE-ELSE"])
    assert _patch(client, f"/products/P-{group}-SKU", {"stock": 9}, her_rp).status_code == 200
    assert _patch(client, f"/products/P-{group}-SKU", {"stock": 8}, other_rp).status_code == 403
    harwan = issue_local_token("bc-1", Role.BLOCK_COORDINATOR, district="Budgam", block="Chadoora")
    assert _patch(client, f"/members/{group}-1", {"language": "hi"}, harwan).status_code == 403


def test_product_price_short_name_stock_and_restock(client: Client, group: str) -> None:
    path = f"/products/P-{group}-SKU"
    changed = _patch(client, path, {"price": "₹2,100", "short_name": {"ur": "پیپر ماشی ڈبہ"}, "stock": 6})
    assert changed.status_code == 200, changed.body
    assert changed.json_body["changes"]["price_paise"] == {"from": 180000, "to": 210000}
    restocked = client.http.post(
        f"{path}/restock", headers=headers(token()), body=json.dumps({"quantity": 5})
    )
    assert restocked.status_code == 200
    assert restocked.json_body["restocked"] == 5
    stored = repository.get_product(f"P-{group}-SKU")
    assert stored is not None
    assert (stored.price_paise, stored.stock) == (210000, 11)
    assert stored.short_name == {Language.HINDI: "पेपर माशी डिब्बा", Language.URDU: "پیپر ماشی ڈبہ"}
    pointer = repository.read_item(repository.sku_key(f"FK-{group}-SKU", "flipkart"))  # what an order reads
    assert pointer is not None
    assert pointer["short_name"]["ur"] == "پیپر ماشی ڈبہ"
    too_long = _patch(client, path, {"short_name": {"hi": "x" * 31}})
    assert too_long.status_code == 400
    history = repository.history("PRODUCT", f"P-{group}-SKU")
    assert [entry.get("restocked") for entry in history] == [None, 5]


def test_the_cli_edits_and_shows_history(cli: Callable[..., Result], group: str) -> None:
    cli(
        "registry",
        "member",
        f"{group}-1",
        "--sms-opt-out",
        "--consent-date",
        "2026-11-29",
        "--consent-source",
        "phone call",
    )
    cli("registry", "product", f"P-{group}-SKU", "--price", "1999", "--short-name", "en=Paper box")
    cli("registry", "restock", f"P-{group}-SKU", "3")
    member_history = json.loads(cli("registry", "history", "member", f"{group}-1").output)
    assert member_history[-1]["changes"]["sms_opt_out"] == {"from": False, "to": True}
    assert member_history[-1]["via"] == "cli"
    stored = repository.get_product(f"P-{group}-SKU")
    assert stored is not None
    assert (stored.price_paise, stored.stock, stored.short_name[Language.ENGLISH]) == (199900, 7, "Paper box")
