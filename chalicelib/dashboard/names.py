"""What the dashboard and the digest e-mail call things: SHGs and makers by name, districts,
crafts and channels in English or Hindi, never by a code alone and never by a
phone number (the registry's names are read by BatchGet, names only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from chalicelib.registry import repository as registry
from chalicelib.registry.districts import DIVISIONS

LANGUAGES = ("en", "hi")
CHANNELS = {
    "flipkart": ("Flipkart", "फ्लिपकार्ट"),
    "meesho": ("Meesho", "मीशो"),
    "amazon": ("Amazon", "अमेज़न"),
    "ondc": ("ONDC", "ओएनडीसी"),
    "haat": ("Haat", "हाट"),
}
CRAFTS = {
    "pashmina_shawl": ("Pashmina shawl", "पश्मीना शॉल"),
    "kani_shawl": ("Kani shawl", "कानी शॉल"),
    "sozani_embroidery": ("Sozani embroidery", "सोज़नी कढ़ाई"),
    "crewel_embroidery": ("Crewel embroidery", "क्रूएल कढ़ाई"),
    "papier_mache": ("Papier-mâché", "पेपर माशी"),
    "walnut_wood_carving": ("Walnut wood carving", "अखरोट लकड़ी नक्काशी"),
    "khatamband": ("Khatamband", "खतमबंद"),
    "hand_knotted_carpet": ("Hand-knotted carpet", "हाथ से बुना कालीन"),
    "namda": ("Namda", "नमदा"),
    "gabba": ("Gabba", "गब्बा"),
    "willow_wicker": ("Willow wicker", "विलो विकर"),
    "essential_oil": ("Essential oil", "सुगंधित तेल"),
    "other": ("Other crafts", "अन्य शिल्प"),
    "unknown": ("Craft not recorded", "शिल्प दर्ज नहीं"),
}
# A district's Hindi name: the first Devanagari spelling the registry knows it by.
HINDI_DISTRICTS = {
    district: next((s for s in spellings if re.search("[\u0900-\u097f]", s)), district)
    for districts in DIVISIONS.values()
    for district, spellings in districts.items()
}
MONTHS_HI = (
    "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून",
    "जुलाई", "अगस्त", "सितंबर", "अक्तूबर", "नवंबर", "दिसंबर",
)  # fmt: skip


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "hi" else pair[0]


def readable(code: str) -> str:
    """A code no list names, made readable: 'walnut_wood' -> 'Walnut wood'."""
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else code


def channel(code: str, lang: str = "en") -> str:
    return _pick(CHANNELS[code], lang) if code in CHANNELS else readable(code)


def craft(code: str, lang: str = "en") -> str:
    return _pick(CRAFTS[code], lang) if code in CRAFTS else readable(code)


def district(name: str, lang: str = "en") -> str:
    return HINDI_DISTRICTS.get(name, name) if lang == "hi" else name


def person(name: str) -> str:
    """The short name a coordinator knows a member by: her first name and her last name's initial
    ('Shameema Akhter' -> 'Shameema A.')."""
    words = name.split()
    if len(words) < 2:
        return name.strip()
    return f"{words[0]} {words[-1][0]}."


def day(value: date, lang: str = "en") -> str:
    """16 Sep 2026 / 16 सितंबर 2026."""
    if lang == "hi":
        return f"{value.day} {MONTHS_HI[value.month - 1]} {value.year}"
    return f"{value.day} {value:%b %Y}"


def month_to(value: date, lang: str = "en") -> str:
    """The month up to a day: '1–16 Sep' / '1–16 सितंबर'."""
    month = MONTHS_HI[value.month - 1] if lang == "hi" else f"{value:%b}"
    return f"1–{value.day} {month}"


@dataclass
class Directory:
    """SHG and member names for the ids a view shows (an id stays when the registry lacks it)."""

    shgs: dict[str, str] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)

    def shg(self, shg_id: str) -> str:
        return self.shgs.get(shg_id) or shg_id

    def member(self, member_id: str) -> str:
        name = self.members.get(member_id)
        return person(name) if name else member_id


def directory(shg_ids: Iterable[str], members: Iterable[tuple[str, str]]) -> Directory:
    """The names of these SHGs and (shg_id, member_id) members, in one BatchGet per 100."""
    shgs, people = registry.names(shg_ids, members)
    return Directory(shgs=shgs, members=people)
