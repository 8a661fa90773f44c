"""Pages in a real browser: Debian's headless Chromium driven by Playwright's Python API.

Reusable by every page test (upload, dashboard):

- `open_page(viewport=..., locale=...)` opens a fresh browser context (no shared storage) with a page
  and returns a `PageVisit`: the page, every request it made and the bytes each response carried,
  and its console. Anything that tries to leave 127.0.0.1 is aborted, and fails the test at teardown
  (pages ship with no CDN and make no run-time downloads; the machine has no network anyway), as
  does an uncaught script error.
- `screenshots.take(page, name)` writes `build/screenshots/<test name>/<name>.png` (the folder is
  emptied when the test starts) so a person can look at exactly what the test saw.
- `tests/browser/audit.py` checks accessibility basics on whatever page is open.

Without Playwright or Chromium each browser test is skipped, and pytest's `-ra` summary says why;
`.ci/run` installs both (Chromium and fonts from Debian, Playwright from requirements-dev.txt).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from haat_tools.local.stack import PROJECT_DIR

SCREENSHOTS_DIR = PROJECT_DIR / "build" / "screenshots"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
# The network is closed: nothing in the background may try it.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_HINT = (
    "run .ci/run, or: apt-get install chromium fonts-noto-core && pip install -r requirements-dev.txt"
)


def chromium_executable() -> str | None:
    """Debian's Chromium (HAAT_CHROMIUM overrides); Playwright's own browser download is unreachable."""
    candidates = [os.environ.get("HAAT_CHROMIUM", ""), shutil.which("chromium") or "", "/usr/bin/chromium"]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"browser tests skipped: Playwright is not installed ({INSTALL_HINT})")
    executable = chromium_executable()
    if executable is None:
        pytest.skip(f"browser tests skipped: no Chromium found ({INSTALL_HINT})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@dataclass
class Transfer:
    url: str
    resource_type: str
    status: int
    body_bytes: int


@dataclass
class PageVisit:
    """A page in its own browser context, and what it fetched."""

    page: Any
    context: Any
    transfers: list[Transfer] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def bytes_from(self, origin: str) -> int:
        """Response body bytes (as sent on the wire) the page fetched from `origin`."""
        return sum(t.body_bytes for t in self.transfers if t.url.startswith(origin))

    def throttle(self, down_kbps: int, up_kbps: int, latency_ms: int) -> None:
        """Emulate a slow mobile link for this page's requests (CDP network conditions)."""
        session = self.context.new_cdp_session(self.page)
        session.send("Network.enable")
        conditions = {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": down_kbps * 1000 // 8,
            "uploadThroughput": up_kbps * 1000 // 8,
        }
        session.send("Network.emulateNetworkConditions", conditions)

    def set_default_font_size(self, pixels: int) -> None:
        """Raise the browser's default font size, as a phone's 'large text' setting does (CDP)."""
        session = self.context.new_cdp_session(self.page)
        session.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": pixels}})
        self.page.reload()


def _record(visit: PageVisit, request: Any) -> None:
    response = request.response()
    if response is None:
        return
    visit.transfers.append(
        Transfer(
            url=request.url,
            resource_type=request.resource_type,
            status=response.status,
            body_bytes=int(request.sizes()["responseBodySize"]),
        )
    )


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., PageVisit]]:
    visits: list[PageVisit] = []

    def open_(
        viewport: tuple[int, int] = (360, 800), locale: str = "en-IN", mobile: bool = True
    ) -> PageVisit:
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=1,
            is_mobile=mobile,
            has_touch=mobile,
            locale=locale,
        )
        page = context.new_page()
        visit = PageVisit(page=page, context=context)

        def only_local(route: Any) -> None:
            host = urlsplit(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                visit.blocked.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", only_local)
        page.on("requestfinished", lambda request: _record(visit, request))
        page.on("console", lambda message: visit.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        visits.append(visit)
        return visit

    yield open_
    for visit in visits:
        visit.context.close()
        print("\n".join(visit.console))  # shown by pytest when the test fails
    leaks = [url for visit in visits for url in visit.blocked]
    assert not leaks, f"the page tried to leave the machine: {leaks}"
    errors = [error for visit in visits for error in visit.errors]
    assert not errors, f"the page's script failed: {errors}"


@dataclass(frozen=True)
class Screenshots:
    folder: Path

    def take(self, page: Any, name: str, full_page: bool = False) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    """build/screenshots/<test name>/, emptied first so only this run's pictures are there."""
    folder = SCREENSHOTS_DIR / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)
