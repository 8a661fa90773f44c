"""SMS templates as registered on the TRAI DLT platform, and how a notification becomes a text.

The operator rejects a text that does not match its registered template, so each template is kept
exactly as registered, with `{#var#}` slots filled in order. Every template exists in en, hi and ur;
variables are named per language because word order (and so slot order) differs.
Plain functions; no AWS here.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from chalicelib.calendar import IST
from chalicelib.notify.models import Template
from chalicelib.registry.models import Language

SLOT = "{#var#}"
SIGNATURE = "-JKRLM"


class DltTemplate(BaseModel):
    """One registered template: its text with slots, the variables that fill them, its DLT id."""

    model_config = ConfigDict(frozen=True)

    text: str
    variables: tuple[str, ...]
    dlt_template_id: str

    def model_post_init(self, _context: object) -> None:
        if self.text.count(SLOT) != len(self.variables):
            raise ValueError(
                f"{self.text!r}: {self.text.count(SLOT)} slots for {len(self.variables)} variables"
            )


T, L = Template, Language
ORDER_VARS = ("channel", "order_id", "items", "amount", "dispatch_by")

# Template ids are placeholders until the mission registers the texts; override per stage with
# SMS_TEMPLATE_IDS (see chalicelib/config.py).
TEMPLATES: dict[tuple[Template, Language], DltTemplate] = {
    (T.NEW_ORDER, L.ENGLISH): DltTemplate(
        text="Haat: New {#var#} order {#var#}: {#var#}, value Rs {#var#}. Please dispatch by {#var#}. -JKRLM",
        variables=ORDER_VARS,
        dlt_template_id="1107170000000000101",
    ),
    (T.NEW_ORDER, L.HINDI): DltTemplate(
        text="हाट: नया {#var#} ऑर्डर {#var#}: {#var#}, रु {#var#}। {#var#} तक भेजें। -JKRLM",
        variables=ORDER_VARS,
        dlt_template_id="1107170000000000102",
    ),
    (T.NEW_ORDER, L.URDU): DltTemplate(
        text="ہاٹ: نیا {#var#} آرڈر {#var#}: {#var#}، روپے {#var#}۔ {#var#} تک بھیجیں۔ -JKRLM",
        variables=ORDER_VARS,
        dlt_template_id="1107170000000000103",
    ),
    (T.CANCELLATION, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} ({#var#}) is cancelled. Do not dispatch it. -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000111",
    ),
    (T.CANCELLATION, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} ({#var#}) रद्द हो गया है। इसे न भेजें। -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000112",
    ),
    (T.CANCELLATION, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} ({#var#}) منسوخ ہو گیا ہے۔ اسے نہ بھیجیں۔ -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000113",
    ),
    (T.RETURN, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} ({#var#}) is being returned. Please check the item when it arrives. -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000121",
    ),
    (T.RETURN, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} ({#var#}) वापस आ रहा है। सामान आने पर जाँच करें। -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000122",
    ),
    (T.RETURN, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} ({#var#}) واپس آ رہا ہے۔ سامان آنے پر جانچ کریں۔ -JKRLM",
        variables=("channel", "order_id", "items"),
        dlt_template_id="1107170000000000123",
    ),
    (T.DISPATCH_REMINDER, L.ENGLISH): DltTemplate(
        text="Haat: Reminder - {#var#} order {#var#} must be dispatched by {#var#}. -JKRLM",
        variables=("channel", "order_id", "dispatch_by"),
        dlt_template_id="1107170000000000131",
    ),
    (T.DISPATCH_REMINDER, L.HINDI): DltTemplate(
        text="हाट: याद दिलाना - {#var#} ऑर्डर {#var#} {#var#} तक भेजना है। -JKRLM",
        variables=("channel", "order_id", "dispatch_by"),
        dlt_template_id="1107170000000000132",
    ),
    (T.DISPATCH_REMINDER, L.URDU): DltTemplate(
        text="ہاٹ: یاد دہانی - {#var#} آرڈر {#var#} {#var#} تک بھیجنا ہے۔ -JKRLM",
        variables=("channel", "order_id", "dispatch_by"),
        dlt_template_id="1107170000000000133",
    ),
    (T.DISPATCH_ESCALATION, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} of SHG {#var#} missed its dispatch deadline {#var#}. Please follow up. -JKRLM",
        variables=("channel", "order_id", "shg_id", "dispatch_by"),
        dlt_template_id="1107170000000000141",
    ),
    (T.DISPATCH_ESCALATION, L.HINDI): DltTemplate(
        text="हाट: SHG {#var#} का {#var#} ऑर्डर {#var#} समय {#var#} तक नहीं भेजा गया। कृपया देखें। -JKRLM",
        variables=("shg_id", "channel", "order_id", "dispatch_by"),
        dlt_template_id="1107170000000000142",
    ),
    (T.DISPATCH_ESCALATION, L.URDU): DltTemplate(
        text="ہاٹ: SHG {#var#} کا {#var#} آرڈر {#var#} وقت {#var#} تک نہیں بھیجا گیا۔ براہ کرم دیکھیں۔ -JKRLM",
        variables=("shg_id", "channel", "order_id", "dispatch_by"),
        dlt_template_id="1107170000000000143",
    ),
    (T.PHOTO_REJECTED, L.ENGLISH): DltTemplate(
        text="Haat: Photo {#var#} of product {#var#} was not accepted: {#var#}. Please take it again. -JKRLM",
        variables=("photo", "product", "reason"),
        dlt_template_id="1107170000000000151",
    ),
    (T.PHOTO_REJECTED, L.HINDI): DltTemplate(
        text="हाट: उत्पाद {#var#} की फोटो {#var#} स्वीकार नहीं हुई: {#var#}। कृपया फिर से लें। -JKRLM",
        variables=("product", "photo", "reason"),
        dlt_template_id="1107170000000000152",
    ),
    (T.PHOTO_REJECTED, L.URDU): DltTemplate(
        text="ہاٹ: پروڈکٹ {#var#} کی تصویر {#var#} قبول نہیں ہوئی: {#var#}۔ براہ کرم دوبارہ لیں۔ -JKRLM",
        variables=("product", "photo", "reason"),
        dlt_template_id="1107170000000000153",
    ),
    (T.OVERSELL_ALERT, L.ENGLISH): DltTemplate(
        text="Haat: Stock short for {#var#} on {#var#} order {#var#}: ordered {#var#}, in stock {#var#}. Please check. -JKRLM",
        variables=("sku", "channel", "order_id", "ordered", "in_stock"),
        dlt_template_id="1107170000000000161",
    ),
    (T.OVERSELL_ALERT, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} में {#var#} का स्टॉक कम: ऑर्डर {#var#}, स्टॉक {#var#}। कृपया जाँचें। -JKRLM",
        variables=("channel", "order_id", "sku", "ordered", "in_stock"),
        dlt_template_id="1107170000000000162",
    ),
    (T.OVERSELL_ALERT, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} میں {#var#} کا اسٹاک کم: آرڈر {#var#}، اسٹاک {#var#}۔ براہ کرم جانچیں۔ -JKRLM",
        variables=("channel", "order_id", "sku", "ordered", "in_stock"),
        dlt_template_id="1107170000000000163",
    ),
}

MISSING = "-"
MAX_VARIABLE_CHARS = 30  # DLT caps a {#var#} at 30 characters


def template_for(template: Template, language: Language) -> DltTemplate:
    return TEMPLATES[(template, language)]


def render(template: Template, language: Language, variables: dict[str, str]) -> str:
    """The text to send: the registered template with its slots filled in order."""
    registered = template_for(template, language)
    parts = registered.text.split(SLOT)
    values = [_clean(variables.get(name, MISSING)) for name in registered.variables]
    return parts[0] + "".join(value + part for value, part in zip(values, parts[1:], strict=True))


def matches_template(text: str, template: Template, language: Language) -> bool:
    """Whether `text` is an instance of the registered template (what the operator checks)."""
    pieces = [re.escape(piece) for piece in template_for(template, language).text.split(SLOT)]
    return re.fullmatch(f".{{1,{MAX_VARIABLE_CHARS}}}".join(pieces), text, flags=re.DOTALL) is not None


def _clean(value: str) -> str:
    value = " ".join(str(value).split()) or MISSING
    return value if len(value) <= MAX_VARIABLE_CHARS else value[: MAX_VARIABLE_CHARS - 1] + "…"


# --- Indian formatting -------------------------------------------------------------------


def format_rupees(paise: int) -> str:
    """Indian digit grouping (lakh, crore): 12500000 paise -> '1,25,000'; paise shown only if any."""
    rupees, rest = divmod(abs(paise), 100)
    digits = str(rupees)
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    grouped = ",".join([*groups, tail])
    sign = "-" if paise < 0 else ""
    return f"{sign}{grouped}.{rest:02d}" if rest else f"{sign}{grouped}"


def format_deadline(moment: datetime) -> str:
    """A deadline with its IST time of day: '22/11/2026 23:59'."""
    return moment.astimezone(IST).strftime("%d/%m/%Y %H:%M")


# --- SMS length ----------------------------------------------------------------------------

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


class SmsLength(BaseModel):
    model_config = ConfigDict(frozen=True)

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (extension characters count twice) or UTF-16 code units
    segments: int


def sms_length(text: str) -> SmsLength:
    """How many SMS parts `text` takes: GSM-7 160 (153 per part when concatenated), else UCS-2 70 (67)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return SmsLength(encoding=encoding, units=units, segments=segments)
