"""Webhook signatures: HMAC-SHA256 for the mission's outlets, ed25519 over BLAKE2b-512 for ONDC.

Pure functions (no AWS): the API verifies with them, the CLI, tests and demo sign with them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HAAT_OUTLET_HEADER = "X-Haat-Outlet"
HAAT_TIMESTAMP_HEADER = "X-Haat-Timestamp"
HAAT_SIGNATURE_HEADER = "X-Haat-Signature"
ONDC_SIGNED_HEADERS = "(created) (expires) digest"
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class BadSignature(Exception):
    """Missing, malformed, expired or wrong signature (the API answers 401)."""


# --- haat: HMAC-SHA256 over "{timestamp}.{raw body}" ------------------------------------------


def haat_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_haat(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, window_s: int
) -> None:
    """The timestamp is signed with the body, so an old request cannot be replayed with a new one."""
    if not timestamp.isdigit():
        raise BadSignature("missing or malformed timestamp")
    if abs(now - int(timestamp)) > window_s:
        raise BadSignature("timestamp outside the replay window")
    if not hmac.compare_digest(haat_signature(secret, timestamp, body), signature or ""):
        raise BadSignature("signature does not match")


# --- ONDC: ed25519 over the signing string of (created), (expires) and the BLAKE2b-512 digest ------


def ondc_digest(body: bytes) -> str:
    return base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()


def ondc_signing_string(created: int, expires: int, body: bytes) -> str:
    return f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={ondc_digest(body)}"


def ondc_authorization(
    private_key_b64: str,
    subscriber_id: str,
    unique_key_id: str,
    body: bytes,
    *,
    created: int,
    ttl_s: int = 300,
) -> str:
    """The Authorization header an ONDC network participant sends with `body`."""
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    expires = created + ttl_s
    signature = base64.b64encode(key.sign(ondc_signing_string(created, expires, body).encode())).decode()
    return (
        f'Signature keyId="{subscriber_id}|{unique_key_id}|ed25519",algorithm="ed25519",'
        f'created="{created}",expires="{expires}",headers="{ONDC_SIGNED_HEADERS}",signature="{signature}"'
    )


def parse_ondc_authorization(header: str) -> dict[str, str]:
    scheme, _, rest = (header or "").strip().partition(" ")
    if scheme != "Signature":
        raise BadSignature("Authorization is not an ONDC Signature")
    params = dict(_PARAM.findall(rest))
    if not {"keyId", "created", "expires", "signature"} <= params.keys():
        raise BadSignature("Signature lacks keyId, created, expires or signature")
    parts = params["keyId"].split("|")
    if len(parts) != 3 or parts[2] != "ed25519" or not parts[0] or not parts[1]:
        raise BadSignature("keyId must be subscriber_id|unique_key_id|ed25519")
    params["subscriber_id"], params["unique_key_id"] = parts[0], parts[1]
    return params


def verify_ondc(
    params: dict[str, str], public_key_b64: str, body: bytes, *, now: float, skew_s: int = 60
) -> None:
    try:
        created, expires = int(params["created"]), int(params["expires"])
    except ValueError as error:
        raise BadSignature("created/expires are not integers") from error
    if created > now + skew_s or expires < now:
        raise BadSignature("signature expired or not yet valid")
    if params.get("headers", ONDC_SIGNED_HEADERS) != ONDC_SIGNED_HEADERS:
        raise BadSignature("unsupported signed headers")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(
            base64.b64decode(params["signature"]), ondc_signing_string(created, expires, body).encode()
        )
    except (InvalidSignature, ValueError) as error:
        raise BadSignature("signature does not verify") from error


def new_ed25519_keypair() -> tuple[str, str]:
    """(private, public) raw keys, base64 - the form the ONDC registry publishes signing keys in."""
    from cryptography.hazmat.primitives import serialization

    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()
