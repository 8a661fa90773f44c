"""SMS templates as registered on the TRAI DLT platform, and how a notification becomes a text.

The operator rejects a text that does not match its registered template, so each template is kept
exactly as registered, with `{#var#}` slots filled in order. Every template exists in en, hi and ur;
variables are named per language because word order (and so slot order) differs. In Hindi and Urdu
a name never stands before a postposition (का, کا): a slot cannot inflect, and "डिब्बा का" is wrong
where "डिब्बे का" is right, so names stand after a dash or in brackets.
Plain functions; no AWS here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from chalicelib.calendar import IST
from chalicelib.notify.models import (
    MAX_VARIABLE_CHARS,
    VARIABLES,
    ChannelName,
    Template,
    Variables,
    variables_of,
)
from chalicelib.registry.models import Language

SLOT = "{#var#}"


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
ORDER = ("channel", "order_id", "product", "quantity")

# Template ids are placeholders until the mission registers the texts; override per stage with
# SMS_TEMPLATE_IDS (see chalicelib/config.py).
TEMPLATES: dict[tuple[Template, Language], DltTemplate] = {
    (T.NEW_ORDER, L.ENGLISH): DltTemplate(
        text="Haat: New {#var#} order {#var#}: {#var#}, qty {#var#}, Rs {#var#}. "
        "Please pack and dispatch by {#var#}.",
        variables=(*ORDER, "amount", "dispatch_by"),
        dlt_template_id="1107170000000000101",
    ),
    (T.NEW_ORDER, L.HINDI): DltTemplate(
        text="हाट: नया {#var#} ऑर्डर {#var#}: {#var#}, {#var#} नग, {#var#} रुपये। {#var#} तक पैक करके भेजें।",
        variables=(*ORDER, "amount", "dispatch_by"),
        dlt_template_id="1107170000000000102",
    ),
    (T.NEW_ORDER, L.URDU): DltTemplate(
        text="ہاٹ: نیا {#var#} آرڈر {#var#}: {#var#}، {#var#} عدد، {#var#} روپے۔ {#var#} تک پیک کر کے بھیجیں۔",
        variables=(*ORDER, "amount", "dispatch_by"),
        dlt_template_id="1107170000000000103",
    ),
    (T.CANCELLATION, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} ({#var#}, qty {#var#}) is cancelled. Do not dispatch it.",
        variables=ORDER,
        dlt_template_id="1107170000000000111",
    ),
    (T.CANCELLATION, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} ({#var#}, {#var#} नग) रद्द हो गया है। इसे न भेजें।",
        variables=ORDER,
        dlt_template_id="1107170000000000112",
    ),
    (T.CANCELLATION, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} ({#var#}، {#var#} عدد) منسوخ ہو گیا ہے۔ اسے نہ بھیجیں۔",
        variables=ORDER,
        dlt_template_id="1107170000000000113",
    ),
    (T.RETURN, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} ({#var#}, qty {#var#}) is being returned. "
        "Check the item when it arrives.",
        variables=ORDER,
        dlt_template_id="1107170000000000121",
    ),
    (T.RETURN, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} ({#var#}, {#var#} नग) वापस आ रहा है। सामान आने पर जाँचें।",
        variables=ORDER,
        dlt_template_id="1107170000000000122",
    ),
    (T.RETURN, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} ({#var#}، {#var#} عدد) واپس آ رہا ہے۔ سامان آنے پر جانچیں۔",
        variables=ORDER,
        dlt_template_id="1107170000000000123",
    ),
    (T.DISPATCH_REMINDER, L.ENGLISH): DltTemplate(
        text="Haat: Reminder - {#var#} order {#var#} ({#var#}, qty {#var#}) must be dispatched by {#var#}.",
        variables=(*ORDER, "dispatch_by"),
        dlt_template_id="1107170000000000131",
    ),
    (T.DISPATCH_REMINDER, L.HINDI): DltTemplate(
        text="हाट: याद रखें - {#var#} ऑर्डर {#var#} ({#var#}, {#var#} नग) {#var#} तक भेजना है।",
        variables=(*ORDER, "dispatch_by"),
        dlt_template_id="1107170000000000132",
    ),
    (T.DISPATCH_REMINDER, L.URDU): DltTemplate(
        text="ہاٹ: یاد دہانی - {#var#} آرڈر {#var#} ({#var#}، {#var#} عدد) {#var#} تک بھیجنا ہے۔",
        variables=(*ORDER, "dispatch_by"),
        dlt_template_id="1107170000000000133",
    ),
    (T.DISPATCH_ESCALATION, L.ENGLISH): DltTemplate(
        text="Haat: {#var#} order {#var#} of {#var#} missed its dispatch time {#var#}. Please follow up.",
        variables=("channel", "order_id", "shg", "dispatch_by"),
        dlt_template_id="1107170000000000141",
    ),
    (T.DISPATCH_ESCALATION, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#}, समूह {#var#}, {#var#} तक नहीं भेजा गया। कृपया देखें।",
        variables=("channel", "order_id", "shg", "dispatch_by"),
        dlt_template_id="1107170000000000142",
    ),
    (T.DISPATCH_ESCALATION, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#}، گروپ {#var#}، {#var#} تک نہیں بھیجا گیا۔ براہ کرم دیکھیں۔",
        variables=("channel", "order_id", "shg", "dispatch_by"),
        dlt_template_id="1107170000000000143",
    ),
    (T.PHOTO_REJECTED, L.ENGLISH): DltTemplate(
        text="Haat: Photo {#var#} of {#var#} was not accepted. {#var#}.",
        variables=("photo", "product", "reason"),
        dlt_template_id="1107170000000000151",
    ),
    (T.PHOTO_REJECTED, L.HINDI): DltTemplate(
        text="हाट: फ़ोटो {#var#} ({#var#}) स्वीकार नहीं हुई। {#var#}।",
        variables=("photo", "product", "reason"),
        dlt_template_id="1107170000000000152",
    ),
    (T.PHOTO_REJECTED, L.URDU): DltTemplate(
        text="ہاٹ: تصویر {#var#} ({#var#}) قبول نہیں ہوئی۔ {#var#}۔",
        variables=("photo", "product", "reason"),
        dlt_template_id="1107170000000000153",
    ),
    (T.OVERSELL_ALERT, L.ENGLISH): DltTemplate(
        text="Haat: Stock short for {#var#} on {#var#} order {#var#}: ordered {#var#}, in stock {#var#}. "
        "Please check.",
        variables=("product", "channel", "order_id", "ordered", "in_stock"),
        dlt_template_id="1107170000000000161",
    ),
    (T.OVERSELL_ALERT, L.HINDI): DltTemplate(
        text="हाट: {#var#} ऑर्डर {#var#} में स्टॉक कम - {#var#}: ऑर्डर {#var#}, स्टॉक में {#var#}। कृपया जाँचें।",
        variables=("channel", "order_id", "product", "ordered", "in_stock"),
        dlt_template_id="1107170000000000162",
    ),
    (T.OVERSELL_ALERT, L.URDU): DltTemplate(
        text="ہاٹ: {#var#} آرڈر {#var#} میں اسٹاک کم - {#var#}: آرڈر {#var#}، اسٹاک میں {#var#}۔ براہ کرم جانچیں۔",
        variables=("channel", "order_id", "product", "ordered", "in_stock"),
        dlt_template_id="1107170000000000163",
    ),
}


def template_for(template: Template, language: Language) -> DltTemplate:
    return TEMPLATES[(template, language)]


def render(template: Template, language: Language, variables: Variables | dict[str, Any]) -> str:
    """The text to send: the registered template with its slots filled in order.

    The variables are checked against the template's model first, so nothing is ever left blank
    or cut: a value that does not fit is an error here, not a broken SMS.
    """
    typed = variables_of(template, variables)
    registered = template_for(template, language)
    parts = registered.text.split(SLOT)
    values = [typed.slot(name, language) for name in registered.variables]
    return parts[0] + "".join(value + part for value, part in zip(values, parts[1:], strict=True))


_LONGEST_WORDS = {
    "en": "W" * MAX_VARIABLE_CHARS,
    "hi": "क" * MAX_VARIABLE_CHARS,
    "ur": "ک" * MAX_VARIABLE_CHARS,
}
LONGEST: dict[str, Any] = {
    "channel": "Flipkart",
    "order_id": "O" * MAX_VARIABLE_CHARS,
    "product": _LONGEST_WORDS,
    "quantity": 99_999,
    "amount": "99,99,99,999.99",
    "dispatch_by": "28/11 23:59",
    "shg": "S" * MAX_VARIABLE_CHARS,
    "photo": "P" * MAX_VARIABLE_CHARS,
    "reason": _LONGEST_WORDS,
    "ordered": 99_999,
    "in_stock": 99_999,
}


def longest_variables(template: Template) -> Variables:
    """The longest values `template`'s model admits: the worst case of its length."""
    model = VARIABLES[template]
    return model.model_validate({name: LONGEST[name] for name in model.model_fields})


