"""Bearer-token verification for the REST API: who is calling (what they may do is chalicelib/access.py).

In AWS the token is a Cognito user-pool id token verified against the pool's JWKS; in the local
stack it is a JWT signed with a key the stack generates per run (SSM), which the CLI also uses.
Both carry the same claims: the user's role as her Cognito group (`cognito:groups`) and her scope
as custom attributes of the pool (infra/resources.yaml; `haat users add` sets them).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, field_validator

from chalicelib.config import settings

if TYPE_CHECKING:
    import jwt

LOCAL_ISSUER = "haat-local"
_ALGORITHM_LOCAL = "HS256"


class Role(StrEnum):
    """The user pool's groups, most privileged first (a user belongs to one)."""

    MISSION_ADMIN = "mission_admin"
    DISTRICT_COORDINATOR = "district_coordinator"
    BLOCK_COORDINATOR = "block_coordinator"
    RESOURCE_PERSON = "resource_person"


GROUPS_CLAIM = "cognito:groups"
# Principal field -> the pool's custom attribute (and id-token claim) that holds it.
SCOPE_ATTRIBUTES = {"district": "custom:district", "block": "custom:block", "shg_ids": "custom:shg_ids"}


class Principal(BaseModel):
    """Who is calling, and the part of the mission their role covers (district, block or SHGs)."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role = Role.RESOURCE_PERSON
    district: str = ""
    block: str = ""
    shg_ids: tuple[str, ...] = ()

    @field_validator("shg_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """Token claims and authorizer contexts carry the SHGs as one comma-separated string."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    def context(self) -> dict[str, str]:
        """Flat strings, as API Gateway allows in an authorizer's context."""
        return {
            "subject": self.subject,
            "role": self.role.value,
            "district": self.district,
            "block": self.block,
            "shg_ids": ",".join(self.shg_ids),
        }


class Unauthorized(Exception):
    """The token is missing, malformed, expired or not ours."""


def _local_key() -> str:
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_parameter(settings().auth_signing_key_parameter, decrypt=True, max_age=300))


@functools.cache
def _jwks_client() -> jwt.PyJWKClient:
    """The pool's signing keys; an AWS_ENDPOINT_URL (moto, LocalStack) serves them at the same path."""
    import jwt

    region = os.environ.get("AWS_REGION", "ap-south-1")
    base = os.environ.get("AWS_ENDPOINT_URL", f"https://cognito-idp.{region}.amazonaws.com").rstrip("/")
    return jwt.PyJWKClient(f"{base}/{settings().COGNITO_USER_POOL_ID}/.well-known/jwks.json")


def _role(claims: dict[str, Any]) -> Role:
    groups = claims.get(GROUPS_CLAIM) or []
    for role in Role:
        if role.value in groups:
            return role
    raise Unauthorized("the user is in no Haat role group")


def _principal(claims: dict[str, Any]) -> Principal:
    scope = {field: claims.get(claim, "") for field, claim in SCOPE_ATTRIBUTES.items()}
    return Principal.model_validate({"subject": str(claims.get("sub", "")), "role": _role(claims), **scope})


def verify(token: str) -> Principal:
    """The principal a bearer token speaks for, or Unauthorized. JWT and its crypto load here, on the
    authorizer's path only: every other function's cold start skips them."""
    import jwt

    config = settings()
    try:
        if config.AUTH_MODE == "local":
            claims = jwt.decode(
                token,
                _local_key(),
                algorithms=[_ALGORITHM_LOCAL],
                issuer=LOCAL_ISSUER,
                options={"require": ["exp", "sub"]},
            )
        else:
            region = os.environ.get("AWS_REGION", "ap-south-1")
            key = _jwks_client().get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=f"https://cognito-idp.{region}.amazonaws.com/{config.COGNITO_USER_POOL_ID}",
                options={"require": ["exp", "sub", "token_use"], "verify_aud": False},
            )
            if claims.get("token_use") != "id" or claims.get("aud") != config.COGNITO_APP_CLIENT_ID:
                raise Unauthorized("token is not an id token for this app")
        return _principal(claims)
    except (jwt.PyJWTError, ValueError) as error:
        raise Unauthorized(str(error)) from error


def issue_local_token(
    subject: str,
    role: Role,
    *,
    district: str = "",
    block: str = "",
    shg_ids: Iterable[str] = (),
    ttl_s: int = 3600,
) -> str:
    """A token the local stack accepts, with the claims a Cognito id token carries (the CLI and
    tests use it; AWS never does)."""
    import jwt

    now = int(time.time())
    scope = Principal(subject=subject, role=role, district=district, block=block, shg_ids=tuple(shg_ids))
    claims: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "sub": subject,
        "iat": now,
        "exp": now + ttl_s,
        GROUPS_CLAIM: [role.value],
    }
    context = scope.context()
    claims |= {claim: context[field] for field, claim in SCOPE_ATTRIBUTES.items()}
    return jwt.encode(claims, _local_key(), algorithm=_ALGORITHM_LOCAL)
