"""What applying a row would change: plain functions over the rows and what the registry holds.

Every stored item remembers what the sheets last said of it (`imported`, one value per column).
A row changes only the fields whose sheet value differs from that memory, so:

- re-importing the same file changes nothing, even after orders sold stock or someone corrected a
  mobile through the edit routes (the sheet still says what it said);
- a row changed in the MIS updates exactly the fields it changed, and nothing the sheet does not give
  (stock is touched only when the stock cell has a value).

No AWS here: `RegistryView` is what the repository read for a chunk of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from chalicelib.imports import RowError
from chalicelib.registry import districts, values
from chalicelib.registry.imports.columns import KEY_FIELDS, HeaderMap, Kind
from chalicelib.registry.imports.rows import ArtisanRow, MemberRow, ProductRow, Row, ShgRow, given
from chalicelib.registry.models import (
    SHG,
    Channel,
    ChannelListing,
    GroupKind,
    Language,
    Member,
    MemberRole,
    Product,
)

CHANNEL_COLUMNS = {f"{channel.value}_sku": channel for channel in Channel}
SHORT_NAME_COLUMNS = {f"short_name_{language.value}": language for language in Language}
# sheet column -> model field, per entity (other columns are keys or need more than a rename)
SHG_FIELDS = {
    "shg_name": "name",
    "state": "state",
    "district": "district",
    "block": "block",
    "gram_panchayat": "gram_panchayat",
    "village": "village",
    "village_organisation": "village_organisation",
    "federation": "federation",
    "formed_on": "formed_on",
    "coordinator": "coordinator_member_id",
    "onboarded_on": "onboarded_on",
}
ARTISAN_GROUP_FIELDS = {
    "artisan_name": "name",
    **{f: f for f in ("state", "district", "block", "gram_panchayat", "village", "onboarded_on")},
}
MEMBER_FIELDS = {
    "member_name": "name",
    "artisan_name": "name",
    "mobile": "phone",
    "role": "role",
    "gender": "gender",
    "social_category": "social_category",
    "pvtg": "pvtg",
    "language": "language",
    "income_share": "income_share",
}
PRODUCT_FIELDS = {
    "title": "title",
    "price": "price_paise",
    "stock": "stock",
    "gi_tag": "gi_tag",
    "makers": "maker_member_ids",
}


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class Stored:
    """A registry item as read: what the sheets last said of it, and its model, which may be read
    only when needed (`load`): a row the sheet has not changed never needs it."""

    def __init__(
        self,
        imported: Mapping[str, Any],
        model: BaseModel | None = None,
        load: Callable[[], BaseModel] | None = None,
    ) -> None:
        assert model is not None or load is not None
        self.imported = imported
        self._model = model
        self._load = load

    @property
    def model(self) -> BaseModel:
        if self._model is None:
            assert self._load is not None
            self._model = self._load()
        return self._model


@dataclass(frozen=True)
class Pointer:
    product_id: str
    shg_id: str


@dataclass
class RegistryView:
    """The items a chunk's rows refer to, read before planning (absent = not in the registry)."""

    groups: dict[str, Stored] = field(default_factory=dict)  # shg_id ->
    members: dict[tuple[str, str], Stored] = field(default_factory=dict)  # (shg_id, member_id) ->
    products: dict[str, Stored] = field(default_factory=dict)  # product_id ->
    pointers: dict[tuple[str, str], Pointer] = field(default_factory=dict)  # (channel or "", sku) ->


@dataclass(frozen=True)
class Write:
    """One item to create (`changed` None) or update, with what the sheet said of it."""

    model: SHG | Member | Product
    imported: dict[str, Any]
    changed: dict[str, tuple[Any, Any]] | None = None
    group: SHG | None = None  # a product's group: its SKU pointers carry the district and block
    pointers: bool = False  # a product whose SKU pointers must be (re)written
    stale_pointers: tuple[tuple[str, str], ...] = ()  # (channel, sku) pointers a new SKU replaces


@dataclass
class RowOutcome:
    row: int
    action: Action
    writes: list[Write] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


InScope = Callable[[str, str, str], bool]  # (district, block, shg_id) -> may the importer write there


@dataclass(frozen=True)
class Context:
    today: date
    in_scope: InScope
    scope_words: str
    headers: HeaderMap


class Refused(Exception):
    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


