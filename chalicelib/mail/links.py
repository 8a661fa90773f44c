"""Signed links to the dashboard page for one scope and day, valid for LINK_DAYS.

A presigned S3 URL is capped at 7 days with SigV4; this link is the app's own page, signed with
an HMAC key kept in SSM ({SECRETS_PREFIX}/digest/link-key), so it lasts as long as the mission
wants and rotating the key revokes every link at once. The token is URL-safe base64 of a small
JSON document and its signature; it names a scope and a day and grants nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta

from chalicelib.config import settings
from chalicelib.reports.digest import Scope

LINK_DAYS = 8  # a week's digests all stay readable, with a day's grace


class BadLink(Exception):
    """A link that is malformed, tampered with or expired."""


def _key() -> bytes:
    from aws_lambda_powertools.utilities import parameters  # only where a link is signed or checked

    name = f"{settings().SECRETS_PREFIX}/digest/link-key"
    return str(parameters.get_parameter(name, decrypt=True, max_age=300)).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(day: date, scope: Scope, now: datetime) -> str:
    """A token for `scope`'s page of `day`, expiring LINK_DAYS after `now`."""
    expires = int((now + timedelta(days=LINK_DAYS)).timestamp())
    body = json.dumps(
        {"d": day.isoformat(), "di": scope.district, "bl": scope.block, "exp": expires},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    signature = hmac.new(_key(), body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(signature)}"


def verify(token: str, now: datetime | None = None) -> tuple[date, Scope]:
    """The day and scope a valid token names; BadLink otherwise."""
    try:
        body_text, signature_text = token.split(".", 1)
        body, signature = _unb64(body_text), _unb64(signature_text)
    except ValueError:
        raise BadLink("malformed link") from None
    if not hmac.compare_digest(hmac.new(_key(), body, hashlib.sha256).digest(), signature):
        raise BadLink("this link is not valid")
    try:
        claims = json.loads(body)
        day, expires = date.fromisoformat(claims["d"]), int(claims["exp"])
        scope = Scope(district=claims["di"], block=claims["bl"])
    except (ValueError, KeyError, TypeError):
        raise BadLink("malformed link") from None
    if (now or datetime.now(UTC)).timestamp() > expires:
        raise BadLink("this link has expired; the latest digest e-mail has a new one")
    return day, scope
