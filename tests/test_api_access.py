"""Only health (and, later, the signed webhooks) are open; everything else needs a bearer token."""

from __future__ import annotations

import time

import jwt
import pytest

from chalicelib.auth import LOCAL_ISSUER, Role, _local_key, issue_local_token
from tests.http import get_json


def test_health_is_open(api_url: str) -> None:
    assert get_json(f"{api_url}/health") == (200, {"status": "ok"})


def test_anonymous_call_gets_401(api_url: str) -> None:
    status, _ = get_json(f"{api_url}/whoami")
    assert status == 401


@pytest.mark.parametrize("token", ["not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
def test_forged_token_is_refused(api_url: str, token: str) -> None:
    status, _ = get_json(f"{api_url}/whoami", token)
    assert status == 401


def test_local_token_identifies_the_caller(api_url: str) -> None:
    token = issue_local_token("officer-1", Role.DISTRICT_COORDINATOR, district="Budgam")
    status, body = get_json(f"{api_url}/whoami", token)
    assert status == 200
    assert body["role"] == "district_coordinator"
    assert body["district"] == "Budgam"
    assert body["scope"] == "district Budgam"


def test_token_of_a_user_in_no_role_group_is_refused(api_url: str) -> None:
    now = int(time.time())
    claims = {"iss": LOCAL_ISSUER, "sub": "nobody", "iat": now, "exp": now + 60, "custom:district": "Budgam"}
    status, _ = get_json(f"{api_url}/whoami", jwt.encode(claims, _local_key(), algorithm="HS256"))
    assert status == 401
