"""DLT templates and their typed variables: every template in every language, every text matches its
registration and fits its parts, and a variable that does not fit is an error, never a blank."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.catalogue.quality import MESSAGES, SHORT_MESSAGES, Code
from chalicelib.notify.models import (
    MAX_VARIABLE_CHARS,
    VARIABLES,
    Notification,
    OrderVariables,
    Template,
    Words,
    plain_latin,
)
from chalicelib.notify.templates import (
    LONGEST,
    SLOT,
    TEMPLATES,
    format_deadline,
    format_rupees,
    longest_variables,
    matches_template,
    render,
    sms_length,
    whole_tail,
)
from chalicelib.registry.models import Language

CASES = sorted(TEMPLATES)
TRAY = {"en": "Walnut wood tray", "hi": "अखरोट की लकड़ी की ट्रे", "ur": "اخروٹ کی لکڑی کی ٹرے"}

# The longest values real orders bring: a short name at the registry's 30-character limit, a
# Flipkart order id (OD + 18 digits), a lakh-rupee line, a two-digit quantity.
LONGEST_REAL: dict[str, Any] = {
    **LONGEST,
    "order_id": "OD433212345678901234",
    "product": {
        "en": "Sozani embroidered stole ivory",
        "hi": "पश्मीना शॉल, सोज़नी कढ़ाई वाली",
        "ur": "سوزنی کڑھائی والی پشمینہ شالیں",
    },
    "quantity": 12,
    "amount": "1,25,000",
    "photo": "Screenshot_20261120-101512.jpg",
    "reason": max(SHORT_MESSAGES.values(), key=lambda words: max(map(len, words.values()))),
    "ordered": 12,
    "in_stock": 3,
}


def _fields(template: Template) -> dict[str, Any]:
    return {name: LONGEST_REAL[name] for name in VARIABLES[template].model_fields}


def test_every_template_exists_in_every_language_with_its_models_slots() -> None:
    assert set(TEMPLATES) == {(template, language) for template in Template for language in Language}
    for (template, language), registered in TEMPLATES.items():
        assert sorted(registered.variables) == sorted(VARIABLES[template].model_fields), (template, language)


@pytest.mark.parametrize(("template", "language"), CASES)
def test_real_longest_values_fit_two_parts_and_match_the_registration(
    template: Template, language: Language
) -> None:
    assert max(len(text) for text in LONGEST_REAL["product"].values()) == MAX_VARIABLE_CHARS
    text = render(template, language, _fields(template))
    assert SLOT not in text
    assert matches_template(text, template, language)
    length = sms_length(text)
    assert length.encoding == ("GSM-7" if language is Language.ENGLISH else "UCS-2")
    assert length.segments <= 2, (text, length)


@pytest.mark.parametrize(("template", "language"), CASES)
def test_whatever_the_variables_an_sms_is_at_most_three_parts(template: Template, language: Language) -> None:
    text = render(template, language, longest_variables(template))
    assert matches_template(text, template, language)
    assert sms_length(text).segments <= 3


def test_a_text_that_strays_from_the_template_does_not_match() -> None:
    text = render(Template.NEW_ORDER, Language.ENGLISH, _fields(Template.NEW_ORDER))
    assert not matches_template(text.replace("Please", "Kindly"), Template.NEW_ORDER, Language.ENGLISH)


def _notification(template: Template, variables: Any) -> Notification:
    return Notification(
        notification_id="n", template=template, member_id="m", shg_id="s", variables=variables
    )


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"order_id": "408-1", "product": TRAY, "quantity": 1}, id="missing"),
        pytest.param(
            {"channel": "Amazon", "order_id": "408-1", "items": "tray x1", "product": TRAY, "quantity": 1},
            id="misnamed",
        ),
        pytest.param(
            {"channel": "Amazon", "order_id": "408-1", "product": {"en": "Tray"}, "quantity": 1},
            id="a-language-missing",
        ),
        pytest.param(
            {"channel": "Amazon", "order_id": "408-1", "product": {**TRAY, "en": "x" * 31}, "quantity": 1},
            id="longer-than-a-dlt-variable",
        ),
        pytest.param(
            {"channel": "Amazon", "order_id": " ", "product": TRAY, "quantity": 1},
            id="blank",
        ),
        pytest.param(
            {"channel": "amazon", "order_id": "408-1", "product": TRAY, "quantity": 1},
            id="channel-code-not-its-name",
        ),
    ],
)
def test_variables_that_do_not_fit_the_template_are_refused_at_enqueue(broken: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _notification(Template.CANCELLATION, broken)
    with pytest.raises(ValidationError):
        render(Template.CANCELLATION, Language.HINDI, broken)


def test_another_templates_variables_are_refused() -> None:
    cancellation = OrderVariables(channel="Amazon", order_id="408-1", product=Words(**TRAY), quantity=1)
    with pytest.raises(ValidationError, match="new_order takes NewOrderVariables"):
        _notification(Template.NEW_ORDER, cancellation)


def test_variables_are_kept_as_data_and_read_back_through_the_model() -> None:
    variables = OrderVariables(channel="Amazon", order_id="408-1", product=Words(**TRAY), quantity=2)
    stored = _notification(Template.RETURN, variables).model_dump(mode="json")
    assert stored["variables"] == {"channel": "Amazon", "order_id": "408-1", "product": TRAY, "quantity": 2}
    read = Notification.model_validate(stored)
    assert render(read.template, Language.URDU, read.variables) == (
        "ہاٹ: Amazon آرڈر 408-1 (اخروٹ کی لکڑی کی ٹرے، 2 عدد) واپس آ رہا ہے۔ سامان آنے پر جانچیں۔"
    )


def test_values_are_one_line_and_english_stays_in_plain_latin() -> None:
    words = Words(en="Papier-mâché  “box”\n", hi="पेपर माशी\nडिब्बा", ur="پیپر ماشی ڈبہ")
    assert (words.en, words.hi) == ('Papier-mache "box"', "पेपर माशी डिब्बा")
    assert plain_latin("अखरोट") == "अखरोट", "only Latin text is folded"


@pytest.mark.parametrize(
    ("identifier", "shown"),
    [
        ("IMG_20261120_101512.jpg", "IMG_20261120_101512.jpg"),
        ("Screenshot_20261120-101512_Gallery.jpg", "20261120-101512_Gallery.jpg"),
        ("550e8400-e29b-41d4-a716-446655440000", "e29b-41d4-a716-446655440000"),
        ("x" * 40, "x" * 30),
    ],
)
def test_long_identifiers_keep_their_last_whole_parts(identifier: str, shown: str) -> None:
    assert whole_tail(identifier) == shown


# --- photo rejection reasons: what fits an SMS ------------------------------------------------

SCRIPTS = {"hi": "DEVANAGARI", "ur": "ARABIC"}


@pytest.mark.parametrize("code", list(Code))
def test_each_reason_has_a_short_form_per_language_that_fits_one_variable(code: Code) -> None:
    short = SHORT_MESSAGES[code]
    assert set(short) == set(MESSAGES[code]) == {"en", "hi", "ur"}
    for language, text in short.items():
        assert 0 < len(text) <= MAX_VARIABLE_CHARS, (language, text)
        assert ":" in text or code.value in {"background_not_white", "below_zoom_size"}, "says what to do"
        words = Words(en=short["en"], hi=short["hi"], ur=short["ur"])
        assert words.said_in(Language(language)) == text
    for language, script in SCRIPTS.items():
        letters = [ch for ch in short[language] if ch.isalpha() and ch not in "JPEG"]
        assert letters, short
        assert all(unicodedata.name(ch).startswith(script) for ch in letters), (language, short)


# --- Indian formatting and SMS length -----------------------------------------------------------


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
    assert format_deadline(datetime(2026, 11, 22, 18, 29, 59, tzinfo=UTC)) == "22/11 23:59"
