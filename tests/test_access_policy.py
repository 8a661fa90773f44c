"""The access policy's rules, as plain functions (routes are covered by the authorization matrix)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chalice import ForbiddenError

from chalicelib import access
from chalicelib.auth import Principal, Role

BUDGAM_A = access.Resource.of("Budgam", "Khansahib", "SHG-A")
BUDGAM_B = access.Resource.of("Budgam", "Chadoora", "SHG-B")
SRINAGAR_C = access.Resource.of("Srinagar", "Hazratbal", "SHG-C")

ADMIN = Principal(subject="a", role=Role.MISSION_ADMIN)
BUDGAM = Principal(subject="d", role=Role.DISTRICT_COORDINATOR, district="Budgam")
KHANSAHIB = Principal(subject="b", role=Role.BLOCK_COORDINATOR, district="Budgam", block="Khansahib")
RP_A = Principal(subject="r", role=Role.RESOURCE_PERSON, shg_ids=("SHG-A", "SHG-C"))


@pytest.mark.parametrize(
    ("principal", "allowed"),
    [
        (ADMIN, {BUDGAM_A, BUDGAM_B, SRINAGAR_C, access.MISSION}),
        (BUDGAM, {BUDGAM_A, BUDGAM_B}),
        (KHANSAHIB, {BUDGAM_A}),
        (RP_A, {BUDGAM_A, SRINAGAR_C}),
    ],
)
def test_each_role_holds_exactly_its_area(principal: Principal, allowed: set[access.Resource]) -> None:
    for resource in (BUDGAM_A, BUDGAM_B, SRINAGAR_C, access.MISSION):
        assert access.may(principal, "orders:read", resource) is (resource in allowed), resource


def test_a_resource_spanning_places_needs_every_one() -> None:
    both = access.Resource.spanning([*BUDGAM_A.places, *SRINAGAR_C.places])
    assert access.may(RP_A, "orders:read", both)
    assert not access.may(BUDGAM, "orders:read", both)


def test_empty_scope_values_never_match() -> None:
    nowhere = Principal(subject="d", role=Role.DISTRICT_COORDINATOR)
    assert not access.may(nowhere, "orders:read", access.Resource.of("", "", ""))
    blockless = Principal(subject="b", role=Role.BLOCK_COORDINATOR, district="Budgam")
    assert not access.may(blockless, "orders:read", access.Resource.of("Budgam", ""))
    no_shg = Principal(subject="r", role=Role.RESOURCE_PERSON)
    assert not access.may(no_shg, "photos:read", access.Resource.of("Budgam", "Khansahib", ""))


def test_quarantine_is_for_mission_admins_only() -> None:
    assert access.may(ADMIN, "orders:quarantine", access.MISSION)
    for principal in (BUDGAM, KHANSAHIB, RP_A):
        assert not access.may(principal, "orders:quarantine")
        with pytest.raises(ForbiddenError, match="mission admins"):
            access.require(principal, "orders:quarantine", access.MISSION)


def test_role_check_without_a_resource() -> None:
    assert access.may(BUDGAM, "imports:orders")
    assert access.may(KHANSAHIB, "imports:orders")
    assert not access.may(RP_A, "imports:orders")
    assert access.may(RP_A, "profile:read")


def test_what_a_caller_did_is_seen_by_whoever_holds_its_area() -> None:
    """An import a block coordinator ran: her district's coordinator and admins see it, another
    block's coordinator does not; an admin's import is the mission's."""
    other_block = Principal(subject="o", role=Role.BLOCK_COORDINATOR, district="Budgam", block="Chadoora")
    ran_by_khansahib = access.area_of(KHANSAHIB)
    assert [access.may(p, "imports:registry", ran_by_khansahib) for p in (ADMIN, BUDGAM, other_block)] == [
        True,
        True,
        False,
    ]
    assert not access.may(BUDGAM, "imports:registry", access.area_of(ADMIN))
    assert not access.may(KHANSAHIB, "imports:registry", access.area_of(BUDGAM))
    assert access.area_of(RP_A) == access.Resource.spanning(
        [access.Place(shg_id="SHG-A"), access.Place(shg_id="SHG-C")]
    )


def test_an_unknown_action_fails_loudly() -> None:
    with pytest.raises(access.UnknownAction):
        access.may(ADMIN, "orders:delete")


def test_token_context_round_trips_as_flat_strings() -> None:
    context = RP_A.context()
    assert all(isinstance(value, str) for value in context.values())
    assert Principal.model_validate(context) == RP_A


def test_no_module_but_the_policy_looks_at_roles() -> None:
    """`auth.py` says who the caller is; only `access.py` decides on roles."""
    root = Path(__file__).resolve().parents[1]
    role = re.compile(r"(?<![A-Za-z])Role\.[A-Z_]+|principal\.role\b")
    sources = [root / "app.py", *(root / "chalicelib").rglob("*.py")]
    allowed = {root / "chalicelib" / "access.py", root / "chalicelib" / "auth.py"}
    looking = [
        str(path.relative_to(root))
        for path in sources
        if path not in allowed and role.search(path.read_text())
    ]
    assert looking == []