def _changes(source: Mapping[str, Any], imported: Mapping[str, Any]) -> dict[str, Any]:
    return {f: v for f, v in source.items() if imported.get(f) != v}


def _rebuilt(model: BaseModel, updates: Mapping[str, Any]) -> Any:
    """The model with `updates` applied, validated as a whole."""
    return type(model).model_validate({**model.model_dump(mode="json"), **updates})


def _write(stored: Stored | None, new: BaseModel, source: dict[str, Any], **extra: Any) -> Write | None:
    """A create, an update of the fields that differ, or None when the item is as the sheet says."""
    if stored is None:
        return Write(new, source, None, **extra)  # type: ignore[arg-type]
    before, after = stored.model.model_dump(mode="json"), new.model_dump(mode="json")
    changed = {name: (before.get(name), value) for name, value in after.items() if before.get(name) != value}
    if not changed and dict(stored.imported) == {**stored.imported, **source}:
        return None
    return Write(new, {**stored.imported, **source}, changed, **extra)  # type: ignore[arg-type]


def _outcome(row: int, writes: list[Write | None], existed: bool) -> RowOutcome:
    done = [w for w in writes if w is not None]
    if not existed:
        action = Action.CREATED
    elif any(w.changed is None or w.changed for w in done):
        action = Action.UPDATED
    else:
        action = Action.UNCHANGED  # at most a note of what the sheet says, for the next import
    return RowOutcome(row, action, done)


def _check_scope(context: Context, field: str, value: str, *places: tuple[str, str, str]) -> None:
    for district, block, shg_id in places:
        if not context.in_scope(district, block, shg_id):
            raise Refused(field, value, f"outside your area ({context.scope_words})")


def _group(view: RegistryView, code: str, field: str, kind: GroupKind | None = None) -> SHG:
    stored = view.groups.get(code)
    if stored is None:
        what = "artisan code" if kind is GroupKind.INDIVIDUAL else "SHG code"
        raise Refused(field, code, f"unknown {what}: import its file first")
    group = stored.model
    assert isinstance(group, SHG)
    if kind is not None and group.kind is not kind:
        is_what = "an individual artisan" if group.kind is GroupKind.INDIVIDUAL else "an SHG"
        raise Refused(
            field, code, f"this code is {is_what}, not {'an SHG' if kind is GroupKind.SHG else 'an artisan'}"
        )
    return group


