"""`users add` / `users list`: the officials who may use the API, in the stage's Cognito user pool.

A user's role is her group in the pool (mission_admin, district_coordinator, block_coordinator,
resource_person) and her scope the pool's custom attributes; her id token carries both
(chalicelib/auth.py reads them). Cognito e-mails her a temporary password (valid 7 days).
"""

from __future__ import annotations

import json
from typing import Any, Self

import click
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chalicelib import aws
from chalicelib.auth import SCOPE_ATTRIBUTES, Principal, Role
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from haat_tools.local import session

# What each role's scope must name (and nothing else): the access policy reads these claims.
REQUIRED_SCOPE: dict[Role, frozenset[str]] = {
    Role.MISSION_ADMIN: frozenset(),
    Role.DISTRICT_COORDINATOR: frozenset({"district"}),
    Role.BLOCK_COORDINATOR: frozenset({"district", "block"}),
    Role.RESOURCE_PERSON: frozenset({"shg_ids"}),
}
STAGES = ("local", "dev", "prod")


class NewUser(BaseModel):
    """A user as `users add` is asked for her: an e-mail, a role and exactly that role's scope."""

    model_config = ConfigDict(str_strip_whitespace=True)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    name: str = ""
    role: Role
    district: str = ""
    block: str = ""
    shg_ids: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Self:
        given = {field for field in SCOPE_ATTRIBUTES if getattr(self, field)}
        required = REQUIRED_SCOPE[self.role]
        if missing := required - given:
            raise ValueError(f"a {self.role.value} needs {_options(missing)}")
        if extra := given - required:
            raise ValueError(f"a {self.role.value} takes no {_options(extra)}")
        return self

    def attributes(self) -> list[dict[str, str]]:
        """The pool attributes of this user (scope as its claims carry it)."""
        scope = Principal(
            subject="", role=self.role, district=self.district, block=self.block, shg_ids=self.shg_ids
        )
        context = scope.context()
        values = {field: context[field] for field in sorted(REQUIRED_SCOPE[self.role])}
        attributes = [{"Name": "email", "Value": self.email}, {"Name": "email_verified", "Value": "true"}]
        if self.name:
            attributes.append({"Name": "name", "Value": self.name})
        return attributes + [
            {"Name": SCOPE_ATTRIBUTES[field], "Value": value} for field, value in values.items()
        ]


def _options(fields: frozenset[str] | set[str]) -> str:
    return ", ".join(sorted("--shg" if field == "shg_ids" else f"--{field}" for field in fields))


def user_pool_id() -> str:
    """The stage's pool: the id its stack assigned, else the one pool of the stage's pool name."""
    if settings().COGNITO_USER_POOL_ID:
        return settings().COGNITO_USER_POOL_ID
    name = settings().USER_POOL_NAME
    pages = aws.client("cognito-idp").get_paginator("list_user_pools").paginate(MaxResults=60)
    found = [pool["Id"] for page in pages for pool in page["UserPools"] if pool["Name"] == name]
    if len(found) != 1:
        raise click.ClickException(f"expected one user pool named {name!r}, found {len(found)}")
    return str(found[0])


def _unknown_shgs(shg_ids: tuple[str, ...]) -> list[str]:
    return [shg_id for shg_id in shg_ids if registry.get_shg(shg_id) is None]


@click.group(help="The officials who may use the API: Cognito users with a role and a scope.")
def users() -> None:
    pass


@users.command(
    name="add", help="Create a user with a role and its scope; Cognito e-mails her a temporary password."
)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--email", required=True, help="Her sign-in name; the temporary password goes there.")
@click.option("--name", default="", help="How pages greet her.")
@click.option("--district", default="", help="district_coordinator, block_coordinator: her district.")
@click.option("--block", default="", help="block_coordinator: her block.")
@click.option("--shg", "shg_ids", multiple=True, help="resource_person: an SHG id she serves (repeatable).")
@click.option("--stage", type=click.Choice(STAGES), default="local", show_default=True)
def add(stage: str, **fields: Any) -> None:
    try:
        user = NewUser.model_validate(fields)
    except ValidationError as error:
        reasons = (
            f"{'.'.join(map(str, e['loc'])) or 'scope'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise click.UsageError("; ".join(reasons)) from error
    with session.stage_session(stage):
        if unknown := _unknown_shgs(user.shg_ids):
            raise click.ClickException(f"no SHG {', '.join(unknown)} in the {stage} registry")
        cognito = aws.client("cognito-idp")
        pool_id = user_pool_id()
        try:
            created = cognito.admin_create_user(
                UserPoolId=pool_id,
                Username=user.email,
                UserAttributes=user.attributes(),
                DesiredDeliveryMediums=["EMAIL"],
            )["User"]
        except cognito.exceptions.UsernameExistsException as error:
            raise click.ClickException(f"{user.email} already has a user on {stage}") from error
        cognito.admin_add_user_to_group(
            UserPoolId=pool_id, Username=created["Username"], GroupName=user.role.value
        )
    click.echo(
        json.dumps(
            {
                "stage": stage,
                "username": created["Username"],
                "status": created["UserStatus"],
                **user.model_dump(mode="json", exclude_defaults=True),
            }
        )
    )


@users.command(name="list", help="Every user of the stage with her role and scope (JSON lines).")
@click.option("--stage", type=click.Choice(STAGES), default="local", show_default=True)
def list_users(stage: str) -> None:
    with session.stage_session(stage):
        cognito = aws.client("cognito-idp")
        pool_id = user_pool_id()
        for role in Role:
            pages = cognito.get_paginator("list_users_in_group").paginate(
                UserPoolId=pool_id, GroupName=role.value
            )
            for page in pages:
                for user in page["Users"]:
                    click.echo(json.dumps(_listed(user, role)))


def _listed(user: dict[str, Any], role: Role) -> dict[str, Any]:
    attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
    scope = {field: attributes[claim] for field, claim in SCOPE_ATTRIBUTES.items() if attributes.get(claim)}
    return {"email": attributes.get("email", ""), "role": role.value, **scope, "status": user["UserStatus"]}
