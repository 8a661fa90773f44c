"""Each Lambda's IAM policy (.chalice/policy-<function>.json) against the AWS calls it really makes.

The whole pipeline runs against the local stack with every botocore call recorded per function;
then every recorded call must be allowed by that function's policy, every service the policy
grants must be used, and no data action may be granted on every resource ("*").
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters
from chalice import Chalice

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import RESOURCE_PARAMETERS, settings
from chalicelib.mail import links, subscriptions
from chalicelib.mail.subscriptions import Subscription
from chalicelib.reports.digest import Scope
from haat_tools import operator
from haat_tools.local import connectors_demo, demo, runner, stack
from haat_tools.local.session import Session
from tests import aws_calls
from tests.http import get_json, post_json
from tests.registry import api_calls as registry_calls

FUNCTIONS = (
    "on_photo_uploaded",
    "on_order_events",
    "on_registry_import",
    "dispatch_sweep",
    "daily_digest",
    "deliver_notifications",
    "poll_channels",
    "api_handler",
    "bearer_token",
)
# Granted on "*" because the service has no resource-level permissions for them.
NO_RESOURCE_LEVEL = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
# sns:Publish to a phone number has no resource ARN; the policies pair it with a Deny on every topic.
SMS_PUBLISH = "sns:Publish"
# Calls IAM always allows.
FREE_ACTIONS = {"sts:GetCallerIdentity"}
# The local stack's token key: in AWS the authorizer checks Cognito JWTs and calls no AWS API.
LOCAL_ONLY_RESOURCES = ("/auth/signing-key",)


def _get(url: str) -> None:
    """Call a read route; a 404 still makes the reads the route makes."""
    status, _ = get_json(url, issue_local_token("iam-test", Role.MISSION_ADMIN))
    assert status in {200, 404}, status


def _get_page(url: str) -> None:
    """Load an HTML route (the dashboard's view) as a mission admin."""
    token = issue_local_token("iam-test", Role.MISSION_ADMIN)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.fixture(scope="module")
def observed(app: Chalice, api_url: str, local_aws: stack.LocalAws) -> dict[str, set[tuple[str, str]]]:
    session = Session(app, api_url, local_aws.endpoint, shared=False)
    demo.seed_registry()
    photos = demo.DemoReport()
    with aws_calls.installed() as recorder:
        demo.upload_sample_photos(photos)
        with recorder.recording("on_photo_uploaded"):
            runner.drain(app, runner.binding("on_photo_uploaded"))
        with recorder.recording("api_handler"):
            for channel, name in (("haat", "haat_bill_placed.json"), ("ondc", "ondc_on_confirm.json")):
                payload = json.loads((demo.EVENTS_DIR / "orders" / name).read_text())
                operator.send(api_url, operator.Line(1, channel, payload))
            connectors_demo.import_meesho_sample(session)
        with recorder.recording("poll_channels"):
            connectors_demo.poll_flipkart_stand_in(session)
        aws.client("sqs").send_message(
            QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
            MessageBody=(demo.EVENTS_DIR / "orders" / "amazon_order_change.json").read_text(),
            MessageAttributes={"channel": {"DataType": "String", "StringValue": "amazon"}},
        )
        with recorder.recording("on_order_events"):
            runner.drain(app, runner.binding("on_order_events"))
        with recorder.recording("api_handler"):
            import_id = registry_calls.import_through_api(
                api_url, (demo.SAMPLES_DIR / "registry" / "members.csv")
            )
        with recorder.recording("on_registry_import"):
            runner.drain(app, runner.binding("on_registry_import"))
        with recorder.recording("api_handler"):
            registry_calls.read_and_edit_through_api(api_url, import_id)
            _get(f"{api_url}/orders/quarantine")
            _get(f"{api_url}/orders/amazon/408-4536471-6538723")
            _get(f"{api_url}/products/P-SGR-SOZ-01/photos")
            _get(f"{api_url}/products/P-SGR-SOZ-01/photos?key=uploads/JK-SGR-0001/P-SGR-SOZ-01/x.jpg")
            _get(f"{api_url}/shgs?district=Srinagar")
            _get(f"{api_url}/shgs/JK-SGR-0001/products")
            _get_page(f"{api_url}/dashboard/view")
            _get_page(f"{api_url}/dashboard/view?district=Srinagar")
            _get(f"{api_url}/digest/subscriptions")
            link = links.sign(date.today(), Scope(district="Srinagar"), datetime.now(UTC))
            urllib.request.urlopen(f"{api_url}/dashboard/shared/{link}", timeout=30).close()
        subscriptions.subscribe(Subscription(email="iam-test@jkrlm.example", district="Srinagar"))
        parameters.clear_caches()  # type: ignore[no-untyped-call]  # each function reads its own secrets
        for function in ("dispatch_sweep", "deliver_notifications", "daily_digest"):
            with recorder.recording(function):
                runner.fire(app, function, datetime.now(UTC))
    return {
        function: {g for g in grants if _needs_permission(g)} for function, grants in recorder.grants.items()
    }


def _needs_permission(grant: tuple[str, str]) -> bool:
    action, resource = grant
    return action not in FREE_ACTIONS and not any(resource.endswith(r) for r in LOCAL_ONLY_RESOURCES)


def _substitute(value: Any, names: dict[str, str]) -> Any:
    """Resolve the Fn::Sub intrinsics of a policy as CloudFormation would for the local stage."""
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = str(value["Fn::Sub"])
        for name, resolved in names.items():
            text = text.replace("${" + name + "}", resolved)
        assert "${" not in text, f"unresolved substitution in {text}"
        return text
    return value


def _policy(function: str) -> list[dict[str, Any]]:
    env = stack.stage_environment("local")
    names = {param: env[var] for var, param in RESOURCE_PARAMETERS.items()}
    # Buckets by logical id: their names may be derived by the template rather than given.
    names |= {"UploadsBucket": env["UPLOADS_BUCKET"], "MediaBucket": env["MEDIA_BUCKET"]}
    names |= {
        "AWS::Partition": "aws",
        "AWS::Region": aws_calls.REGION,
        "AWS::AccountId": aws_calls.ACCOUNT,
        "AWS::StackName": "haat-local",
        "SecretsPrefix": env["SECRETS_PREFIX"],
        "DigestSenderEmail": env["DIGEST_SENDER"],
    }
    document = json.loads((stack.PROJECT_DIR / ".chalice" / f"policy-{function}.json").read_text())
    statements = []
    for statement in document["Statement"]:
        resources = _substitute(statement["Resource"], names)
        listed = resources if isinstance(resources, list) else [resources]
        statements.append({**statement, "Resource": listed})
    return statements


def _matches(statement: dict[str, Any], action: str, resource: str) -> bool:
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    return any(fnmatchcase(action, a) for a in actions) and any(
        fnmatchcase(resource, r) for r in statement["Resource"]
    )


def _allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    if resource == "phone-number":
        resource = "*"
    denied = any(s["Effect"] == "Deny" and _matches(s, action, resource) for s in statements)
    return not denied and any(s["Effect"] == "Allow" and _matches(s, action, resource) for s in statements)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_call_is_allowed_and_every_grant_is_used(
    observed: dict[str, set[tuple[str, str]]], function: str
) -> None:
    statements = _policy(function)
    calls = observed.get(function, set())
    refused = sorted(call for call in calls if not _allowed(statements, *call))
    assert not refused, f"{function} calls what its policy does not allow: {refused}"
    used_services = {action.split(":")[0] for action, _ in calls}
    for statement in statements:
        if statement["Effect"] != "Allow" or statement.get("Sid") in {"OwnLogs", "Tracing"}:
            continue
        services = {a.split(":")[0] for a in statement["Action"]}
        assert services <= used_services, f"{function} is granted {services - used_services} it never uses"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_data_action_on_every_resource(function: str) -> None:
    statements = _policy(function)
    topics_denied = any(
        s["Effect"] == "Deny" and SMS_PUBLISH in s["Action"] and s["Resource"] == ["arn:aws:sns:*:*:*"]
        for s in statements
    )
    for statement in statements:
        if statement["Effect"] == "Allow" and "*" in statement["Resource"]:
            for action in statement["Action"]:
                assert action in NO_RESOURCE_LEVEL or (action == SMS_PUBLISH and topics_denied), (
                    f"{function} is granted {action} on every resource"
                )


def test_a_presigned_upload_is_signed_for_what_the_api_may_put(
    observed: dict[str, set[tuple[str, str]]], api_url: str
) -> None:
    """Presigning makes no AWS call, so check its key against the policy that signs it."""
    photo = {"product_id": "P-SGR-SOZ-01", "file_name": "a.jpg", "content_type": "image/jpeg", "size": 1}
    status, target = post_json(f"{api_url}/uploads", photo, issue_local_token("iam-test", Role.MISSION_ADMIN))
    assert status == 201, target
    resource = f"arn:aws:s3:::{settings().UPLOADS_BUCKET}/{target['key']}"
    assert _allowed(_policy("api_handler"), "s3:PutObject", resource)
    assert not _allowed(_policy("api_handler"), "s3:PutObject", f"arn:aws:s3:::{settings().UPLOADS_BUCKET}/x")
