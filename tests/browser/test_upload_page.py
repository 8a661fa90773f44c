"""The upload page in headless Chromium against the local stack, as a resource person uses it on a
360 x 800 phone: sign in, pick the product, send a good and a blurred photo straight to the local S3,
and read each verdict in English, Hindi and Urdu. Screenshots: build/screenshots/<test name>/."""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice import Chalice

from chalicelib.catalogue.quality import MESSAGES, Code
from chalicelib.config import settings
from haat_tools.local import runner
from tests import photo_corpus
from tests.area import resource_person, seed_two_districts
from tests.browser import audit, hosted_ui
from tests.browser.conftest import PageVisit, Screenshots

PAGE_BUDGET_BYTES = 100 * 1024
VERDICT_TIMEOUT_MS = 60_000
SLOW_LINK_READY_S = 8
ACCEPTED = {"en": "Accepted", "hi": "स्वीकार", "ur": "قبول"}
NOT_ACCEPTED = {"en": "Not accepted", "hi": "स्वीकार नहीं", "ur": "قبول نہیں"}
LANGUAGE_BUTTONS = {"en": "English", "hi": "हिन्दी", "ur": "اردو"}


@pytest.fixture
def photo_pipeline(app: Chalice) -> Iterator[None]:
    """The photo-uploads queue delivered to `on_photo_uploaded` while the page waits, as in AWS."""
    stop = threading.Event()

    def deliver() -> None:
        while not stop.is_set():
            runner.drain(app, runner.binding("on_photo_uploaded"))
            stop.wait(0.3)

    thread = threading.Thread(target=deliver, name="photo-pipeline", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


@pytest.fixture
def area(local_aws: object, unique: str) -> dict[str, str]:
    return seed_two_districts(unique)


@functools.cache
def photos() -> list[dict[str, Any]]:
    good = photo_corpus.encode(photo_corpus.product_photo(seed=7), quality=90)
    blurred = photo_corpus.blurred_photo()
    return [
        {"name": "stole-front.jpg", "mimeType": "image/jpeg", "buffer": good},
        {"name": "stole-blurred.jpg", "mimeType": "image/jpeg", "buffer": blurred},
    ]


def sign_in_and_choose(page: Any, token: str, product_id: str) -> None:
    page.fill("#token", token)
    page.click("#signin-token button[type=submit]")
    page.wait_for_selector(f"#product option[value='{product_id}']", state="attached")
    page.select_option("#product", product_id)


def wait_for_verdicts(page: Any) -> tuple[Any, Any]:
    accepted = page.wait_for_selector(".photo.accepted", timeout=VERDICT_TIMEOUT_MS)
    rejected = page.wait_for_selector(".photo.rejected", timeout=VERDICT_TIMEOUT_MS)
    page.wait_for_function(
        "() => { const img = document.querySelector('.photo.accepted .thumb');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    return accepted, rejected


@pytest.mark.usefixtures("photo_pipeline")
@pytest.mark.parametrize("language", ["en", "hi", "ur"])
def test_a_resource_person_uploads_and_reads_each_verdict_in_her_language(
    open_page: Callable[..., PageVisit],
    screenshots: Screenshots,
    api_url: str,
    area: dict[str, str],
    language: str,
) -> None:
    visit = open_page()
    page = visit.page
    page.goto(f"{api_url}/upload")
    page.click(f"[data-lang={language}]")
    screenshots.take(page, "1-sign-in")
    assert audit.problems(page) == []
    sign_in_and_choose(page, resource_person(area["shg"]), area["product"])
    assert page.locator("#channels").inner_text().count("✗") == 5
    screenshots.take(page, "2-product")

    page.set_input_files("#gallery", photos())
    accepted, rejected = wait_for_verdicts(page)
    assert accepted.query_selector(".status").inner_text() == ACCEPTED[language]
    assert rejected.query_selector(".status").inner_text() == NOT_ACCEPTED[language]
    assert rejected.query_selector(".reasons").inner_text() == MESSAGES[Code.BLURRY][language]
    assert accepted.query_selector(".thumb").is_visible()
    assert not rejected.query_selector(".thumb").is_visible()
    channels = page.locator("#channels li")
    assert channels.filter(has_text="Flipkart").get_attribute("class") == "ok"
    assert channels.filter(has_text="Meesho").get_attribute("class") == "no"
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ur" else "ltr")
    assert audit.problems(page) == []
    screenshots.take(page, "3-verdicts")
    screenshots.take(page, "3-verdicts-full", full_page=True)

    page.reload()
    page.wait_for_selector("#work:not([hidden])")
    assert page.evaluate("document.documentElement.lang") == language, "the language is remembered"
    assert page.locator("[data-t=title]").inner_text() == page.evaluate("document.title").split(" · ")[1]


@pytest.mark.usefixtures("photo_pipeline")
def test_a_dropped_connection_is_retried_without_choosing_the_photo_again(
    open_page: Callable[..., PageVisit], screenshots: Screenshots, api_url: str, area: dict[str, str]
) -> None:
    visit = open_page()
    page = visit.page
    page.goto(f"{api_url}/upload")
    sign_in_and_choose(page, resource_person(area["shg"]), area["product"])
    dropped: list[str] = []

    def drop_once(route: Any) -> None:
        if route.request.method == "POST" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.fallback()

    page.route("**/*uploads*", drop_once)
    page.set_input_files("#gallery", photos()[:1])
    page.wait_for_selector(".photo.failed .retry:visible")
    assert dropped, "the S3 upload was cut off"
    screenshots.take(page, "1-connection-lost")
    assert audit.problems(page) == []
    page.click(".photo.failed .retry")
    page.wait_for_selector(".photo.accepted", timeout=VERDICT_TIMEOUT_MS)
    screenshots.take(page, "2-retried")


def test_the_page_is_small_offline_and_usable_with_large_text_and_a_camera(
    open_page: Callable[..., PageVisit], screenshots: Screenshots, api_url: str, area: dict[str, str]
) -> None:
    visit = open_page(locale="ur-IN")
    page = visit.page
    page.goto(f"{api_url}/upload#token={resource_person(area['shg'])}")
    page.wait_for_selector("#work:not([hidden])")
    assert "#token" not in page.url, "the token does not stay in the address bar or history"
    assert page.evaluate("document.documentElement.lang") == "ur", "first visit follows the phone's language"
    assert visit.bytes_from(api_url) < PAGE_BUDGET_BYTES
    camera = page.locator("#camera")
    assert (camera.get_attribute("accept"), camera.get_attribute("capture")) == ("image/*", "environment")
    assert page.locator("#gallery").get_attribute("multiple") is not None

    page.select_option("#product", area["product"])
    visit.set_default_font_size(32)  # twice the default, as a phone's largest text setting
    page.wait_for_selector("#work:not([hidden])")
    page.select_option("#product", area["product"])
    assert audit.problems(page) == []
    font_size = page.evaluate("getComputedStyle(document.querySelector('#product')).fontSize")
    assert float(font_size.removesuffix("px")) >= 32
    screenshots.take(page, "large-text-top")
    page.locator(".pick").scroll_into_view_if_needed()
    screenshots.take(page, "large-text-photo-buttons")


def test_sign_in_through_the_hosted_ui_with_pkce(
    open_page: Callable[..., PageVisit], screenshots: Screenshots, api_url: str, area: dict[str, str]
) -> None:
    """As in AWS: the page sends her to the user pool's hosted UI and trades the code for an id token."""
    client_id = "haat-upload-page"
    with hosted_ui.running(client_id, lambda: resource_person(area["shg"])) as ui:
        try:
            with pytest.MonkeyPatch.context() as env:
                env.setenv("COGNITO_DOMAIN", ui.url)
                env.setenv("COGNITO_APP_CLIENT_ID", client_id)
                settings.cache_clear()
                _sign_in_through(ui, open_page().page, screenshots, api_url, area["product"])
        finally:
            settings.cache_clear()


def _sign_in_through(
    ui: hosted_ui.HostedUi, page: Any, screenshots: Screenshots, api_url: str, product: str
) -> None:
    page.goto(f"{api_url}/upload")
    assert page.locator("#signin-token").is_hidden()
    screenshots.take(page, "1-sign-in")
    page.click("#signin-hosted")
    page.wait_for_selector("#work:not([hidden])")
    assert page.url == f"{api_url}/upload", "the code leaves the address bar"
    assert (len(ui.exchanged), ui.refusals) == (1, [])
    page.wait_for_selector(f"#product option[value='{product}']", state="attached")
    screenshots.take(page, "2-signed-in")

    page.click("#signout")
    page.goto(f"{api_url}/upload?code={ui.exchanged[0]}&state=forged")
    page.wait_for_selector("#message:not([hidden])")
    assert page.locator("#message").inner_text() == "Sign-in did not finish. Try again."
    assert page.locator("#work").is_hidden()


@pytest.mark.usefixtures("photo_pipeline")
def test_on_one_bar_of_3g_the_page_loads_fast_and_shows_the_upload_progress(
    open_page: Callable[..., PageVisit], screenshots: Screenshots, api_url: str, area: dict[str, str]
) -> None:
    """400 kbit/s each way and 400 ms round trips: a village with one bar of signal."""
    visit = open_page()
    page = visit.page
    visit.throttle(down_kbps=400, up_kbps=400, latency_ms=400)
    started = time.monotonic()
    page.goto(f"{api_url}/upload#token={resource_person(area['shg'])}")
    page.wait_for_selector(f"#product option[value='{area['product']}']", state="attached")
    ready_s = time.monotonic() - started
    assert ready_s < SLOW_LINK_READY_S, f"signed in with products listed after {ready_s:.1f} s"
    page.select_option("#product", area["product"])

    page.set_input_files("#camera", photos()[:1])
    page.wait_for_function(
        "() => { const p = document.querySelector('.photo progress');"
        " return p && p.value >= 20 && p.value <= 80; }",
        timeout=VERDICT_TIMEOUT_MS,
    )
    assert re.fullmatch(r"Uploading \d+%", page.locator(".photo .status").inner_text())
    screenshots.take(page, "1-uploading")
    page.wait_for_selector(".photo.accepted", timeout=VERDICT_TIMEOUT_MS)
    screenshots.take(page, "2-accepted")
