"""The browser harness itself: offline, screenshots where the test names them, the audit sees faults."""

from __future__ import annotations

from collections.abc import Callable

from tests.browser import audit
from tests.browser.conftest import PageVisit, Screenshots

FAULTY_PAGE = """<!doctype html><meta name=viewport content="width=device-width">
<body style="margin:0"><input id=nameless><button style="width:20px;height:20px">x</button>
<p style="color:#aaa;background:#fff">faint</p><div style="width:900px">wide</div>
<img src="https://cdn.example.com/x.png" alt=""></body>"""


def test_the_harness_blocks_the_network_and_the_audit_finds_each_fault(
    open_page: Callable[..., PageVisit], screenshots: Screenshots
) -> None:
    visit = open_page()
    visit.page.set_content(FAULTY_PAGE)
    found = audit.problems(visit.page)
    assert any(p.startswith("no label: input#nameless") for p in found), found
    assert any(p.startswith("target 20x20 px: button") for p in found), found
    assert any(p.startswith("contrast 2.32:1") for p in found), found
    assert any("900 px wide in a 360 px viewport" in p for p in found), found
    shot = screenshots.take(visit.page, "faulty")
    assert shot.parent.name == "test_the_harness_blocks_the_network_and_the_audit_finds_each_fault"
    assert shot.stat().st_size > 0
    assert visit.blocked == ["https://cdn.example.com/x.png"]
    visit.blocked.clear()  # seen: the fixture would otherwise fail this test at teardown
