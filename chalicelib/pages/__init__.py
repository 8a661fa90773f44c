"""Pages the app serves itself (`GET /upload`, `GET /dashboard` and their assets): small static
files shipped in the package, no CDN and no run-time downloads.

A page's HTML is never cached and carries its settings as a JSON data block; its CSS and JS are
referenced as `<page>/<file>?v=<content hash>` and cached for a year, so a phone on a slow link
downloads them once per release.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from chalice import Response

PAGES_DIR = Path(__file__).parent
SHARED = "shared"  # scripts several pages load (served under each page's own path)
ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def hosted_ui_url(domain: str) -> str:
    """The user pool's hosted UI, where a page signs in: https://<domain>, or the URL itself where
    one is given (the local stand-in)."""
    if not domain:
        return ""
    return domain.rstrip("/") if "://" in domain else f"https://{domain}"


def _path(page: str, name: str) -> Path:
    own = PAGES_DIR / page / name
    return own if own.exists() else PAGES_DIR / SHARED / name


@functools.cache
def text(page: str, name: str) -> str:
    """One file of a page (its own, else the shared one of that name), as shipped."""
    return _path(page, name).read_text(encoding="utf-8")


@functools.cache
def assets(page: str) -> list[str]:
    """The CSS and JS files of `page`, with the shared ones (sign-in) every page may use."""
    folders = (PAGES_DIR / page, PAGES_DIR / SHARED)
    return sorted({p.name for folder in folders for p in folder.iterdir() if p.suffix in ASSET_TYPES})


@functools.cache
def version(page: str, name: str) -> str:
    return hashlib.sha256(text(page, name).encode()).hexdigest()[:12]


def html(page: str, settings: dict[str, Any], csp: str) -> Response:
    """The page with its settings and versioned asset links filled in."""
    document = text(page, "index.html")
    for name in assets(page):
        document = document.replace("{{" + name + "}}", f"{page}/{name}?v={version(page, name)}")
    # "</" inside a script data block would end it early; JSON allows the escaped form.
    document = document.replace("{{config}}", json.dumps(settings).replace("</", "<\\/"))
    return Response(
        body=document,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": csp,
            **SECURITY_HEADERS,
        },
    )


def asset(page: str, name: str, requested_version: str | None) -> Response:
    """A page's CSS or JS; cached for a year when asked for by its current version."""
    if name not in assets(page):
        return Response(body={"error": "not_found", "message": f"no asset {name}"}, status_code=404)
    current = requested_version == version(page, name)
    return Response(
        body=text(page, name),
        headers={
            "Content-Type": ASSET_TYPES[Path(name).suffix],
            "Cache-Control": IMMUTABLE if current else "no-cache",
            **SECURITY_HEADERS,
        },
    )
