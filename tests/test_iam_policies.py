"""Each Lambda's IAM policy (.chalice/policy-<function>.json) against the AWS calls it really makes.

The whole pipeline runs against the local stack with every botocore call recorded per function
(with the partition key of each DynamoDB item call, for dynamodb:LeadingKeys conditions); then
every recorded call must be allowed by that function's policy, every action each statement grants
must be used through that statement, and no data action may be granted on every resource ("*").
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters
from chalice import Chalice

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import RESOURCE_PARAMETERS, settings
from chalicelib.mail import subscriptions
from chalicelib.mail.subscriptions import Subscription
from haat_tools import operator
from haat_tools.local import connectors_demo, demo, runner, stack
from haat_tools.local.session import Session
from tests import aws_calls
from tests.http import get_json, post_json
from tests.registry import api_calls as registry_calls
from tests.registry.helpers import PRODUCT_HEADERS, SHG_HEADERS, product, shg, table

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
FAILING_QUEUE_SUFFIX = "-gone"
# Used by Lambda's SQS event source mapping with the function's role, not by the function's code.
EVENT_SOURCE_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
# Calls IAM always allows.
FREE_ACTIONS = {"sts:GetCallerIdentity"}
# Read in this process by others than the function: the local stack's token key (in AWS the
# authorizer checks Cognito JWTs and calls no AWS API) and the signing client's ONDC key (the test
# signs its requests as a buyer app would); and the queue of the injected send failure.
NOT_THE_FUNCTIONS = ("/auth/signing-key", "/ondc/signer", FAILING_QUEUE_SUFFIX)
# Granted for calls this run does not make, each with the path that makes it.
NOT_EXERCISED = {
    ("on_photo_uploaded", "s3:GetObjectVersion"): "S3 notifications carry a version id on AWS (not on moto)",
    ("on_order_events", "dynamodb:DeleteItem"): "a payout for a delivered order closes its unpaid entry",
    ("daily_digest", "dynamodb:GetItem"): "a block's digest looks up the SHGs of its Lakhpati, unpaid rows",
    ("daily_digest", "dynamodb:BatchGetItem"): "a block's digest e-mail names the SHGs that sold this month",
    (
        "api_handler",
        "s3:PutObject",
    ): "signs photo and Meesho upload URLs; the uploader's PUT is no call of its own",
}


def _get(url: str, role: Role = Role.MISSION_ADMIN) -> None:
    """Call a read route (as a Srinagar caller); a 404 still makes the reads the route makes."""
    status, _ = get_json(url, issue_local_token("iam-test", role, district="Srinagar"))
    assert status in {200, 404}, status


def _get_page(url: str) -> None:
    """Load an HTML route (the dashboard's view) as a mission admin."""
    token = issue_local_token("iam-test", Role.MISSION_ADMIN)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def _import_settlement(api_url: str) -> None:
    """Outlet cash for the sample bill, uploaded by presigned URL and imported by key."""
    token = issue_local_token("iam-test", Role.MISSION_ADMIN)
    status, target = post_json(f"{api_url}/imports/settlements/generic/uploads", {}, token)
    assert status == 201, target
    report = (
        "channel,order_id,reference,settlement_date,net\n"
        "haat,HAAT-SGR-01-SGR01-2026-000123,CASH-IAM-1,2026-11-21,4200\n"
    )
    put = urllib.request.Request(
        target["upload_url"], data=report.encode(), method="PUT", headers={"Content-Type": "text/csv"}
    )
    urllib.request.urlopen(put, timeout=30).close()
    status, result = post_json(f"{api_url}/imports/settlements/generic", {"key": target["key"]}, token)
    assert (status, result.get("to_apply")) == (200, 1), result


def _listings(api_url: str) -> None:
    """Srinagar's Meesho sheet, its listing states, and Meesho's status report by upload key."""
    token = issue_local_token("iam-test", Role.MISSION_ADMIN)
    export = urllib.request.Request(
        f"{api_url}/listings/meesho/exports",
        data=json.dumps({"district": "Srinagar"}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(export, timeout=30) as response:
        assert response.headers["X-Haat-Products"] != "0"
    _get(f"{api_url}/listings/meesho?district=Srinagar")
    status, target = post_json(f"{api_url}/listings/meesho/status/uploads", {}, token)
    assert status == 201, target
    report = b"SKU,Status,Reason\nMS-SGR-SOZ-STOLE-01,live,\nMS-SGR-PM-BOX-02,rejected,Blurred image\n"
    put = urllib.request.Request(
        target["upload_url"], data=report, method="PUT", headers={"Content-Type": "text/csv"}
    )
    urllib.request.urlopen(put, timeout=30).close()
    status, result = post_json(f"{api_url}/listings/meesho/status", {"key": target["key"]}, token)
    assert (status, result.get("changed")) == (200, 2), result


@pytest.fixture(scope="module")
def observed(
    app: Chalice, api_url: str, local_aws: stack.LocalAws, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, set[aws_calls.Grant]]:
    session = Session(app, api_url, local_aws.endpoint, shared=False)
    demo.seed_registry()
    photos = demo.DemoReport()
    with aws_calls.installed() as recorder:
        demo.upload_sample_photos(photos)
        _drain(recorder, app, "on_photo_uploaded")
        with recorder.recording("api_handler"):
            for channel, name in (("haat", "haat_bill_placed.json"), ("ondc", "ondc_on_confirm.json")):
                payload = json.loads((demo.EVENTS_DIR / "orders" / name).read_text())
                operator.send(api_url, operator.Line(1, channel, payload))
            connectors_demo.import_meesho_sample(session)
            _webhook_send_fails(api_url)
            _subscribe_and_unsubscribe(api_url)
            _import_uploaded_export(api_url)
        with recorder.recording("poll_channels"):
            connectors_demo.poll_flipkart_stand_in(session)
        order_id = f"408-IAM-{uuid.uuid4().hex[:8]}"
        for sent_before in (None, _change(order_id, shipped_first=True), _change(order_id)):
            if sent_before is not None:  # parked (the order is not known yet), then created and replayed
                _amazon(sent_before)
            _drain(recorder, app, "on_order_events")
        with recorder.recording("api_handler"):
            _import_settlement(api_url)
            _listings(api_url)
        _drain(recorder, app, "on_order_events")
        import_id = _registry_imports(recorder, app, api_url, tmp_path_factory.mktemp("registry"))
        with recorder.recording("api_handler"):
            registry_calls.read_and_edit_through_api(api_url, import_id)
            _get(f"{api_url}/orders/quarantine")
            _get(f"{api_url}/orders/amazon/{order_id}")
            _get(f"{api_url}/orders/haat/HAAT-SGR-01-SGR01-2026-000123")  # with its SMS from the outbox
            _get(f"{api_url}/products/P-SGR-SOZ-01/photos", Role.DISTRICT_COORDINATOR)  # reads its SHG
            _get(f"{api_url}/products/P-SGR-SOZ-01/photos?key=uploads/JK-SGR-0001/P-SGR-SOZ-01/x.jpg")
            _get(f"{api_url}/shgs?district=Srinagar")
            _get(f"{api_url}/shgs/JK-SGR-0001/products")
            _get_page(f"{api_url}/dashboard/view")
            _get_page(f"{api_url}/dashboard/view?district=Srinagar")
            _get(f"{api_url}/digest/subscriptions")
        subscriptions.subscribe(Subscription(email="iam-test@jkrlm.example", district="Srinagar"))
        parameters.clear_caches()  # type: ignore[no-untyped-call]  # each function reads its own secrets
        for function in ("dispatch_sweep", "deliver_notifications", "daily_digest"):
            with recorder.recording(function):
                runner.fire(app, function, datetime.now(UTC))
        with recorder.recording("api_handler"):
            _get_page(f"{api_url}/dashboard/view")  # with the Lakhpati summary the digest just kept
    return {
        function: {g for g in grants if _needs_permission(g)} for function, grants in recorder.grants.items()
    }


def _registry_imports(recorder: aws_calls.CallRecorder, app: Chalice, api_url: str, folder: Path) -> str:
    """Registry files through the API and the import queue, making each kind of write: a new SHG
    (and a bad row, whose note is kept), a new product, then the same product with a new price and
    Flipkart SKU (an update, its history and the old SKU's pointer deleted). The last import's id."""
    code = f"JK-IAM-{uuid.uuid4().hex[:6].upper()}"
    files = [
        ("shgs.csv", table(SHG_HEADERS, [shg(code), shg(f"{code}-X", "Nowhere")])),
        ("products.csv", table(PRODUCT_HEADERS, [product(f"{code}-SKU", code)])),
        ("again.csv", table(PRODUCT_HEADERS, [product(f"{code}-SKU", code, price="1,900", flipkart="FK-2")])),
    ]
    import_id = ""
    for name, content in files:
        path = folder / name
        path.write_text(content)
        with recorder.recording("api_handler"):
            import_id = registry_calls.import_through_api(api_url, path)
        with recorder.recording("on_registry_import"):
            runner.drain(app, runner.binding("on_registry_import"))
    return import_id


def _drain(recorder: aws_calls.CallRecorder, app: Chalice, function: str) -> None:
    """Deliver the function's queue to it; the queue's URL is the event source's to know."""
    binding = runner.binding(function)
    with recorder.recording(function):
        with recorder.paused():
            aws.queue_url(getattr(settings(), binding.queue_setting))
        runner.drain(app, binding)


def _amazon(notification: dict[str, Any]) -> None:
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=json.dumps(notification),
        MessageAttributes={"channel": {"DataType": "String", "StringValue": "amazon"}},
    )


def _change(order_id: str, *, shipped_first: bool = False) -> dict[str, Any]:
    notification = json.loads((demo.EVENTS_DIR / "orders" / "amazon_order_change.json").read_text())
    notification["NotificationMetadata"]["NotificationId"] = f"{order_id}-{shipped_first}"
    change = notification["Payload"]["OrderChangeNotification"]
    change["AmazonOrderId"] = order_id
    if shipped_first:
        change["Summary"]["OrderStatus"], change["Summary"]["OrderItems"] = "Shipped", []
    return dict(notification)


def _import_uploaded_export(api_url: str) -> None:
    """Import an export by its upload key (one that was never uploaded: the read is made all the same)."""
    request = urllib.request.Request(
        f"{api_url}/imports/orders/meesho",
        data=json.dumps({"key": "imports/meesho/never-uploaded.csv"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {issue_local_token('iam-test', Role.MISSION_ADMIN)}",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400


def _subscribe_and_unsubscribe(api_url: str) -> None:
    """A district's officer subscribes to the digest and then leaves it, through the API."""
    token = issue_local_token("iam-test", Role.MISSION_ADMIN)
    subscription = {"email": "iam-officer@example.org", "district": "Srinagar", "block": ""}
    calls = [
        ("POST", "", json.dumps(subscription).encode(), 201),
        ("DELETE", "?" + urllib.parse.urlencode(subscription), None, 200),
    ]
    for method, query, body, expected in calls:
        request = urllib.request.Request(
            f"{api_url}/digest/subscriptions{query}",
            data=body,
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == expected


def _webhook_send_fails(api_url: str) -> None:
    """The queue refuses a webhook's message: the replay marker is released (a rare path's grant)."""
    payload = json.loads((demo.EVENTS_DIR / "orders" / "haat_bill_placed.json").read_text())
    payload["event_id"] = "iam-send-fails"
    real_queue_url = aws.queue_url
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aws, "queue_url", lambda name: real_queue_url(name) + FAILING_QUEUE_SUFFIX)
        assert operator.send(api_url, operator.Line(1, "haat", payload))["http_status"] == 503


def _needs_permission(grant: aws_calls.Grant) -> bool:
    return grant.action not in FREE_ACTIONS and not any(grant.resource.endswith(r) for r in NOT_THE_FUNCTIONS)


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


def _conditions_hold(statement: dict[str, Any], grant: aws_calls.Grant) -> bool:
    """The one condition the policies use: ForAllValues:StringLike on dynamodb:LeadingKeys."""
    for operator_name, conditions in statement.get("Condition", {}).items():
        assert operator_name == "ForAllValues:StringLike", f"condition {operator_name} not modelled"
        assert set(conditions) == {"dynamodb:LeadingKeys"}, f"condition keys {set(conditions)} not modelled"
        patterns = conditions["dynamodb:LeadingKeys"]
        if not (grant.leading_key and any(fnmatchcase(grant.leading_key, p) for p in patterns)):
            return False
    return True


def _matches(statement: dict[str, Any], grant: aws_calls.Grant) -> bool:
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    resource = "*" if grant.resource == "phone-number" else grant.resource
    return (
        any(fnmatchcase(grant.action, a) for a in actions)
        and any(fnmatchcase(resource, r) for r in statement["Resource"])
        and _conditions_hold(statement, grant)
    )


def _allowed(statements: list[dict[str, Any]], grant: aws_calls.Grant) -> bool:
    denied = any(s["Effect"] == "Deny" and _matches(s, grant) for s in statements)
    return not denied and any(s["Effect"] == "Allow" and _matches(s, grant) for s in statements)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_call_is_allowed_and_every_grant_is_used(
    observed: dict[str, set[aws_calls.Grant]], function: str
) -> None:
    statements = _policy(function)
    calls = observed.get(function, set())
    refused = sorted(call for call in calls if not _allowed(statements, call))
    assert not refused, f"{function} calls what its policy does not allow: {refused}"
    for statement in statements:
        if statement["Effect"] != "Allow" or statement.get("Sid") in {"OwnLogs", "Tracing"}:
            continue
        used = {call.action for call in calls if _matches(statement, call)} | EVENT_SOURCE_ACTIONS
        used |= {action for name, action in NOT_EXERCISED if name == function}
        unused = sorted(set(statement["Action"]) - used)
        assert not unused, (
            f"{function}: statement {statement.get('Sid')} grants {unused}, never used through it"
        )


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
    observed: dict[str, set[aws_calls.Grant]], api_url: str
) -> None:
    """Presigning makes no AWS call, so check its key against the policy that signs it."""
    photo = {"product_id": "P-SGR-SOZ-01", "file_name": "a.jpg", "content_type": "image/jpeg", "size": 1}
    status, target = post_json(f"{api_url}/uploads", photo, issue_local_token("iam-test", Role.MISSION_ADMIN))
    assert status == 201, target
    resource = f"arn:aws:s3:::{settings().UPLOADS_BUCKET}/{target['key']}"
    assert _allowed(_policy("api_handler"), aws_calls.Grant("s3:PutObject", resource))
    elsewhere = aws_calls.Grant("s3:PutObject", f"arn:aws:s3:::{settings().UPLOADS_BUCKET}/x")
    assert not _allowed(_policy("api_handler"), elsewhere)


def test_the_grants_issue_11_found_too_wide_stay_narrow() -> None:
    """Calls no function makes, refused by its policy: the API reading the ONDC signing key or writing
    any orders item but a replay marker, the order consumer querying the outbox."""
    env = stack.stage_environment("local")
    parameter = f"arn:aws:ssm:{aws_calls.REGION}:{aws_calls.ACCOUNT}:parameter{env['SECRETS_PREFIX']}"
    orders_table = f"arn:aws:dynamodb:{aws_calls.REGION}:{aws_calls.ACCOUNT}:table/{env['ORDERS_TABLE']}"
    outbox_table = f"arn:aws:dynamodb:{aws_calls.REGION}:{aws_calls.ACCOUNT}:table/{env['OUTBOX_TABLE']}"
    api = _policy("api_handler")
    assert not _allowed(api, aws_calls.Grant("ssm:GetParameter", f"{parameter}/ondc/signer"))
    assert _allowed(api, aws_calls.Grant("dynamodb:PutItem", orders_table, "WEBHOOK#abc"))
    for key in ("ORDER#haat#HAAT-SGR-01-B-1", "RAW#1", ""):
        assert not _allowed(api, aws_calls.Grant("dynamodb:PutItem", orders_table, key)), key
    assert not _allowed(_policy("on_order_events"), aws_calls.Grant("dynamodb:Query", outbox_table))
