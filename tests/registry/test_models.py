"""Registry model rules that other parts rely on (SMS names, import columns)."""

import pytest
from pydantic import ValidationError

from chalicelib.registry.models import Language, Product, shorten_at_word

BASE = {
    "product_id": "P-TRAY",
    "shg_id": "SHG-1",
    "sku": "BDG-WWC-TRAY-01",
    "craft": "walnut_wood_carving",
    "title": "Walnut wood carved serving tray with chinar leaf border",
    "price_paise": 250000,
}


def test_short_name_per_language_with_english_and_title_fallbacks() -> None:
    product = Product.model_validate({**BASE, "short_name": {"en": "Walnut tray", "hi": "अखरोट की ट्रे"}})
    assert product.short_name_in(Language.HINDI) == "अखरोट की ट्रे"
    assert product.short_name_in(Language.URDU) == "Walnut tray"
    unnamed = Product.model_validate(BASE)
    assert unnamed.short_name_in(Language.URDU) == "Walnut wood carved serving"


def test_a_plain_short_name_is_the_english_one() -> None:
    plain = Product.model_validate({**BASE, "short_name": "Walnut tray"})
    assert plain.short_name == {Language.ENGLISH: "Walnut tray"}
    assert Product.model_validate({**BASE, "short_name": " "}).short_name == {}


@pytest.mark.parametrize("bad", [{"en": "x" * 31}, {"en": ""}, {"fr": "Plateau"}])
def test_short_names_fit_one_dlt_variable(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Product.model_validate({**BASE, "short_name": bad})


def test_shorten_at_word_never_cuts_a_word() -> None:
    assert shorten_at_word("Crewel embroidered cushion cover, set of 2", 30) == "Crewel embroidered cushion"
    assert shorten_at_word("Namda rug", 30) == "Namda rug"
    assert shorten_at_word("x" * 40, 30) == "x" * 30
