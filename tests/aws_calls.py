"""Record the AWS API calls each Lambda really makes, as IAM actions on resource ARNs.

Hooked into botocore's built-in handlers, so every session (boto3's default one and the private
ones Powertools creates) reports its calls; nothing is patched away - the calls still go to moto.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities import parameters

from chalicelib import aws
from chalicelib.registry.repository import RegistryCache
from chalicelib.reports import aggregates
from haat_tools.local import fault_proxy

ACCOUNT = "123456789012"
REGION = "ap-south-1"

# API operations whose IAM action has another name.
_ACTION_ALIASES = {
    "s3:HeadObject": "s3:GetObject",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:ListObjectsV2": "s3:ListBucket",
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
_TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


def _table_arn(name: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


class Grant(NamedTuple):
    """What one call needs: an IAM action on a resource; for DynamoDB item calls also the item's
    partition key (what a dynamodb:LeadingKeys condition looks at; '' when not known)."""

    action: str
    resource: str
    leading_key: str = ""


def _partition_key(item: Any) -> str:
    value = item.get("pk", "") if isinstance(item, dict) else ""
    return str(value.get("S", "")) if isinstance(value, dict) else str(value)


def _dynamodb(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    if operation in {"TransactWriteItems", "TransactGetItems"}:
        return [
            Grant(
                _TRANSACT_ACTIONS.get(kind, "dynamodb:GetItem"),
                _table_arn(body["TableName"]),
                _partition_key(body.get("Item") or body.get("Key")),
            )
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation in {"BatchWriteItem", "BatchGetItem"}:
        return [Grant(action, _table_arn(name)) for name in params["RequestItems"]]
    item = params.get("Item") or params.get("Key")
    return [Grant(action, _table_arn(params["TableName"], params.get("IndexName")), _partition_key(item))]


def _sqs(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    name = params.get("QueueName") or params["QueueUrl"].rsplit("/", 1)[1]
    return [Grant(action, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")]


def _s3(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    if operation == "GetObject" and params.get("VersionId"):
        action = "s3:GetObjectVersion"
    key = params.get("Key")
    return [Grant(action, f"arn:aws:s3:::{params['Bucket']}" + (f"/{key}" if key is not None else ""))]


def _sns(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    return [Grant(action, params.get("TopicArn") or params.get("TargetArn") or "phone-number")]


def _ssm(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    names = params.get("Names") or [params.get("Name") or params.get("Path")]
    return [Grant(action, f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{n.lstrip('/')}") for n in names]


def _secretsmanager(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    return [Grant(action, f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{params['SecretId']}")]


def _ses(action: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    return [Grant(action, f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{params['Source']}")]


_RESOURCES = {
    "ses": _ses,
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "s3": _s3,
    "sns": _sns,
    "ssm": _ssm,
    "secretsmanager": _secretsmanager,
}


def _grants(prefix: str, operation: str, params: dict[str, Any]) -> list[Grant]:
    """The grants one API call needs."""
    action = _ACTION_ALIASES.get(f"{prefix}:{operation}", f"{prefix}:{operation}")
    resources = _RESOURCES.get(prefix)
    return resources(action, operation, params) if resources else [Grant(action, "*")]


class CallRecorder:
    """Collects grants per label (the Lambda function the test is exercising), and how many times
    each API operation ("dynamodb:Query") was called."""

    def __init__(self) -> None:
        self.grants: dict[str, set[Grant]] = defaultdict(set)
        self.operations: dict[str, Counter[str]] = defaultdict(Counter)
        self._label: str | None = None
        self._lock = threading.Lock()

    def _before_parameter_build(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if self._label is None:
            return
        prefix = model.service_model.signing_name
        with self._lock:
            self.grants[self._label].update(_grants(prefix, model.name, params))
            self.operations[self._label][f"{prefix}:{model.name}"] += 1

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Calls made here are nobody's (what the Lambda service itself knows, say)."""
        label, self._label = self._label, None
        try:
            yield
        finally:
            self._label = label

    @contextmanager
    def recording(self, label: str) -> Iterator[None]:
        """Record as `label`, starting as a fresh container would (nothing looked up yet), since
        each Lambda function runs in its own containers and pays for its own lookups."""
        aws.queue_url.cache_clear()
        parameters.base.DEFAULT_PROVIDERS.clear()
        aggregates._registry = RegistryCache(ttl_seconds=aggregates._registry.ttl_seconds)
        self._label = label
        try:
            yield
        finally:
            self._label = None


@contextmanager
def installed() -> Iterator[CallRecorder]:
    """A recorder that sees every botocore session, boto3's default one included."""
    recorder = CallRecorder()
    with fault_proxy.hooked("before-parameter-build", recorder._before_parameter_build):
        yield recorder
