"""Jammu & Kashmir's districts, their divisions, and the SMS language each division defaults to.

A member's language defaults from her group's district: Urdu in the Kashmir division, Hindi in the
Jammu division (she may be set to any language one by one). Districts are spelt many ways in
district sheets (Baramula, Badgam, Shupiyan, Hindi script); `canonical_district` maps every known
spelling to one name, so scoping by district and the digest's district rows agree.
"""

from __future__ import annotations

from chalicelib.registry.models import Language
from chalicelib.text import fold

JK_STATE = "Jammu and Kashmir"
_JK_STATE_NAMES = ("jammu and kashmir", "jammu & kashmir", "j&k", "jk", "j and k", "जम्मू और कश्मीर")

# division -> {district: other spellings}
DIVISIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Kashmir": {
        "Anantnag": ("Islamabad", "अनंतनाग"),
        "Bandipora": ("Bandipore", "बांदीपोरा"),
        "Baramulla": ("Baramula", "बारामूला", "बारामुला"),
        "Budgam": ("Badgam", "बडगाम"),
        "Ganderbal": ("गांदरबल", "गंदरबल"),
        "Kulgam": ("कुलगाम",),
        "Kupwara": ("कुपवाड़ा", "कुपवाडा"),
        "Pulwama": ("पुलवामा",),
        "Shopian": ("Shupiyan", "Shopiyan", "शोपियां", "शोपियाँ"),
        "Srinagar": ("श्रीनगर",),
    },
    "Jammu": {
        "Doda": ("डोडा",),
        "Jammu": ("जम्मू",),
        "Kathua": ("कठुआ",),
        "Kishtwar": ("किश्तवाड़", "किश्तवाड"),
        "Poonch": ("Punch", "पुंछ"),
        "Rajouri": ("Rajauri", "राजौरी"),
        "Ramban": ("रामबन",),
        "Reasi": ("रियासी",),
        "Samba": ("सांबा",),
        "Udhampur": ("उधमपुर",),
    },
}
DIVISION_LANGUAGE = {"Kashmir": Language.URDU, "Jammu": Language.HINDI}
DEFAULT_LANGUAGE = Language.HINDI


_DISTRICTS = {
    fold(spelling): (district, division)
    for division, districts in DIVISIONS.items()
    for district, others in districts.items()
    for spelling in (district, *others)
}
_JK_STATE_KEYS = {fold(name) for name in _JK_STATE_NAMES}


def is_jk(state: str) -> bool:
    """True for any spelling of Jammu and Kashmir, and for a blank state (the mission's own)."""
    return not state.strip() or fold(state) in _JK_STATE_KEYS


def canonical_district(name: str) -> str | None:
    """The district's one spelling, or None if it is not a district of J&K."""
    found = _DISTRICTS.get(fold(name))
    return found[0] if found else None


def default_language(district: str) -> Language:
    """Urdu in the Kashmir division, Hindi in the Jammu division (and anywhere unknown)."""
    found = _DISTRICTS.get(fold(district))
    return DIVISION_LANGUAGE[found[1]] if found else DEFAULT_LANGUAGE


def known_districts() -> list[str]:
    return sorted(district for districts in DIVISIONS.values() for district in districts)
