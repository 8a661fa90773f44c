"""Glue between Chalice's request objects and Haat's auth rules."""

from __future__ import annotations

from chalice import AuthResponse, Chalice
from chalice.app import AuthRequest

from chalicelib import auth
from chalicelib.observability import logger


def authorize(auth_request: AuthRequest) -> AuthResponse:
    """Allow every route for a valid bearer token; anything else is a 401 from API Gateway."""
    scheme, _, token = (auth_request.token or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return AuthResponse(routes=[], principal_id="anonymous")
    try:
        principal = auth.verify(token)
    except auth.Unauthorized as error:
        logger.info("token refused", extra={"reason": str(error)})
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(
        routes=["*"], principal_id=principal.subject, context=principal.model_dump(mode="json")
    )


def principal_of(app: Chalice) -> auth.Principal:
    """The principal the authorizer put in the current request's context."""
    request = app.current_request
    context = request.context.get("authorizer", {}) if request else {}
    return auth.Principal.model_validate(context)
