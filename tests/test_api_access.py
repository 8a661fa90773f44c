"""Only health (and, later, the signed webhooks) are open; everything else needs a bearer token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from chalicelib.auth import Role, issue_local_token


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_health_is_open(api_url: str) -> None:
    assert _get(f"{api_url}/health") == (200, {"status": "ok"})


def test_anonymous_call_gets_401(api_url: str) -> None:
    status, _ = _get(f"{api_url}/whoami")
    assert status == 401


@pytest.mark.parametrize("token", ["not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
def test_forged_token_is_refused(api_url: str, token: str) -> None:
    status, _ = _get(f"{api_url}/whoami", token)
    assert status == 403


def test_local_token_identifies_the_caller(api_url: str) -> None:
    token = issue_local_token("officer-1", Role.DISTRICT_COORDINATOR, district="Budgam")
    status, body = _get(f"{api_url}/whoami", token)
    assert status == 200
    assert body["role"] == "district_coordinator"
    assert body["district"] == "Budgam"
