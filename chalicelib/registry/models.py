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


class GroupKind(StrEnum):
    """What a producer group is: an SHG of the mission, or one artisan who belongs to no SHG
    (an individual or master artisan the channel MoUs name), kept as a group of one."""

    SHG = "shg"
    INDIVIDUAL = "individual"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class SocialCategory(StrEnum):
    """The social category the NRLM MIS records per member."""

    SC = "sc"
    ST = "st"
    OBC = "obc"
    GENERAL = "general"
    OTHER = "other"


ISO_DATE = r"^(\d{4}-\d{2}-\d{2})?$"
CODE = r"^[A-Za-z0-9_-]{3,40}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SHG(Model):
    """A producer group as the mission's registry (NRLM MIS / LOKOS) knows it: an SHG, or an
    individual artisan's group of one (`kind`, `shg_id` = her artisan code)."""

    shg_id: str = Field(pattern=CODE, description="NRLM/LOKOS id, or the artisan code")
    name: str = Field(min_length=1, max_length=200)
    kind: GroupKind = GroupKind.SHG
    state: str = Field(default="", max_length=80)
    district: str = Field(min_length=1, max_length=80)
    block: str = Field(min_length=1, max_length=80)
    gram_panchayat: str = Field(default="", max_length=120)
    village: str = Field(min_length=1, max_length=120)
    village_organisation: str = Field(default="", max_length=200, description="the VO it belongs to")
    federation: str = Field(default="", max_length=200, description="cluster level federation (CLF)")
    formed_on: str = Field(default="", pattern=ISO_DATE)
    onboarded_on: str = Field(default="", pattern=ISO_DATE)
    coordinator_member_id: str = ""


class SmsConsent(Model):
    """Her say on SMS: the opt-out (or opt-back-in), when she gave it and how it reached Haat."""

    opted_out: bool
    given_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    source: str = Field(min_length=2, max_length=120, description="e.g. written form, phone call")
    recorded_by: str = Field(min_length=1, max_length=200)


class Member(Model):
    """An SHG member; her phone is personal data and is never logged."""

    member_id: str = Field(pattern=CODE)
    shg_id: str
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(pattern=r"^\+[1-9]\d{7,14}$", description="E.164")
    language: Language = Language.HINDI
    role: MemberRole = MemberRole.ARTISAN
    income_share: float = Field(default=1.0, ge=0, le=1)
    sms_opt_out: bool = False
    sms_consent: SmsConsent | None = None
    gender: Gender | None = None
    social_category: SocialCategory | None = None
    pvtg: bool = Field(default=False, description="member of a particularly vulnerable tribal group")


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
