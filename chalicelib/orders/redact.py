"""Mask buyers' personal data in a raw order message before Haat keeps it (the quarantine).

An operator needs the message's shape and the reason it was refused, never who bought it: names,
phone numbers, e-mail addresses and address lines become MASK; city, state and pincode stay (Haat
keeps those on every order). JSON is masked by key, then every string (and a body that is not JSON
at all) is swept for e-mail addresses and Indian phone numbers.
"""

from __future__ import annotations

import json
import re
from typing import Any

MASK = "[masked]"
# Keys (lower case, letters and digits only) whose values identify a person or a doorstep.
_PERSONAL_KEYS = frozenset(
    {
        "name",
        "fullname",
        "firstname",
        "lastname",
        "buyer",
        "buyername",
        "customer",
        "customername",
        "recipient",
        "consignee",
        "door",
        "building",
        "street",
        "locality",
        "ward",
        "landmark",
        "line1",
        "line2",
        "line3",
        "address1",
        "address2",
        "address3",
        "addressline1",
        "addressline2",
        "addressline3",
        "gps",
        "taxnumber",
        "gstin",
    }
)
_PERSONAL_PARTS = ("phone", "mobile", "email", "contact")
# An address given as one string is a doorstep; as an object it is masked field by field above.
_ADDRESS_PARTS = ("address",)
# Names that are not people: catalogue descriptors and providers (the SHG's own name).
_NOT_PEOPLE = frozenset({"descriptor", "provider", "item", "items"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?![\w])")
_JSON_PAIR = re.compile(r'("(?P<key>[^"\\]{1,60})"\s*:\s*)"(?:[^"\\]|\\.)*"')


def _normal(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower().rsplit("/", 1)[-1])


def _personal(key: str, value: Any) -> bool:
    normal = _normal(key)
    if normal in _PERSONAL_KEYS or any(part in normal for part in _PERSONAL_PARTS):
        return True
    return isinstance(value, str) and any(part in normal for part in _ADDRESS_PARTS)


def _sweep(text: str) -> str:
    return _PHONE.sub(MASK, _EMAIL.sub(MASK, text))


def _mask(value: Any, parent: str = "") -> Any:
    if isinstance(value, dict):
        return {
            key: MASK
            if _personal(key, inner) and not (_normal(key) == "name" and _normal(parent) in _NOT_PEOPLE)
            else _mask(inner, key)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_mask(inner, parent) for inner in value]
    if isinstance(value, str):
        return _sweep(value)
    return value


def _mask_text(body: str) -> str:
    """A body that is not JSON: mask "key": "value" pairs with personal keys, then sweep."""

    def pair(match: re.Match[str]) -> str:
        return f'{match.group(1)}"{MASK}"' if _personal(match["key"], "") else match.group(0)

    return _sweep(_JSON_PAIR.sub(pair, body))


def masked_body(body: str) -> str:
    """The raw message with buyers' personal data masked (JSON stays JSON, compact)."""
    try:
        return json.dumps(_mask(json.loads(body)), ensure_ascii=False, separators=(",", ":"))
    except (ValueError, RecursionError):  # not JSON, or nested deeper than a parser goes
        return _mask_text(body)
