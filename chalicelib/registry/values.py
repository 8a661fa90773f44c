"""Values as people write them in district sheets and edit forms, read into the registry's terms.

Each reader takes the text of one cell and returns the value or raises ValueError with a reason a
district MIS officer can act on. Mobiles become E.164 (+91); rupees become paise; words in English,
Hindi or Urdu become the registry's enums. Used by the import and by the edit routes alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import TypeVar

from chalicelib.imports.values import ascii_digits, calendar_date, rupees
from chalicelib.registry.models import CraftCategory, Gender, Language, MemberRole, SocialCategory
from chalicelib.text import fold

E = TypeVar("E", bound=StrEnum)

_EXCEL_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_SEPARATORS = re.compile(r"[\s\-().\u2010-\u2015]")


def whole_number_text(text: str) -> str:
    """'9876543210.0' (a number cell read back) -> '9876543210'; other text unchanged."""
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def not_scientific(text: str) -> str:
    """Excel writes long numbers as 9.87654E+09 in CSV, losing digits: refuse them, say why."""
    if _EXCEL_SCIENTIFIC.match(text.strip()):
        raise ValueError(
            f"Excel turned this number into {text.strip()} and lost its digits: format the column as "
            "Text and export again"
        )
    return text


def indian_mobile(text: str) -> str:
    """'98765 43210', '+91-98765-43210', '09876543210', '919876543210' -> '+919876543210'."""
    raw = whole_number_text(not_scientific(ascii_digits(text.strip())))
    number = _SEPARATORS.sub("", raw)
    for prefix in ("+91", "0091", "91", "0"):
        if number.startswith(prefix) and len(number) == len(prefix) + 10:
            number = number[len(prefix) :]
            break
    if number.startswith("+"):
        raise ValueError("not an Indian mobile number (+91 and 10 digits)")
    if not re.fullmatch(r"\d{10}", number):
        raise ValueError("not a 10-digit mobile number")
    if number[0] not in "6789":
        raise ValueError("not a mobile number (Indian mobiles start with 6, 7, 8 or 9)")
    return f"+91{number}"


def paise(text: str) -> int:
    """'₹1,250.50', 'Rs. 1250/-', '1,25,000', 'INR 900' -> paise; whole rupees or paise only."""
    amount = rupees(text) * 100
    if amount <= 0:
        raise ValueError("must be more than 0 rupees")
    if amount != amount.to_integral_value():
        raise ValueError("more than two decimals of a rupee")
    if amount > 10**10:
        raise ValueError("more than 10 crore rupees: check the column")
    return int(amount)


def stock_count(text: str) -> int:
    """A whole number of pieces, 0 or more ('12', '12.0' from a number cell)."""
    number = whole_number_text(ascii_digits(text.strip()))
    if not number.isdigit():
        raise ValueError("not a whole number of pieces (0 or more)")
    if int(number) > 1_000_000:
        raise ValueError("more than 10 lakh pieces: check the column")
    return int(number)


def past_date(text: str, *, today: date) -> str:
    """A date as India writes it (DD-MM-YYYY, DD/MM/YYYY, 12-Mar-2019) or ISO -> 'YYYY-MM-DD'."""
    parsed = calendar_date(text)
    if parsed > today:
        raise ValueError("a date in the future")
    if parsed.year < 1950:
        raise ValueError("a date before 1950")
    return parsed.isoformat()


def _vocabulary(words: Mapping[E, tuple[str, ...]]) -> dict[str, E]:
    return {fold(word): value for value, spellings in words.items() for word in (value.value, *spellings)}


def _reader(name: str, vocabulary: Mapping[str, E], accepted: str) -> Callable[[str], E]:
    def read(text: str) -> E:
        found = vocabulary.get(fold(text))
        if found is None:
            raise ValueError(f"unknown {name} {text.strip()[:40]!r} (use {accepted})")
        return found

    return read


LANGUAGES = _vocabulary(
    {
        Language.HINDI: ("hin", "hindi", "हिंदी", "हिन्दी", "ہندی"),
        Language.URDU: ("urd", "urdu", "उर्दू", "اردو"),
        Language.ENGLISH: ("eng", "english", "अंग्रेज़ी", "अंग्रेजी", "انگریزی"),
    }
)
GENDERS = _vocabulary(
    {
        Gender.FEMALE: ("f", "woman", "w", "महिला", "स्त्री", "औरत", "عورت", "خاتون"),
        Gender.MALE: ("m", "man", "पुरुष", "मर्द", "مرد"),
        Gender.OTHER: ("o", "t", "transgender", "third gender", "others", "अन्य", "ट्रांसजेंडर"),
    }
)
SOCIAL_CATEGORIES = _vocabulary(
    {
        SocialCategory.SC: ("scheduled caste", "अनुसूचित जाति", "अजा"),
        SocialCategory.ST: ("scheduled tribe", "अनुसूचित जनजाति", "अजजा"),
        SocialCategory.OBC: ("other backward class", "other backward classes", "अन्य पिछड़ा वर्ग", "पिछड़ा वर्ग"),
        SocialCategory.GENERAL: ("gen", "general category", "ews", "सामान्य", "जनरल"),
        SocialCategory.OTHER: ("others", "minority", "अन्य", "अल्पसंख्यक"),
    }
)
# The NRLM MIS records designations (president, CRP, ...); Haat needs what each does for orders.
ROLES = _vocabulary(
    {
        MemberRole.ARTISAN: ("member", "artisan", "sadasya", "general member", "सदस्य", "कारीगर", "رکن"),
        MemberRole.OFFICE_BEARER: (
            "office bearer",
            "president",
            "vice president",
            "joint secretary",
            "group leader",
            "leader",
            "animator",
            "secretary",
            "treasurer",
            "bookkeeper",
            "book keeper",
            "अध्यक्ष",
            "सचिव",
            "कोषाध्यक्ष",
            "लेखापाल",
        ),
        MemberRole.RESOURCE_PERSON: (
            "resource person",
            "rp",
            "crp",
            "community resource person",
            "senior crp",
            "sr crp",
            "bank sakhi",
            "krishi sakhi",
            "pashu sakhi",
            "udyog sakhi",
            "community cadre",
            "सीआरपी",
            "संसाधन व्यक्ति",
        ),
        MemberRole.COORDINATOR: ("cluster coordinator", "cc", "block coordinator", "समन्वयक"),
    }
)
CRAFTS = _vocabulary(
    {
        CraftCategory.PASHMINA_SHAWL: ("pashmina", "kashmir pashmina", "pashmina shawl", "पश्मीना"),
        CraftCategory.KANI_SHAWL: ("kani", "kani shawl", "कानी", "कानी शॉल"),
        CraftCategory.SOZANI_EMBROIDERY: ("sozani", "sozni", "sozani craft", "sozni embroidery", "सोजनी"),
        CraftCategory.CREWEL_EMBROIDERY: ("crewel", "crewel work", "क्रूएल"),
        CraftCategory.PAPIER_MACHE: (
            "papier mache",
            "papier-mâché",
            "paper mache",
            "pepar mashi",
            "पेपर माशी",
        ),
        CraftCategory.WALNUT_WOOD_CARVING: (
            "walnut wood",
            "walnut wood carving",
            "wood carving",
            "अखरोट लकड़ी",
        ),
        CraftCategory.KHATAMBAND: ("khatam band", "खतमबंद"),
        CraftCategory.HAND_KNOTTED_CARPET: (
            "carpet",
            "kashmir carpet",
            "hand knotted carpet",
            "kashmir hand knotted carpet",
            "कालीन",
        ),
        CraftCategory.NAMDA: ("नमदा",),
        CraftCategory.GABBA: ("गब्बा",),
        CraftCategory.WILLOW_WICKER: ("willow", "wicker", "willow wicker", "विलो"),
        CraftCategory.ESSENTIAL_OIL: ("essential oil", "essential oils"),
        CraftCategory.OTHER: ("others",),
    }
)
YES_NO = {
    **dict.fromkeys(map(fold, ("y", "yes", "1", "true", "हाँ", "हां", "हा", "ہاں")), True),
    **dict.fromkeys(map(fold, ("n", "no", "0", "false", "नहीं", "नही", "نہیں")), False),
}

language = _reader("language", LANGUAGES, "hi, ur or en")
gender = _reader("gender", GENDERS, "female, male or other")
social_category = _reader("social category", SOCIAL_CATEGORIES, "SC, ST, OBC, General or Other")
role = _reader("designation", ROLES, "Member, President, Secretary, Treasurer, CRP or Coordinator")


def craft(text: str) -> CraftCategory | None:
    """The craft, or None when Haat's list does not have it (the row is kept as `other`)."""
    return CRAFTS.get(fold(text))


def yes_no(text: str) -> bool:
    found = YES_NO.get(fold(text))
    if found is None:
        raise ValueError(f"not yes or no: {text.strip()[:40]!r}")
    return found


def income_share(text: str) -> float:
    """'0.5', '50%' -> 0.5."""
    value = text.strip()
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise ValueError("not a share between 0 and 1 (or 0% to 100%)") from None
    if not 0 <= share <= 1:
        raise ValueError("not a share between 0 and 1 (or 0% to 100%)")
    return share
