"""Registry models. They know nothing of AWS; the repository maps them to DynamoDB items."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Language(StrEnum):
    ENGLISH = "en"
    HINDI = "hi"
    URDU = "ur"


class MemberRole(StrEnum):
    ARTISAN = "artisan"
    RESOURCE_PERSON = "resource_person"
    OFFICE_BEARER = "office_bearer"
    COORDINATOR = "coordinator"


class Channel(StrEnum):
    HAAT = "haat"
    ONDC = "ondc"
    AMAZON = "amazon"
    FLIPKART = "flipkart"
    MEESHO = "meesho"


class CraftCategory(StrEnum):
    PASHMINA_SHAWL = "pashmina_shawl"
    KANI_SHAWL = "kani_shawl"
    SOZANI_EMBROIDERY = "sozani_embroidery"
    CREWEL_EMBROIDERY = "crewel_embroidery"
    PAPIER_MACHE = "papier_mache"
    WALNUT_WOOD_CARVING = "walnut_wood_carving"
    KHATAMBAND = "khatamband"
    HAND_KNOTTED_CARPET = "hand_knotted_carpet"
    NAMDA = "namda"
    GABBA = "gabba"
    WILLOW_WICKER = "willow_wicker"
    ESSENTIAL_OIL = "essential_oil"
    OTHER = "other"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SHG(Model):
    """A self-help group as the mission's registry (NRLM / LOKOS) knows it."""

    shg_id: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$", description="NRLM/LOKOS id")
    name: str = Field(min_length=1, max_length=200)
    district: str = Field(min_length=1, max_length=80)
    block: str = Field(min_length=1, max_length=80)
    village: str = Field(min_length=1, max_length=120)
    federation: str = Field(default="", max_length=200, description="village/cluster organisation")
    onboarded_on: str = Field(default="", pattern=r"^(\d{4}-\d{2}-\d{2})?$")
    coordinator_member_id: str = ""


class Member(Model):
    """An SHG member; her phone is personal data and is never logged."""

    member_id: str = Field(pattern=r"^[A-Za-z0-9_-]{3,40}$")
    shg_id: str
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+[1-9]\d{7,14}$", description="E.164")
    language: Language = Language.HINDI
    role: MemberRole = MemberRole.ARTISAN
    income_share: float = Field(default=1.0, ge=0, le=1)
    sms_opt_out: bool = False


SHORT_NAME_MAX = 30
"""A DLT template variable carries at most 30 characters; the short name fills one whole."""

ShortName = Annotated[str, Field(min_length=1, max_length=SHORT_NAME_MAX)]


class ChannelListing(Model):
    channel: Channel
    channel_sku: str = Field(min_length=1, max_length=80)
    listing_id: str = ""


class Product(Model):
    """A product an SHG sells; prices are integer paise so money never rounds."""

    product_id: str = Field(pattern=r"^[A-Za-z0-9_-]{3,60}$")
    shg_id: str
    sku: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,80}$")
    craft: CraftCategory
    title: str = Field(min_length=3, max_length=200)
    price_paise: int = Field(gt=0)
    stock: int = Field(default=0, ge=0)
    maker_member_ids: list[str] = Field(default_factory=list)
    listings: list[ChannelListing] = Field(default_factory=list)
    gi_tag: str = ""
    short_name: dict[Language, ShortName] = Field(
        default_factory=dict,
        description="what the makers call it, per language, for SMS; a plain string is the English name",
    )

    @field_validator("short_name", mode="before")
    @classmethod
    def _plain_short_name_is_english(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {Language.ENGLISH: value} if value.strip() else {}
        return value

    def short_name_in(self, language: Language) -> str:
        """The name an SMS uses: hers, else the English short name, else the title cut at a word."""
        named = self.short_name.get(language) or self.short_name.get(Language.ENGLISH)
        return named or shorten_at_word(self.title, SHORT_NAME_MAX)


def shorten_at_word(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut only between words (a single long word is cut hard)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut if 0 < len(cut) <= limit else text[:limit]


class Registry(Model):
    """A registry file, as the mission exports it (the demo's seed data)."""

    shgs: list[SHG]
    members: list[Member]
    products: list[Product]
