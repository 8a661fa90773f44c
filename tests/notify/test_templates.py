"""DLT templates: every template in every language, rendered texts match their registration, short."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.notify.models import Template
from chalicelib.notify.templates import (
    SLOT,
    TEMPLATES,
    format_deadline,
    format_rupees,
    matches_template,
    render,
    sms_length,
)
from chalicelib.registry.models import Language

# The longest values the order path produces (a DLT variable holds up to 30 characters).
LONGEST = {
    "channel": "Flipkart",
    "order_id": "OD33312345678901234500",
    "items": "SGR-SOZ-STOLE-01 x12 +3",
    "amount": "12,50,000.50",
    "dispatch_by": "22/11/2026 23:59",
    "shg_id": "JK-SGR-0001",
    "sku": "SGR-SOZ-STOLE-01",
    "ordered": "12",
    "in_stock": "3",
    "photo": "tray-evening.jpg",
    "product": "P-BDG-WWC-01",
    "reason": "too dark",
}


def test_every_template_exists_in_every_language() -> None:
    assert set(TEMPLATES) == {(template, language) for template in Template for language in Language}


@pytest.mark.parametrize(("template", "language"), sorted(TEMPLATES))
def test_rendered_text_matches_the_registered_template_and_fits_two_segments(
    template: Template, language: Language
) -> None:
    text = render(template, language, LONGEST)
    assert SLOT not in text
    assert matches_template(text, template, language)
    length = sms_length(text)
    assert length.encoding == ("GSM-7" if language is Language.ENGLISH else "UCS-2")
    assert length.segments <= 2, (text, length)


def test_a_text_that_strays_from_the_template_does_not_match() -> None:
    text = render(Template.NEW_ORDER, Language.ENGLISH, LONGEST)
    assert not matches_template(text.replace("Please", "Kindly"), Template.NEW_ORDER, Language.ENGLISH)


def test_missing_variable_becomes_a_dash_and_long_values_are_cut() -> None:
    text = render(Template.CANCELLATION, Language.ENGLISH, {"channel": "Amazon", "items": "x" * 50})
    assert text.startswith("Haat: Amazon order - (")
    assert "x" * 29 + "…" in text


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("क" * 70, "UCS-2", 70, 1),
        ("क" * 71, "UCS-2", 71, 2),
        ("ہ" * 134, "UCS-2", 134, 2),
        ("ہ" * 135, "UCS-2", 135, 3),
        ("Rs 100 ₹", "UCS-2", 8, 1),
    ],
)
def test_sms_length_counts_gsm7_and_ucs2(text: str, encoding: str, units: int, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("paise", "text"),
    [
        (0, "0"),
        (99, "0.99"),
        (180000, "1,800"),
        (1250000, "12,500"),
        (12500000, "1,25,000"),
        (1234567890, "1,23,45,678.90"),
        (-50000, "-500"),
    ],
)
def test_rupees_use_indian_grouping(paise: int, text: str) -> None:
    assert format_rupees(paise) == text


def test_deadlines_are_shown_in_india_time() -> None:
    assert format_deadline(datetime(2026, 11, 22, 18, 29, 59, tzinfo=UTC)) == "22/11/2026 23:59"
