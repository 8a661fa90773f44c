"""Dashboard routes: the page (it signs in through the user pool's hosted UI) and its view fragment.

Who may see which scope is asked of chalicelib/access.py ("dashboard:read"); without a district
the view is the caller's own area (a district coordinator's district, a block coordinator's block).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlencode

from chalice import BadRequestError, Response

from chalicelib import access, pages
from chalicelib.auth import Principal
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.dashboard import render, view
from chalicelib.reports.digest import Scope

PAGE = "dashboard"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _day(text: str | None, now: datetime) -> date:
    if not text:
        return business_date(now)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequestError(f"date must be YYYY-MM-DD, not {text[:20]!r}") from None


def _lang(text: str | None) -> str:
    return text if text in render.TEXT else "en"


def scope_for(principal: Principal, district: str | None, block: str | None) -> Scope:
    """The scope asked for, or the caller's own; 403 when it is outside her area."""
    access.require(principal, "dashboard:read")
    if not district:
        district, block = principal.district, principal.block
    try:
        scope = Scope(district=district or "", block=block or "")
    except ValueError as error:
        raise BadRequestError(str(error)) from None
    resource = access.MISSION if scope.is_mission else access.Resource.of(scope.district, scope.block)
    access.require(principal, "dashboard:read", resource)
    return scope


def page() -> Response:
    """The page, with the hosted UI it signs in through (none locally: a token is pasted or passed
    in the address's #token=) and a CSP that lets it reach that and nothing else."""
    config = settings()
    hosted_ui = pages.hosted_ui_url(config.COGNITO_DOMAIN)
    csp = CSP.replace("connect-src 'self'", " ".join(filter(None, ["connect-src 'self'", hosted_ui])))
    return pages.html(PAGE, {"hosted_ui": hosted_ui, "client_id": config.COGNITO_APP_CLIENT_ID}, csp)


def asset(name: str, requested_version: str | None) -> Response:
    return pages.asset(PAGE, name, requested_version)


def fragment(principal: Principal, params: dict[str, str]) -> Response:
    """The view of one scope as an HTML fragment for dashboard.js (links are ?district=&block=)."""
    now = datetime.now(UTC)
    scope = scope_for(principal, params.get("district"), params.get("block"))
    day, lang = _day(params.get("date"), now), _lang(params.get("lang"))

    def link_for(district: str, block: str) -> str:
        return "?" + urlencode({"district": district, "block": block, "date": day.isoformat(), "lang": lang})

    own = Scope(district=principal.district, block=principal.block)
    html = render.body(view.build(day, scope, now), lang, link_for, own)
    return Response(
        body=html, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    )