def matches_template(text: str, template: Template, language: Language) -> bool:
    """Whether `text` is an instance of the registered template (what the operator checks)."""
    pieces = [re.escape(piece) for piece in template_for(template, language).text.split(SLOT)]
    return re.fullmatch(f".{{1,{MAX_VARIABLE_CHARS}}}".join(pieces), text, flags=re.DOTALL) is not None


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
    """A deadline as day/month and IST time of day: '22/11 23:59' (no year: it is days away)."""
    return moment.astimezone(IST).strftime("%d/%m %H:%M")


CHANNEL_NAMES: dict[str, ChannelName] = {
    "haat": "Haat",
    "ondc": "ONDC",
    "amazon": "Amazon",
    "flipkart": "Flipkart",
    "meesho": "Meesho",
}


def channel_name(channel: str) -> ChannelName:
    """The name a member knows the channel by."""
    return CHANNEL_NAMES[channel]


def whole_tail(identifier: str, limit: int = MAX_VARIABLE_CHARS) -> str:
    """An identifier (file name, order id) within `limit`: whole, else its last whole parts.

    The end of a phone's file name or a channel's order id is what tells it apart, so a long one
    keeps its tail, cut only at a separator; a single part longer than `limit` keeps its end.
    """
    identifier = " ".join(identifier.split())
    if len(identifier) <= limit:
        return identifier
    parts = re.split(r"(?<=[-_ ./])", identifier)
    tail = ""
    for part in reversed(parts):
        if len(part) + len(tail) > limit:
            break
        tail = part + tail
    return tail.lstrip("-_ ./") or identifier[-limit:]


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