def _mapped(source: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    return {names[f]: v for f, v in source.items() if f in names}


def _new_group(code: str, kind: GroupKind, fields: Mapping[str, Any], context: Context) -> SHG:
    """A new SHG or artisan's group, onboarded today unless the sheet says when."""
    return SHG.model_validate(
        {"shg_id": code, "kind": kind, "onboarded_on": context.today.isoformat(), **fields}
    )


def plan_shg(row: Row, view: RegistryView, context: Context) -> list[Write | None]:
    source = {f: v for f, v in given(row).items() if f in SHG_FIELDS}
    assert isinstance(row, ShgRow)
    code = row.shg_code
    stored = view.groups.get(code)
    place = (source["district"], source["block"], code)
    if stored is None:
        _check_scope(context, "district", source["district"], place)
        new = _new_group(code, GroupKind.SHG, _mapped(source, SHG_FIELDS), context)
        return [_write(None, new, source)]
    old = stored.model
    assert isinstance(old, SHG)
    if old.kind is not GroupKind.SHG:
        raise Refused("shg_code", code, "this code is an individual artisan, not an SHG")
    _check_scope(context, "district", source["district"], place, (old.district, old.block, code))
    updates = _mapped(_changes(source, stored.imported), SHG_FIELDS)
    return [_write(stored, _rebuilt(old, updates), source)]


def _member_source(row: Row, group_district: str) -> dict[str, Any]:
    source = {f: v for f, v in given(row).items() if f in MEMBER_FIELDS}
    source.setdefault("language", districts.default_language(group_district).value)
    return source


def _new_member(member_id: str, shg_id: str, source: Mapping[str, Any]) -> Member:
    fields = _mapped(source, MEMBER_FIELDS)
    fields.setdefault("income_share", 0.0 if fields.get("role") == MemberRole.COORDINATOR else 1.0)
    return Member.model_validate({"member_id": member_id, "shg_id": shg_id, **fields})


def plan_member(row: Row, view: RegistryView, context: Context) -> list[Write | None]:
    assert isinstance(row, MemberRow)
    group = _group(view, row.shg_code, "shg_code", GroupKind.SHG)
    _check_scope(context, "shg_code", row.shg_code, (group.district, group.block, group.shg_id))
    source = _member_source(row, group.district)
    stored = view.members.get((group.shg_id, row.member_code))
    if stored is None:
        return [_write(None, _new_member(row.member_code, group.shg_id, source), source)]
    changes = _changes(source, stored.imported)
    if not changes:
        return [None]
    return [_write(stored, _rebuilt(stored.model, _mapped(changes, MEMBER_FIELDS)), source)]


def plan_artisan(row: Row, view: RegistryView, context: Context) -> list[Write | None]:
    assert isinstance(row, ArtisanRow)
    code = row.artisan_code
    group_source = {f: v for f, v in given(row).items() if f in ARTISAN_GROUP_FIELDS}
    member_source = _member_source(row, group_source["district"])
    stored_group = view.groups.get(code)
    place = (group_source["district"], group_source["block"], code)
    if stored_group is None:
        _check_scope(context, "district", group_source["district"], place)
        group = _new_group(code, GroupKind.INDIVIDUAL, _mapped(group_source, ARTISAN_GROUP_FIELDS), context)
        member = _new_member(code, code, {**member_source, "role": MemberRole.ARTISAN.value})
        return [_write(None, group, group_source), _write(None, member, member_source)]
    old = stored_group.model
    assert isinstance(old, SHG)
    if old.kind is not GroupKind.INDIVIDUAL:
        raise Refused("artisan_code", code, "this code is an SHG, not an individual artisan")
    _check_scope(context, "district", group_source["district"], place, (old.district, old.block, code))
    group_updates = _mapped(_changes(group_source, stored_group.imported), ARTISAN_GROUP_FIELDS)
    writes = [_write(stored_group, _rebuilt(old, group_updates), group_source)]
    stored_member = view.members.get((code, code))
    if stored_member is None:
        member = _new_member(code, code, {**member_source, "role": MemberRole.ARTISAN.value})
        return [*writes, _write(None, member, member_source)]
    member_updates = _mapped(_changes(member_source, stored_member.imported), MEMBER_FIELDS)
    return [*writes, _write(stored_member, _rebuilt(stored_member.model, member_updates), member_source)]


def derived_product_id(sku: str) -> str:
    """A product id for a sheet that has none: P- and the SKU, with '.' as '-'."""
    return f"P-{sku.replace('.', '-')}"[:60]


def _product_id(row: ProductRow, view: RegistryView, group: SHG) -> str:
    pointer = view.pointers.get(("", row.sku))
    if pointer is not None and pointer.shg_id != group.shg_id:
        raise Refused("sku", row.sku, f"this SKU is a product of {pointer.shg_id}")
    if row.product_id and pointer is not None and pointer.product_id != row.product_id:
        raise Refused("sku", row.sku, f"this SKU is product {pointer.product_id}")
    product_id = row.product_id or (pointer.product_id if pointer else derived_product_id(row.sku))
    stored = view.products.get(product_id)
    if stored is not None:
        product = stored.model
        assert isinstance(product, Product)
        if product.sku != row.sku:
            raise Refused("product_id", product_id, f"product {product_id} has SKU {product.sku}")
        if product.shg_id != group.shg_id:
            raise Refused("product_id", product_id, f"product {product_id} belongs to {product.shg_id}")
    return product_id


def _product_updates(
    changes: Mapping[str, Any], old: Product | None, row: ProductRow
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Model updates for the changed columns, and the channel-SKU pointers they make stale."""
    updates = _mapped(changes, PRODUCT_FIELDS)
    if "craft" in changes:
        updates["craft"] = row.craft_category.value
    names = {k.value: v for k, v in (old.short_name if old else {}).items()}
    if any(f in changes for f in SHORT_NAME_COLUMNS):
        names.update({SHORT_NAME_COLUMNS[f].value: v for f, v in changes.items() if f in SHORT_NAME_COLUMNS})
        updates["short_name"] = names
    stale: list[tuple[str, str]] = []
    if any(f in changes for f in CHANNEL_COLUMNS):
        listings = {listing.channel: listing for listing in (old.listings if old else [])}
        for column, channel in CHANNEL_COLUMNS.items():
            if column not in changes:
                continue
            previous = listings.get(channel)
            if previous is not None and previous.channel_sku != changes[column]:
                stale.append((channel.value, previous.channel_sku))
            listings[channel] = ChannelListing(channel=channel, channel_sku=changes[column])
        updates["listings"] = [listings[c].model_dump(mode="json") for c in Channel if c in listings]
    return updates, stale


def plan_product(row: Row, view: RegistryView, context: Context) -> list[Write | None]:
    assert isinstance(row, ProductRow)
    group_field = "shg_code" if row.shg_code else "artisan_code"
    kind = GroupKind.INDIVIDUAL if group_field == "artisan_code" else None
    group = _group(view, row.group_code, group_field, kind)
    _check_scope(context, group_field, row.group_code, (group.district, group.block, group.shg_id))
    product_id = _product_id(row, view, group)
    for column, channel in CHANNEL_COLUMNS.items():
        channel_sku = getattr(row, column)
        pointer = view.pointers.get((channel.value, channel_sku)) if channel_sku else None
        if pointer is not None and pointer.product_id != product_id:
            raise Refused(column, channel_sku, f"this {channel.value} SKU is product {pointer.product_id}")
    for maker in row.makers or []:
        if (group.shg_id, maker) not in view.members:
            raise Refused("makers", maker, f"no member {maker} in {group.shg_id}")
    skip = {"shg_code", "artisan_code", "product_id", "sku"}
    source = {f: v for f, v in given(row).items() if f not in skip}
    if row.makers is None and group.kind is GroupKind.INDIVIDUAL:
        source["makers"] = [group.shg_id]
    stored = view.products.get(product_id)
    old = stored.model if stored else None
    assert old is None or isinstance(old, Product)
    updates, stale = _product_updates(source if old is None else _changes(source, stored.imported), old, row)  # type: ignore[union-attr]
    if old is None:
        new = Product.model_validate(
            {
                "product_id": product_id,
                "shg_id": group.shg_id,
                "sku": row.sku,
                "craft": row.craft_category,
                **updates,
            }
        )
        return [_write(None, new, source, group=group, pointers=True)]
    new = _rebuilt(old, updates)
    # SKU pointers carry what an order line needs at once: craft, makers, short names (or the title).
    pointers = bool(stale) or any(
        k in updates for k in ("craft", "maker_member_ids", "listings", "short_name", "title")
    )
    return [_write(stored, new, source, group=group, pointers=pointers, stale_pointers=tuple(stale))]


PLANNERS: dict[Kind, Callable[[Row, RegistryView, Context], list[Write | None]]] = {
    Kind.SHGS: plan_shg,
    Kind.MEMBERS: plan_member,
    Kind.ARTISANS: plan_artisan,
    Kind.PRODUCTS: plan_product,
}


def existed(kind: Kind, row: Row, view: RegistryView) -> bool:
    if kind is Kind.MEMBERS:
        assert isinstance(row, MemberRow)
        return (row.shg_code, row.member_code) in view.members
    if kind is Kind.PRODUCTS:
        assert isinstance(row, ProductRow)
        pointer = view.pointers.get(("", row.sku))
        return (row.product_id or (pointer.product_id if pointer else "")) in view.products
    return str(getattr(row, KEY_FIELDS[kind])) in view.groups


def plan(kind: Kind, line: int, row: Row, view: RegistryView, context: Context) -> RowOutcome:
    """What the row changes, or why it is refused (nothing of a refused row is written)."""
    try:
        writes = PLANNERS[kind](row, view, context)
    except Refused as refused:
        error = RowError(
            row=line, column=context.headers.header(refused.field), value=refused.value, reason=refused.reason
        )
        return RowOutcome(line, Action.REJECTED, errors=[error])
    except ValidationError as invalid:
        reason = "; ".join(str(d["msg"]).removeprefix("Value error, ") for d in invalid.errors())
        return RowOutcome(
            line, Action.REJECTED, errors=[RowError(row=line, column="(row)", value="", reason=reason)]
        )
    outcome = _outcome(line, writes, existed(kind, row, view))
    if kind is Kind.PRODUCTS and isinstance(row, ProductRow) and values.craft(row.craft) is None:
        note = f"not a craft Haat knows: kept as '{row.craft_category.value}'"
        outcome.warnings.append(
            RowError(row=line, column=context.headers.header("craft"), value=row.craft, reason=note)
        )
    return outcome
