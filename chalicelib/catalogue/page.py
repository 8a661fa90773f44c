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
    cognito = f" https://{config.COGNITO_DOMAIN}" if config.COGNITO_DOMAIN else ""
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {media_origin}; connect-src 'self' {uploads_origin}{cognito}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    page_settings = {
        "auth": config.AUTH_MODE,
        "cognito_domain": config.COGNITO_DOMAIN,
        "client_id": config.COGNITO_APP_CLIENT_ID,
        "max_bytes": config.MAX_UPLOAD_BYTES,
    }
    return pages.html(PAGE, page_settings, csp)


def upload_asset(name: str, requested_version: str | None) -> Response:
    return pages.asset(PAGE, name, requested_version)
