"""Haat's one access policy: who may take which action on what part of the mission.

Every authenticated route asks this module, and nothing else looks at roles. `auth.py` only says
who the caller is (a verified `Principal`); this module says what that principal may do.

    from chalicelib import access
    from chalicelib.api import principal_of

    principal = principal_of(app)
    access.require(principal, "photos:upload", access.Resource.of(shg.district, shg.block, shg.shg_id))

- `may(principal, action, resource) -> bool` answers; `require(...)` raises Chalice's
  `ForbiddenError` (403) with a message the caller can act on.
- `resource=None` asks whether the role may take the action at all (check it first, before any
  read); then ask again per item (a row of an import, an order, a product) with its `Resource`.
- A `Resource` is the places (district, block, SHG) the thing belongs to; an order whose lines
  come from several SHGs has several, and a principal must hold every one of them.
  `access.MISSION` (no place) is the mission as a whole: only mission admins hold it, so an
  unknown or unfiled thing is never visible to a scoped role.
- Actions are "<thing>:<verb>" strings, each listed once in `RULES` with the roles that may take it.
  A new route adds its action there (and a row to tests/test_authorization_matrix.py); asking
  about an action that is not listed raises `UnknownAction`, so a typo fails loudly in tests.

Roles: mission_admin (the whole mission), district_coordinator (one district), block_coordinator
(one block of one district), resource_person (one or more SHGs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalice import ForbiddenError

from chalicelib.auth import Principal, Role

EVERYONE = frozenset(Role)
COORDINATORS = frozenset({Role.MISSION_ADMIN, Role.DISTRICT_COORDINATOR, Role.BLOCK_COORDINATOR})
ADMINS = frozenset({Role.MISSION_ADMIN})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    scoped: bool = True  # False: the action is about the caller, not about a place of the mission
    refusal: str = "this is outside your area"


RULES: dict[str, Rule] = {
    "profile:read": Rule(EVERYONE, scoped=False),
    "orders:read": Rule(EVERYONE),
    "orders:quarantine": Rule(ADMINS, refusal="only mission admins see quarantined order messages"),
    "photos:read": Rule(EVERYONE),
    "products:read": Rule(EVERYONE),
    "photos:upload": Rule(EVERYONE),
    "imports:orders": Rule(COORDINATORS, refusal="only coordinators and mission admins import orders"),
    "imports:registry": Rule(
        COORDINATORS, refusal="only coordinators and mission admins import the registry"
    ),
    "members:edit": Rule(EVERYONE, refusal="this member is outside your area"),
    "products:edit": Rule(EVERYONE, refusal="this product is outside your area"),
    "registry:history": Rule(EVERYONE),
    "dashboard:read": Rule(
        COORDINATORS,
        refusal="the dashboard covers a district or a block; resource persons use the upload page",
    ),
    "digest:subscribe": Rule(
        COORDINATORS,
        refusal="only coordinators (for their own area) and mission admins manage digest e-mails",
    ),
    "settlements:read": Rule(COORDINATORS),
    "listings:read": Rule(EVERYONE),
    "listings:export": Rule(
        COORDINATORS, refusal="only coordinators (for their own area) and mission admins export listings"
    ),
    "listings:mark": Rule(
        COORDINATORS,
        refusal="only coordinators (for their own area) and mission admins record what a channel did",
    ),
    "settlements:import": Rule(
        COORDINATORS, refusal="only coordinators (for their own area) and mission admins import settlements"
    ),
}


class UnknownAction(Exception):
    """An action no rule names: a programming error, never the caller's."""


@dataclass(frozen=True)
class Place:
    district: str = ""
    block: str = ""
    shg_id: str = ""


@dataclass(frozen=True)
class Resource:
    """The places a thing belongs to; no place means the mission as a whole."""

    places: tuple[Place, ...] = ()

    @classmethod
    def of(cls, district: str, block: str = "", shg_id: str = "") -> Resource:
        return cls((Place(district, block, shg_id),))

    @classmethod
    def spanning(cls, places: Iterable[Place]) -> Resource:
        return cls(tuple(sorted(set(places), key=lambda p: (p.district, p.block, p.shg_id))))


MISSION = Resource()


def _holds(principal: Principal, place: Place) -> bool:
    """Whether the principal's scope covers one place (empty scope values never match)."""
    match principal.role:
        case Role.MISSION_ADMIN:
            return True
        case Role.DISTRICT_COORDINATOR:
            return bool(principal.district) and place.district == principal.district
        case Role.BLOCK_COORDINATOR:
            return (
                bool(principal.district and principal.block)
                and place.district == principal.district
                and place.block == principal.block
            )
        case Role.RESOURCE_PERSON:
            return bool(place.shg_id) and place.shg_id in principal.shg_ids
    return False


def _rule(action: str) -> Rule:
    try:
        return RULES[action]
    except KeyError:
        raise UnknownAction(action) from None


def may(principal: Principal, action: str, resource: Resource | None = None) -> bool:
    """Whether `principal` may take `action` on `resource` (None: anywhere in its own scope)."""
    rule = _rule(action)
    if principal.role not in rule.roles:
        return False
    if resource is None or not rule.scoped or principal.role is Role.MISSION_ADMIN:
        return True
    return bool(resource.places) and all(_holds(principal, place) for place in resource.places)


def require(principal: Principal, action: str, resource: Resource | None = None) -> None:
    """`may`, or a 403 for the route (Chalice turns ForbiddenError into the response)."""
    if not may(principal, action, resource):
        raise ForbiddenError(_rule(action).refusal)


def area_of(principal: Principal) -> Resource:
    """The principal's own area as a resource: what another caller must hold to see what it did
    (an import a coordinator ran, say). A mission admin's area is the mission as a whole."""
    match principal.role:
        case Role.DISTRICT_COORDINATOR:
            return Resource.of(principal.district)
        case Role.BLOCK_COORDINATOR:
            return Resource.of(principal.district, principal.block)
        case Role.RESOURCE_PERSON:
            return Resource.spanning(Place(shg_id=shg_id) for shg_id in principal.shg_ids)
    return MISSION


def listed_shgs(principal: Principal) -> tuple[str, ...] | None:
    """The SHGs the principal's area is a list of (resource persons), or None when it is a district,
    a block or the mission (then an SHG listing is a district's, filtered with `may`)."""
    return principal.shg_ids if principal.role is Role.RESOURCE_PERSON else None


def scope_of(principal: Principal) -> str:
    """The principal's area in words, for messages ('district Budgam', 'SHGs A, B')."""
    match principal.role:
        case Role.MISSION_ADMIN:
            return "the whole mission"
        case Role.DISTRICT_COORDINATOR:
            return f"district {principal.district}"
        case Role.BLOCK_COORDINATOR:
            return f"block {principal.block} of district {principal.district}"
    return "SHG " + ", ".join(principal.shg_ids) if principal.shg_ids else "no SHG"
