"""What the dashboard and the digest e-mail call things (chalicelib/dashboard/names.py, render.py)."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.catalogue.quality import Code
from chalicelib.dashboard import names, render
from chalicelib.registry.models import Channel, CraftCategory
from chalicelib.reports.digest import CHANNELS


def test_every_craft_and_channel_has_a_name_in_both_languages() -> None:
    for craft in CraftCategory:
        assert names.craft(craft.value) != craft.value
        assert names.craft(craft.value, "hi") != names.craft(craft.value)
    assert {c.value for c in Channel} == set(CHANNELS) == set(names.CHANNELS)
    assert names.channel("ondc") == "ONDC"
    assert names.channel("meesho", "hi") == "मीशो"


def test_codes_no_list_knows_are_made_readable() -> None:
    assert names.craft("walnut_wood") == "Walnut wood"
    assert names.channel("myntra") == "Myntra"
    assert render.reason("no_such_reason") == "No such reason"


@pytest.mark.parametrize(
    ("district", "hindi"), [("Budgam", "बडगाम"), ("Poonch", "पुंछ"), ("Baramulla", "बारामूला"), ("Leh", "Leh")]
)
def test_districts_by_their_hindi_names(district: str, hindi: str) -> None:
    assert names.district(district, "hi") == hindi
    assert names.district(district) == district


def test_photo_reasons_in_a_few_words() -> None:
    assert render.reason(Code.BLURRY.value) == "Blurred"
    assert render.reason(Code.TOO_DARK.value, "hi") == "अंधेरी"
    assert render.reason(Code.BELOW_ZOOM_SIZE.value) == "Bigger photos sell better"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Shameema Akhter", "Shameema A."),
        ("Haleema Bano Mir", "Haleema M."),
        ("Rubeena", "Rubeena"),
        ("  ", ""),
    ],
)
def test_a_member_by_her_short_name(name: str, short: str) -> None:
    assert names.person(name) == short


def test_days_in_english_and_hindi() -> None:
    assert names.day(date(2026, 9, 6)) == "6 Sep 2026"
    assert names.day(date(2026, 9, 6), "hi") == "6 सितंबर 2026"
    assert names.month_to(date(2026, 2, 16), "hi") == "1–16 फ़रवरी"


def test_a_directory_keeps_an_id_it_has_no_name_for() -> None:
    directory = names.Directory(shgs={"S1": "Al-Noor SHG"}, members={"M1": "Shameema Akhter"})
    assert (directory.shg("S1"), directory.shg("S2")) == ("Al-Noor SHG", "S2")
    assert (directory.member("M1"), directory.member("M2")) == ("Shameema A.", "M2")
