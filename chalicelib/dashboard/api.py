"""Dashboard routes: the signed-in page and its view fragment, and the signed link of the e-mail.

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
from chalicelib.dashboard import render, view
from chalicelib.mail import links
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
    return pages.html(PAGE, {}, CSP)


def asset(name: str, requested_version: str | None) -> Response:
    return pages.asset(PAGE, name, requested_version)


def _up(scope: Scope, floor: Scope) -> tuple[str, str] | None:
    """The scope one level up, unless that is above `floor` (the caller's own area)."""
    if scope == floor:
        return None
    if scope.block:
        return scope.district, ""
    return ("", "") if scope.district else None


def fragment(principal: Principal, params: dict[str, str]) -> Response:
    """The view of one scope as an HTML fragment for dashboard.js (links are ?district=&block=)."""
    now = datetime.now(UTC)
    scope = scope_for(principal, params.get("district"), params.get("block"))
    day, lang = _day(params.get("date"), now), _lang(params.get("lang"))

    def link_for(district: str, block: str) -> str:
        return "?" + urlencode({"district": district, "block": block, "date": day.isoformat(), "lang": lang})

    own = Scope(district=principal.district, block=principal.block)
    up = _up(scope, own)
    html = render.body(view.build(day, scope, now), lang, link_for, link_for(*up) if up else None)
    return Response(
        body=html, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    )


def shared(token: str, params: dict[str, str]) -> Response:
    """The whole page behind an e-mail's signed link: its scope and day, and the parts below it."""
    try:
        day, granted = links.verify(token)
    except links.BadLink as error:
        return Response(
            body=str(error), status_code=403, headers={"Content-Type": "text/plain; charset=utf-8"}
        )
    district, block = params.get("district") or granted.district, params.get("block") or granted.block
    try:
        scope = Scope(district=district, block=block)
    except ValueError as error:
        raise BadRequestError(str(error)) from None
    if not granted.is_mission and not (
        scope.district == granted.district and (not granted.block or scope.block == granted.block)
    ):
        return Response(body="this link does not cover that area", status_code=403)
    lang = _lang(params.get("lang"))

    def link_for(district: str, block: str) -> str:
        return "?" + urlencode({"district": district, "block": block, "lang": lang})

    up = _up(scope, granted)
    content = render.body(
        view.build(day, scope, datetime.now(UTC)), lang, link_for, link_for(*up) if up else None
    )
    other = "hi" if lang == "en" else "en"
    switch = "?" + urlencode({"district": scope.district, "block": scope.block, "lang": other})
    title, style = render.TEXT[lang]["title"], pages.text(PAGE, "dashboard.css")
    other_name = "हिन्दी" if other == "hi" else "English"
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title}</title><style>{style}</style></head>"
        f'<body><main id="view"><p class="nav"><a href="{switch}">{other_name}</a></p>'
        f"{content}</main></body></html>"
    )
    csp = CSP.replace("style-src 'self'", "style-src 'unsafe-inline'")
    return Response(
        body=html,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": csp,
        },
    )
