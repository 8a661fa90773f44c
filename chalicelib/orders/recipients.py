"""Who is told of an order line: its makers; for a product with none listed, the SHG's artisans,
else its coordinator, else whoever the SHG has. An order never reaches nobody unnoticed: the
record keeps the members told and why (`OrderLine.told_member_ids`, `told_as`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chalicelib.observability import logger, metrics
from chalicelib.orders.models import OrderLine, ToldAs
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Member, MemberRole


def choose(makers: Sequence[str], members: Iterable[Member], coordinator_id: str) -> tuple[list[str], ToldAs]:
    """The members to tell of a line, and why them (pure: the caller brings the registry's data)."""
    if makers:
        return list(makers), ToldAs.MAKERS
    present = sorted((m for m in members if not m.sms_opt_out), key=lambda m: m.member_id)
    artisans = [m.member_id for m in present if m.role is MemberRole.ARTISAN]
    if artisans:
        return artisans, ToldAs.SHG_ARTISANS
    if coordinator_id and any(m.member_id == coordinator_id for m in present):
        return [coordinator_id], ToldAs.COORDINATOR
    if present:
        return [m.member_id for m in present], ToldAs.SHG_MEMBERS
    return [], ToldAs.NOBODY


def with_recipients(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """`lines` with who is told of each; the registry is read only for SHGs of lines without makers."""
    shgs = sorted({line.shg_id for line in lines if not line.maker_member_ids and line.shg_id})
    members = {shg_id: registry.members_of(shg_id) for shg_id in shgs}
    coordinators = {shg_id: _coordinator_of(shg_id) for shg_id in shgs}
    told = []
    for line in lines:
        ids, told_as = choose(
            line.maker_member_ids, members.get(line.shg_id, []), coordinators.get(line.shg_id, "")
        )
        if told_as is ToldAs.NOBODY:
            logger.warning("order line reaches nobody", extra={"shg_id": line.shg_id, "sku": line.sku})
            metrics.add_metric(name="OrderLineUntold", unit="Count", value=1)
        told.append(line.model_copy(update={"told_member_ids": ids, "told_as": told_as}))
    return told


def told_of(line: OrderLine) -> list[str]:
    """Members told of `line`; records from before `told_as` existed told the makers."""
    return list(line.told_member_ids) if line.told_as is not None else list(line.maker_member_ids)


def _coordinator_of(shg_id: str) -> str:
    shg = registry.get_shg(shg_id)
    return shg.coordinator_member_id if shg else ""
