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
_DIGITS = re.compile(r"[0-9]{1,12}")  # ASCII only: int() would also take "²" or Devanagari digits
MAX_ONDC_SIGNATURE_LIFETIME_S = 3600  # a signature valid for longer is refused (expires - created)
ED25519_SIGNATURE_BYTES = 64


class BadSignature(Exception):
    """Missing, malformed, expired or wrong signature (the API answers 401)."""


def strict_b64decode(text: str) -> bytes:
    """Base64 in its one canonical spelling: no characters outside the alphabet, right padding, and
    the text must be exactly what encoding the bytes gives (no stray bits in the last character)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise BadSignature("signature is not base64") from error
    if base64.b64encode(raw).decode() != text:
        raise BadSignature("signature is not canonical base64")
    return raw


# --- haat: HMAC-SHA256 over "{timestamp}.{raw body}" ------------------------------------------


def haat_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_haat(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, window_s: int
) -> bytes:
    """The signature's bytes (the replay marker's key) if it is right; else BadSignature.

    The timestamp is signed with the body, so an old request cannot be replayed with a new one."""
    if not _DIGITS.fullmatch(timestamp):
        raise BadSignature("missing or malformed timestamp")
    if abs(now - int(timestamp)) > window_s:
        raise BadSignature("timestamp outside the replay window")
    expected = haat_signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), (signature or "").encode("utf-8", "replace")):
        raise BadSignature("signature does not match")
    return bytes.fromhex(expected.removeprefix("sha256="))


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
    pairs = _PARAM.findall(rest)
    params = dict(pairs)
    if len(params) != len(pairs):
        raise BadSignature("Signature repeats a parameter")
    if not {"keyId", "created", "expires", "signature"} <= params.keys():
        raise BadSignature("Signature lacks keyId, created, expires or signature")
    parts = params["keyId"].split("|")
    if len(parts) != 3 or parts[2] != "ed25519" or not parts[0] or not parts[1]:
        raise BadSignature("keyId must be subscriber_id|unique_key_id|ed25519")
    params["subscriber_id"], params["unique_key_id"] = parts[0], parts[1]
    return params


def verify_ondc(
    params: dict[str, str], public_key_b64: str, body: bytes, *, now: float, skew_s: int = 60
) -> bytes:
    """The signature's bytes (the replay marker's key) if it verifies; else BadSignature."""
    if not (_DIGITS.fullmatch(params["created"]) and _DIGITS.fullmatch(params["expires"])):
        raise BadSignature("created/expires are not integers")
    created, expires = int(params["created"]), int(params["expires"])
    if not 0 < expires - created <= MAX_ONDC_SIGNATURE_LIFETIME_S:
        raise BadSignature("signature lifetime (expires - created) outside 1 s .. 1 hour")
    if created > now + skew_s or expires < now:
        raise BadSignature("signature expired or not yet valid")
    if params.get("headers", ONDC_SIGNED_HEADERS) != ONDC_SIGNED_HEADERS:
        raise BadSignature("unsupported signed headers")
    signature = strict_b64decode(params["signature"])
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise BadSignature("signature is not an ed25519 signature")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(signature, ondc_signing_string(created, expires, body).encode())
    except (InvalidSignature, ValueError) as error:
        raise BadSignature("signature does not verify") from error
    return signature


def new_ed25519_keypair() -> tuple[str, str]:
    """(private, public) raw keys, base64 - the form the ONDC registry publishes signing keys in."""
    from cryptography.hazmat.primitives import serialization

    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()
