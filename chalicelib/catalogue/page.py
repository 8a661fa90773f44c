"""`GET /upload`: the upload page, with the sign-in settings of this stage and a strict CSP."""

from __future__ import annotations

from chalice import Response

from chalicelib import pages
from chalicelib.catalogue import storage
from chalicelib.config import settings

PAGE = "upload"


def upload_page() -> Response:
    config = settings()
    uploads_origin, media_origin = storage.browser_origins()
    hosted_ui = pages.hosted_ui_url(config.COGNITO_DOMAIN)
    connect = " ".join(filter(None, ["'self'", uploads_origin, hosted_ui]))
    csp = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {media_origin}",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    page_settings = {
        "hosted_ui": hosted_ui,
        "client_id": config.COGNITO_APP_CLIENT_ID,
        "max_bytes": config.MAX_UPLOAD_BYTES,
    }
    return pages.html(PAGE, page_settings, csp)


def upload_asset(name: str, requested_version: str | None) -> Response:
    return pages.asset(PAGE, name, requested_version)
