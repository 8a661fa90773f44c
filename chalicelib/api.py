"""Glue between Chalice's request objects and Haat's bearer tokens.

app.py imports this module at every cold start: token checks (pydantic, the access policy) load
on the first call that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import AuthResponse, Chalice
from chalice.app import AuthRequest

from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.auth import Principal

# API Gateway answers 401 when a Lambda authorizer fails with exactly this message.
UNAUTHORIZED = "Unauthorized"


class TokenRefused(Exception):
    """A missing, malformed, expired or foreign token: API Gateway answers 401 and the client
    knows to sign in again (a 403 is kept for a valid caller asking outside its area)."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


def authorize(auth_request: AuthRequest) -> AuthResponse:
    """Every route for a valid bearer token (each route then asks chalicelib/access.py); else 401."""
    scheme, _, token = (auth_request.token or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise TokenRefused()
    from chalicelib import auth

    try:
        principal = auth.verify(token)
    except auth.Unauthorized as error:
        logger.info("token refused", extra={"reason": str(error)})
        raise TokenRefused() from error
    return AuthResponse(routes=["*"], principal_id=principal.subject, context=principal.context())


def principal_of(app: Chalice) -> Principal:
    """The principal the authorizer put in the current request's context."""
    from chalicelib.auth import Principal

    request = app.current_request
    context = request.context.get("authorizer", {}) if request else {}
    return Principal.model_validate(context)


def whoami(principal: Principal) -> dict[str, Any]:
    """The caller as the API sees them: role and area."""
    from chalicelib import access

    access.require(principal, "profile:read")
    return {**principal.model_dump(mode="json"), "scope": access.scope_of(principal)}


def query_param(app: Chalice, name: str) -> str | None:
    """One query-string parameter of the current request (None when absent)."""
    request = app.current_request
    params = request.query_params if request else None
    return params.get(name) if params else None


def query_params(app: Chalice) -> dict[str, str]:
    """Every query-string parameter of the current request (the last value of a repeated one)."""
    request = app.current_request
    return dict(request.query_params or {}) if request else {}


def raw_body(app: Chalice) -> bytes:
    request = app.current_request
    body = (request.raw_body if request else None) or b""
    return body.encode() if isinstance(body, str) else body
