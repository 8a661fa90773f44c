"""Changes to one member or product between imports, each recorded with who made it and when.

A member's mobile, language and SMS opt-out (with the consent's date and how it was given); a
product's price, short names and stock (set after a count, or added on a restock). Each change is
one transaction: the item and its history record, or neither.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from chalicelib.registry import repository, values
from chalicelib.registry.models import SHORT_NAME_MAX, Language, Member, Product, SmsConsent
from chalicelib.text import tidy

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def _today() -> Any:
    return datetime.now(IST).date()


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemberEdit(Edit):
    """What may change of a member between imports (omit what stays)."""

    mobile: Annotated[str, BeforeValidator(lambda v: values.indian_mobile(str(v)))] | None = None
    language: Annotated[Language, BeforeValidator(lambda v: values.language(str(v)))] | None = None
    sms_opt_out: bool | None = None
    consent_date: (
        Annotated[str, BeforeValidator(lambda v: values.past_date(str(v), today=_today()))] | None
    ) = None
    consent_source: (
        Annotated[str, BeforeValidator(lambda v: tidy(str(v))), Field(min_length=2, max_length=120)] | None
    ) = None

    @model_validator(mode="after")
    def _consent_with_opt_out(self) -> MemberEdit:
        if self.sms_opt_out is not None and not (self.consent_date and self.consent_source):
            raise ValueError(
                "an SMS opt-out or opt-in needs consent_date and consent_source (how she said it)"
            )
        if self.sms_opt_out is None and (self.consent_date or self.consent_source):
            raise ValueError("consent_date and consent_source go with sms_opt_out")
        if self.mobile is None and self.language is None and self.sms_opt_out is None:
            raise ValueError("nothing to change: give mobile, language or sms_opt_out")
        return self


class ProductEdit(Edit):
    """What may change of a product between imports: price in rupees, short names, stock count."""

    price: Annotated[int, BeforeValidator(lambda v: values.paise(str(v)))] | None = Field(
        default=None, description="rupees"
    )
    short_name: (
        dict[
            Language,
            Annotated[
                str, BeforeValidator(lambda v: tidy(str(v))), Field(min_length=1, max_length=SHORT_NAME_MAX)
            ],
        ]
        | None
    ) = None
    stock: int | None = Field(default=None, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _something(self) -> ProductEdit:
        if self.price is None and self.short_name is None and self.stock is None:
            raise ValueError("nothing to change: give price, short_name or stock")
        return self


class Restock(Edit):
    quantity: int = Field(ge=1, le=1_000_000, description="pieces added to the stock")


class NotFound(Exception):
    pass


def member(member_id: str) -> Member:
    found = repository.find_member(member_id)
    if found is None:
        raise NotFound(f"no member {member_id}")
    stored = repository.get_member(found.shg_id, member_id)  # the index is eventually consistent
    return stored or found


def product(product_id: str) -> Product:
    found = repository.get_product(product_id)
    if found is None:
        raise NotFound(f"no product {product_id}")
    return found


def _commit(
    entity: str,
    entity_id: str,
    key: dict[str, str],
    changes: dict[str, tuple[Any, Any]],
    *,
    by: str,
    via: str,
    add: dict[str, int] | None = None,
    also: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    at = datetime.now(UTC)
    fields = {name: new for name, (_, new) in changes.items() if name not in (add or {})}
    repository.commit(
        [
            repository.update_action(
                key, {**fields, "updated_at": at.isoformat(), "updated_by": by}, add=add
            ),
            repository.history_action(entity, entity_id, changes, by=by, at=at, via=via, **extra),
            *(also or []),
        ]
    )
    return {
        "changes": {name: {"from": old, "to": new} for name, (old, new) in changes.items()},
        "by": by,
        "at": at.isoformat(),
        "via": via,
        **extra,
    }


def edit_member(current: Member, edit: MemberEdit, *, by: str, via: str) -> dict[str, Any]:
    """Apply the edit; the change record (empty `changes` when it changes nothing)."""
    changes: dict[str, tuple[Any, Any]] = {}
    if edit.mobile is not None and edit.mobile != current.phone:
        changes["phone"] = (current.phone, edit.mobile)
    if edit.language is not None and edit.language != current.language:
        changes["language"] = (current.language.value, edit.language.value)
    if edit.sms_opt_out is not None:
        assert edit.consent_date
        assert edit.consent_source
        consent = SmsConsent(
            opted_out=edit.sms_opt_out, given_on=edit.consent_date, source=edit.consent_source, recorded_by=by
        )
        changes["sms_opt_out"] = (current.sms_opt_out, edit.sms_opt_out)
        old_consent = current.sms_consent.model_dump() if current.sms_consent else None
        changes["sms_consent"] = (old_consent, consent.model_dump())
    if not changes:
        return {"changes": {}}
    key = repository.member_key(current.shg_id, current.member_id)
    return _commit("MEMBER", current.member_id, key, changes, by=by, via=via)


def edit_product(current: Product, edit: ProductEdit, *, by: str, via: str) -> dict[str, Any]:
    changes: dict[str, tuple[Any, Any]] = {}
    if edit.price is not None and edit.price != current.price_paise:
        changes["price_paise"] = (current.price_paise, edit.price)
    if edit.short_name is not None:
        old = {k.value: v for k, v in current.short_name.items()}
        new = {**old, **{k.value: v for k, v in edit.short_name.items()}}
        if new != old:
            changes["short_name"] = (old, new)
    if edit.stock is not None and edit.stock != current.stock:
        changes["stock"] = (current.stock, edit.stock)
    if not changes:
        return {"changes": {}}
    pointers: list[dict[str, Any]] = []
    group = repository.get_shg(current.shg_id) if "short_name" in changes else None
    if group is not None:  # the SKU pointers carry the short names an order SMS uses
        renamed = current.model_copy(update={"short_name": {**current.short_name, **(edit.short_name or {})}})
        pointers = [repository.put_action(item) for item in repository.pointer_items(renamed, group)]
    key = repository.product_key(current.product_id)
    return _commit("PRODUCT", current.product_id, key, changes, by=by, via=via, also=pointers)


def restock(current: Product, quantity: int, *, by: str, via: str) -> dict[str, Any]:
    """Add pieces atomically (orders may be taking stock at the same moment)."""
    changes = {"stock": (current.stock, current.stock + quantity)}
    key = repository.product_key(current.product_id)
    return _commit(
        "PRODUCT",
        current.product_id,
        key,
        changes,
        by=by,
        via=via,
        add={"stock": quantity},
        restocked=quantity,
    )
