"""One row of a registry file, checked on its own: every bad cell becomes a RowError.

A row model holds only the cells the row gives: a blank optional cell, like a missing column, says
nothing (an import never blanks what the sheet does not give, e.g. stock). `given(row)` is what the
sheet said, in the registry's terms; checks that need the registry (unknown SHG, a SKU of another
group, scope) happen when the row is applied.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from chalicelib.imports import RowError
from chalicelib.registry import districts, values
from chalicelib.registry.imports.columns import HeaderMap, Kind
from chalicelib.registry.models import (
    CODE,
    SHORT_NAME_MAX,
    CraftCategory,
    Gender,
    Language,
    MemberRole,
    SocialCategory,
)
from chalicelib.text import tidy

REPORTED_VALUE_CHARS = 80


def code(text: str) -> str:
    value = values.whole_number_text(values.not_scientific(text.strip()))
    if not re.fullmatch(CODE, value):
        raise ValueError("a code is 3 to 40 letters, digits, - or _")
    return value


def sku(text: str) -> str:
    value = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{2,80}", value):
        raise ValueError("a SKU is 2 to 80 letters, digits, '.', '-' or '_'")
    return value


def codes(text: str) -> list[str]:
    """'M01; M02, M03' -> ['M01', 'M02', 'M03']."""
    return [code(part) for part in re.split(r"[;,/|\s]+", text) if part.strip()]


Code = Annotated[str, BeforeValidator(code)]
Name = Annotated[str, BeforeValidator(tidy), Field(min_length=1, max_length=200)]
Place = Annotated[str, BeforeValidator(tidy), Field(min_length=1, max_length=120)]
Mobile = Annotated[str, BeforeValidator(values.indian_mobile)]
ShortName = Annotated[str, BeforeValidator(tidy), Field(min_length=1, max_length=SHORT_NAME_MAX)]
ChannelSku = Annotated[str, BeforeValidator(str.strip), Field(min_length=1, max_length=80)]


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _past_date(value: Any, info: ValidationInfo) -> str:
    today = (info.context or {}).get("today") or date.today()
    return values.past_date(str(value), today=today)


def _state(value: str) -> str:
    text = tidy(value)
    return districts.JK_STATE if districts.is_jk(text) else text


class PlaceRow(Row):
    state: Annotated[str, BeforeValidator(_state)] = ""
    district: Place
    block: Place
    gram_panchayat: Place | None = None
    village: Place
    onboarded_on: str | None = None

    @field_validator("onboarded_on", mode="before")
    @classmethod
    def _onboarded_on(cls, value: Any, info: ValidationInfo) -> str:
        return _past_date(value, info)

    @field_validator("district", mode="after")
    @classmethod
    def _canonical_district(cls, value: str, info: ValidationInfo) -> str:
        """A J&K district in its one spelling; other states' districts as written."""
        if not districts.is_jk(info.data.get("state") or ""):
            return value
        found = districts.canonical_district(value)
        if found is None:
            known = ", ".join(districts.known_districts())
            raise ValueError(f"not a district of {districts.JK_STATE} ({known})")
        return found


class PersonRow(Row):
    mobile: Mobile
    gender: Annotated[Gender, BeforeValidator(values.gender)] | None = None
    social_category: Annotated[SocialCategory, BeforeValidator(values.social_category)] | None = None
    pvtg: Annotated[bool, BeforeValidator(values.yes_no)] | None = None
    language: Annotated[Language, BeforeValidator(values.language)] | None = None


class ShgRow(PlaceRow):
    shg_code: Code
    shg_name: Name
    village_organisation: Name | None = None
    federation: Name | None = None
    formed_on: str | None = None
    coordinator: Code | None = None

    @field_validator("formed_on", mode="before")
    @classmethod
    def _formed_on(cls, value: Any, info: ValidationInfo) -> str:
        return _past_date(value, info)


class MemberRow(PersonRow):
    member_code: Code
    shg_code: Code
    member_name: Name
    role: Annotated[MemberRole, BeforeValidator(values.role)] | None = None
    income_share: Annotated[float, BeforeValidator(values.income_share)] | None = None


class ArtisanRow(PlaceRow, PersonRow):
    artisan_code: Code
    artisan_name: Name


class ProductRow(Row):
    shg_code: Code | None = None
    artisan_code: Code | None = None
    product_id: Code | None = None
    sku: Annotated[str, BeforeValidator(sku)]
    title: Annotated[str, BeforeValidator(tidy), Field(min_length=3, max_length=200)]
    short_name_en: ShortName | None = None
    short_name_hi: ShortName | None = None
    short_name_ur: ShortName | None = None
    craft: str = Field(min_length=1, max_length=80)
    price: Annotated[int, BeforeValidator(values.paise)]
    stock: Annotated[int, BeforeValidator(values.stock_count)] | None = None
    gi_tag: Name | None = None
    makers: Annotated[list[str], BeforeValidator(codes)] | None = None
    flipkart_sku: ChannelSku | None = None
    amazon_sku: ChannelSku | None = None
    meesho_sku: ChannelSku | None = None
    ondc_sku: ChannelSku | None = None
    haat_sku: ChannelSku | None = None

    @field_validator("artisan_code", mode="after")
    @classmethod
    def _one_group(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("shg_code") and value != info.data["shg_code"]:
            raise ValueError("the row names both an SHG and an artisan: keep one")
        return value

    @property
    def group_code(self) -> str:
        return self.shg_code or self.artisan_code or ""

    @property
    def craft_category(self) -> CraftCategory:
        return values.craft(self.craft) or CraftCategory.OTHER


ROW_MODELS: dict[Kind, type[Row]] = {
    Kind.SHGS: ShgRow,
    Kind.MEMBERS: MemberRow,
    Kind.ARTISANS: ArtisanRow,
    Kind.PRODUCTS: ProductRow,
}


def _reason(detail: Any) -> str:
    if detail["type"] == "missing":
        return "empty: this column needs a value"
    return str(detail["msg"]).removeprefix("Value error, ")


def check(
    kind: Kind, line: int, cells: list[str], headers: HeaderMap, *, today: date
) -> tuple[Row | None, list[RowError]]:
    """The row's model, or the errors of every bad cell (row = Excel's row number)."""
    raw = {
        field: cells[index].strip()
        for field, index in headers.index_of.items()
        if index < len(cells) and cells[index].strip()
    }
    try:
        row = ROW_MODELS[kind].model_validate(raw, context={"today": today})
    except ValidationError as error:
        found = []
        for detail in error.errors():
            field = str(detail["loc"][0]) if detail["loc"] else ""
            found.append(
                RowError(
                    row=line,
                    column=headers.header(field) if field else "(row)",
                    value=raw.get(field, "")[:REPORTED_VALUE_CHARS],
                    reason=_reason(detail),
                )
            )
        return None, found
    if kind is Kind.PRODUCTS and not row.group_code:  # type: ignore[attr-defined]
        reason = "empty: the row needs an SHG code or an artisan code"
        return None, [RowError(row=line, column=headers.header("shg_code"), value="", reason=reason)]
    return row, []


def given(row: Row) -> dict[str, Any]:
    """What the sheet said, as JSON-friendly values (only the cells the row gives)."""
    return row.model_dump(mode="json", exclude_unset=True)
