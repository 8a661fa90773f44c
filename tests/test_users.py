"""`users add` against the local stack's Cognito (moto): role as group, scope as attributes, and the
id token Cognito then issues is one the API's authorizer reads the same role and scope from."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from chalicelib import auth, aws
from chalicelib.auth import Role
from haat_tools.cli.users import user_pool_id
from haat_tools.local import demo

PASSWORD = "first-login-2026"


@pytest.fixture
def users_cli(cli_result: Callable[..., Result]) -> Callable[..., Result]:
    """`users ...` on the local stage; the result whatever the exit code."""
    return lambda *args: cli_result("users", *args, "--stage", "local")


def cognito_id_token(email: str) -> str:
    """Sign in as the user would after her first login (new password chosen), through the app client."""
    cognito = aws.client("cognito-idp")
    pool_id = user_pool_id()
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    [client] = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
    answer = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def test_district_coordinator_gets_group_and_district(
    users_cli: Callable[..., Result], unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = f"dc-{unique}@jkrlm.example"
    result = users_cli("add", "--role", "district_coordinator", "--district", "Budgam", "--email", email)
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["status"] == "FORCE_CHANGE_PASSWORD"

    cognito = aws.client("cognito-idp")
    pool_id = user_pool_id()
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:district"] == "Budgam"
    assert attributes["email"] == email
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=email)["Groups"]
    assert [g["GroupName"] for g in groups] == ["district_coordinator"]

    listed = [json.loads(line) for line in users_cli("list").output.splitlines()]
    assert {"email": email, "role": "district_coordinator", "district": "Budgam"}.items() <= next(
        u for u in listed if u["email"] == email
    ).items()

    # The API in AWS mode reads the same role and scope from the id token Cognito issues her.
    monkeypatch.setenv("AUTH_MODE", "cognito")
    monkeypatch.setenv("COGNITO_USER_POOL_ID", pool_id)
    monkeypatch.setenv(
        "COGNITO_APP_CLIENT_ID",
        cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"][0]["ClientId"],
    )
    auth.settings.cache_clear()
    auth._jwks_client.cache_clear()
    try:
        principal = auth.verify(cognito_id_token(email))
    finally:
        monkeypatch.undo()
        auth.settings.cache_clear()
        auth._jwks_client.cache_clear()
    assert principal.role is Role.DISTRICT_COORDINATOR
    assert principal.district == "Budgam"


def test_resource_person_serves_registered_shgs(users_cli: Callable[..., Result], unique: str) -> None:
    demo.seed_registry()
    email = f"rp-{unique}@jkrlm.example"
    refused = users_cli("add", "--role", "resource_person", "--shg", "JK-XXX-9999", "--email", email)
    assert refused.exit_code != 0
    assert "no SHG JK-XXX-9999" in refused.output

    result = users_cli(
        "add", "--role", "resource_person", "--shg", "JK-SGR-0001", "--shg", "JK-BDG-0002", "--email", email
    )
    assert result.exit_code == 0, result.output
    user = aws.client("cognito-idp").admin_get_user(UserPoolId=user_pool_id(), Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["custom:shg_ids"] == "JK-SGR-0001,JK-BDG-0002"

    again = users_cli("add", "--role", "mission_admin", "--email", email)
    assert again.exit_code != 0
    assert "already has a user" in again.output


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["--role", "district_coordinator"], "needs --district"),
        (["--role", "block_coordinator", "--district", "Budgam"], "needs --block"),
        (["--role", "mission_admin", "--district", "Budgam"], "takes no --district"),
        (
            ["--role", "district_coordinator", "--district", "Budgam", "--shg", "JK-SGR-0001"],
            "takes no --shg",
        ),
    ],
)
def test_scope_must_fit_the_role(
    users_cli: Callable[..., Result], unique: str, arguments: list[str], reason: str
) -> None:
    result = users_cli("add", *arguments, "--email", f"x-{unique}@jkrlm.example")
    assert result.exit_code == 2
    assert reason in result.output


def test_an_address_that_is_no_email_is_refused(users_cli: Callable[..., Result]) -> None:
    result = users_cli("add", "--role", "mission_admin", "--email", "it-office")
    assert result.exit_code == 2
    assert "email" in result.output


def test_runbook_first_mission_admin_then_a_block_coordinator(
    users_cli: Callable[..., Result], unique: str
) -> None:
    admin = f"it-{unique}@jkrlm.example"
    result = users_cli("add", "--role", "mission_admin", "--email", admin, "--name", "IT Officer")
    assert result.exit_code == 0, result.output
    coordinator = f"bc-{unique}@jkrlm.example"
    result = users_cli(
        "add",
        "--role",
        "block_coordinator",
        "--district",
        "Budgam",
        "--block",
        "Khansahib",
        "--email",
        coordinator,
    )
    assert result.exit_code == 0, result.output
    listed = {u["email"]: u for u in map(json.loads, users_cli("list").output.splitlines())}
    assert listed[admin]["role"] == "mission_admin"
    assert {"district", "block", "shg_ids"}.isdisjoint(listed[admin])
    assert (listed[coordinator]["district"], listed[coordinator]["block"]) == ("Budgam", "Khansahib")
