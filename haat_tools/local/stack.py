"""Start the embedded AWS (moto in server mode) and provision Haat's resources into it."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aws_lambda_powertools.utilities import parameters

from chalicelib import aws
from chalicelib.config import RESOURCE_PARAMETERS, SETTING_PARAMETERS, settings
from chalicelib.observability import logger

PROJECT_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = PROJECT_DIR / "infra" / "resources.yaml"
CHALICE_CONFIG_PATH = PROJECT_DIR / ".chalice" / "config.json"
STACK_NAME = "haat-local"
REGION = "ap-south-1"
# The mission outlets the local stack knows (each gets a generated HMAC secret).
LOCAL_HAAT_OUTLETS = ("HAAT-SGR-01", "AIRPORT-SXR", "SARAS-JMU")
# Secrets the local stack generates afresh each run (AWS keeps them in SSM Parameter Store).
GENERATED_SECRETS = (
    "auth/signing-key",
    *(f"webhooks/haat/{outlet}" for outlet in LOCAL_HAAT_OUTLETS),
)
# The ONDC buyer app of the local stack: its key pair is generated per run, its public key is a
# configured registry entry (as the ONDC registry's lookup would return it).
LOCAL_ONDC_SUBSCRIBER = ("buyer.haat.local", "k1")


def stage_environment(stage: str = "local") -> dict[str, str]:
    """The environment variables .chalice/config.json gives every function of `stage`."""
    config = json.loads(CHALICE_CONFIG_PATH.read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


# moto's CloudFormation cannot create these: provision() makes them through the Cognito API (all
# but the hosted UI's domain, which only the AWS stage's upload page signs in through).
COGNITO_TYPES = (
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolDomain",
)


# Not made locally: the embedded S3 serves the photos/ renditions itself (PHOTOS_BASE_URL points at
# it), so there is no CloudFront in front of the media bucket and no policy letting one read it.
CDN_TYPES = ("AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::Distribution")
CDN_ONLY = ("MediaBucketPolicy",)


def template_resources() -> tuple[dict[str, Any], dict[str, Any]]:
    """(parameters, resources) of the shared declaration.

    Entries without a Type are patches to Chalice-generated functions and only make sense in AWS.
    """
    template = yaml.safe_load(TEMPLATE_PATH.read_text())
    resources = {
        name: body
        for name, body in template["Resources"].items()
        if "Type" in body and body["Type"] not in CDN_TYPES and name not in CDN_ONLY
    }
    return template["Parameters"], resources


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(endpoint: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with code {process.returncode}")
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {endpoint} did not start within {timeout}s")


@dataclass(frozen=True)
class LocalAws:
    """A running moto server and the environment that points boto3 at it."""

    endpoint: str
    pid: int
    environment: dict[str, str]


def start_server(port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start moto's server in its own process (its own core, its own GIL) on 127.0.0.1
    (haat_tools/local/moto_server.py: moto plus bucket CORS on presigned-POST answers)."""
    port = port or _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "haat_tools.local.moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT_DIR,
        # Browsers see only the buckets' own CORS rules, as on AWS (moto's default allows any origin).
        env={**os.environ, "MOTO_PORT": str(port), "MOTO_DISABLE_GLOBAL_CORS": "true"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    _wait_until_up(endpoint, process)
    return process, endpoint


def local_environment(endpoint: str, stage: str = "local") -> dict[str, str]:
    """Stage environment plus what points boto3 at the local endpoint with dummy credentials."""
    environment = stage_environment(stage)
    return {
        **environment,
        "PHOTOS_BASE_URL": f"{endpoint}/{environment['MEDIA_BUCKET']}/",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }


def activate(environment: dict[str, str]) -> None:
    """Point this process at `environment` (and forget clients and secrets of another endpoint)."""
    os.environ.update(environment)
    logger.setLevel(environment.get("LOG_LEVEL", "INFO"))
    settings.cache_clear()
    aws.reset()
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def provision() -> None:
    """Deploy the shared resource declaration into the active endpoint, then close moto's gaps.

    moto's CloudFormation creates the tables, queues, buckets and topics but does not apply a
    table's TimeToLiveSpecification nor a bucket's notification, lifecycle, versioning, CORS and
    public access block, so those are set here through the same APIs CloudFormation would call.
    """
    parameters, resources = template_resources()
    cognito = {name: body for name, body in resources.items() if body["Type"] in COGNITO_TYPES}
    resources = {name: body for name, body in resources.items() if name not in cognito}
    conditions = yaml.safe_load(TEMPLATE_PATH.read_text()).get("Conditions", {})
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK_NAME,
        TemplateBody=json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": parameters,
                "Conditions": conditions,
                "Resources": resources,
            }
        ),
        Parameters=[
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in parameter_overrides(dict(os.environ)).items()
            if key in parameters
        ],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=STACK_NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    names = physical_names()
    _apply_notifications(resources, names)
    _apply_lifecycle(resources, parameters, names)
    _apply_bucket_protection(resources, names)
    _apply_cors(resources, _parameter_values(parameters), conditions, names)
    _apply_time_to_live(resources, names)
    _serve_photos(names)
    _create_user_pool(cognito, _parameter_values(parameters), conditions)
    _generate_secrets()
    _generate_channel_credentials()
    _verify_sender_identity()


def parameter_overrides(environment: dict[str, str]) -> dict[str, str]:
    """The template parameters a stage's environment sets (a bucket it leaves unnamed is derived)."""
    return {
        param: environment[var]
        for var, param in (RESOURCE_PARAMETERS | SETTING_PARAMETERS).items()
        if environment.get(var)
    }


def physical_names() -> dict[str, str]:
    """Logical id -> name of every resource of the local stack, as CloudFormation created it."""
    described = aws.client("cloudformation").describe_stack_resources(StackName=STACK_NAME)
    # A queue's physical id is its URL; its name is the URL's last segment. (moto describes some
    # resources, such as queue policies and alarms, without their logical id.)
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"].rsplit("/", 1)[-1]
        for r in described["StackResources"]
        if "LogicalResourceId" in r
    }


def _apply_notifications(resources: dict[str, Any], names: dict[str, str]) -> None:
    s3 = aws.client("s3")
    sqs = aws.client("sqs")
    for logical_id, body in resources.items():
        notification = body["Properties"].get("NotificationConfiguration")
        if body["Type"] != "AWS::S3::Bucket" or not notification:
            continue
        queue_configs = []
        for queue_config in notification.get("QueueConfigurations", []):
            queue_name = names[queue_config["Queue"]["Fn::GetAtt"][0]]
            arn = sqs.get_queue_attributes(QueueUrl=aws.queue_url(queue_name), AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
            rules = queue_config["Filter"]["S3Key"]["Rules"]
            queue_configs.append(
                {
                    "QueueArn": arn,
                    "Events": [queue_config["Event"]],
                    "Filter": {"Key": {"FilterRules": rules}},
                }
            )
        s3.put_bucket_notification_configuration(
            Bucket=names[logical_id],
            NotificationConfiguration={"QueueConfigurations": queue_configs},
        )
        _discard_test_event(queue_configs)


def _discard_test_event(queue_configs: list[dict[str, Any]]) -> None:
    """S3 posts an s3:TestEvent when a notification is configured; the handler ignores it, but
    draining it here keeps the first real upload the first message on the queue."""
    sqs = aws.client("sqs")
    for config in queue_configs:
        url = aws.queue_url(config["QueueArn"].rsplit(":", 1)[1])
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            if '"s3:TestEvent"' in message["Body"]:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _apply_lifecycle(resources: dict[str, Any], parameters: dict[str, Any], names: dict[str, str]) -> None:
    s3 = aws.client("s3")
    for logical_id, body in resources.items():
        lifecycle = body["Properties"].get("LifecycleConfiguration")
        if body["Type"] != "AWS::S3::Bucket" or not lifecycle:
            continue
        rules = [
            {
                "ID": rule["Id"],
                "Status": rule["Status"],
                "Filter": {"Prefix": rule.get("Prefix", "")},
                "Expiration": {"Days": int(parameters[rule["ExpirationInDays"]["Ref"]]["Default"])},
                "NoncurrentVersionExpiration": rule["NoncurrentVersionExpiration"],
            }
            for rule in lifecycle["Rules"]
        ]
        s3.put_bucket_lifecycle_configuration(
            Bucket=names[logical_id], LifecycleConfiguration={"Rules": rules}
        )


def _apply_bucket_protection(resources: dict[str, Any], names: dict[str, str]) -> None:
    s3 = aws.client("s3")
    for logical_id, body in resources.items():
        if body["Type"] != "AWS::S3::Bucket":
            continue
        properties = body["Properties"]
        bucket = names[logical_id]
        if "PublicAccessBlockConfiguration" in properties:
            s3.put_public_access_block(
                Bucket=bucket, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
            )
        if "VersioningConfiguration" in properties:
            s3.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration=properties["VersioningConfiguration"]
            )


def _serve_photos(names: dict[str, str]) -> None:
    """The template's MediaBucketPolicy, as the local stack has it: with no CloudFront in front,
    anyone may read the media bucket's photos/ renditions (PHOTOS_BASE_URL), and nothing else."""
    bucket = names["MediaBucket"]
    statement = {
        "Sid": "PhotosServedLocally",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/photos/*",
    }
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    aws.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def _apply_cors(
    resources: dict[str, Any], values: dict[str, str], conditions: dict[str, Any], names: dict[str, str]
) -> None:
    s3 = aws.client("s3")
    for logical_id, body in resources.items():
        cors = body["Properties"].get("CorsConfiguration")
        if body["Type"] != "AWS::S3::Bucket" or not cors:
            continue
        rules = [
            {
                "ID": rule["Id"],
                "AllowedMethods": rule["AllowedMethods"],
                "AllowedOrigins": _decided(rule["AllowedOrigins"], values, conditions),
                "AllowedHeaders": rule.get("AllowedHeaders", []),
                "ExposeHeaders": rule.get("ExposedHeaders", []),
                "MaxAgeSeconds": rule.get("MaxAge", 0),
            }
            for rule in cors["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=names[logical_id], CORSConfiguration={"CORSRules": rules})


def _apply_time_to_live(resources: dict[str, Any], names: dict[str, str]) -> None:
    dynamodb = aws.client("dynamodb")
    for logical_id, body in resources.items():
        ttl = body["Properties"].get("TimeToLiveSpecification")
        if body["Type"] == "AWS::DynamoDB::Table" and ttl:
            dynamodb.update_time_to_live(
                TableName=names[logical_id],
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
            )


def _parameter_values(parameters: dict[str, Any]) -> dict[str, str]:
    """Each template parameter's value on this stage: the stage's override, else its default."""
    values = {name: str(spec.get("Default", "")) for name, spec in parameters.items()}
    return values | parameter_overrides(dict(os.environ))


def _decided(value: Any, values: dict[str, str], conditions: dict[str, Any]) -> Any:
    """`value` with the intrinsics the user pool's and the CORS rule's properties use resolved: Ref to
    a parameter (other Refs are left as they are), Fn::If and the Fn::Not / Fn::Equals of the
    conditions, Fn::Join, Fn::Select and Fn::Split."""

    def decide(item: Any) -> Any:
        return _decided(item, values, conditions)

    if isinstance(value, list):
        return [decide(item) for item in value]
    if not isinstance(value, dict):
        return value
    intrinsics: dict[str, Callable[[Any], Any]] = {
        "Ref": lambda name: values.get(name, {"Ref": name}),
        "Fn::If": lambda args: decide(args[1] if decide(conditions[args[0]]) else args[2]),
        "Fn::Equals": lambda args: decide(args[0]) == decide(args[1]),
        "Fn::Not": lambda args: not decide(args[0]),
        "Fn::Join": lambda args: str(args[0]).join(decide(args[1])),
        "Fn::Select": lambda args: decide(args[1])[int(args[0])],
        "Fn::Split": lambda args: decide(args[1]).split(args[0]),
    }
    if len(value) == 1 and (name := next(iter(value))) in intrinsics:
        return intrinsics[name](value[name])
    return {key: decide(item) for key, item in value.items()}


def _create_user_pool(resources: dict[str, Any], values: dict[str, str], conditions: dict[str, Any]) -> None:
    """The user pool, its app client and its role groups, through the calls CloudFormation makes.

    The template's properties are the API's parameters but for the pool's name and the
    CloudFormation-only deletion policies; {"Ref": ...} to the pool or a stack name is resolved here.
    """
    cognito = aws.client("cognito-idp")
    [pool] = [body["Properties"] for body in resources.values() if body["Type"] == "AWS::Cognito::UserPool"]
    pool_id = cognito.create_user_pool(
        PoolName=settings().USER_POOL_NAME, **{k: v for k, v in pool.items() if k != "UserPoolName"}
    )["UserPool"]["Id"]
    for body in resources.values():
        decided = _decided(body["Properties"], values, conditions)
        properties = {k: v for k, v in decided.items() if k != "UserPoolId" and v != {"Ref": "AWS::NoValue"}}
        if body["Type"] == "AWS::Cognito::UserPoolClient":
            properties["ClientName"] = f"{STACK_NAME}-app"
            cognito.create_user_pool_client(UserPoolId=pool_id, **properties)
        elif body["Type"] == "AWS::Cognito::UserPoolGroup":
            cognito.create_group(UserPoolId=pool_id, **properties)


def _verify_sender_identity() -> None:
    """moto's CloudFormation skips AWS::SES::EmailIdentity: verify the digest's sender as SES would."""
    aws.client("ses").verify_email_identity(EmailAddress=settings().DIGEST_SENDER)


def _generate_secrets() -> None:
    ssm = aws.client("ssm")
    prefix = settings().SECRETS_PREFIX
    for name in GENERATED_SECRETS:
        ssm.put_parameter(
            Name=f"{prefix}/{name}", Value=secrets.token_urlsafe(32), Type="SecureString", Overwrite=True
        )
    _generate_ondc_keys()


def _generate_ondc_keys() -> None:
    from chalicelib.orders.signing import new_ed25519_keypair
    from haat_tools.webhook_client import ONDC_SIGNER_PARAMETER

    ssm = aws.client("ssm")
    subscriber_id, unique_key_id = LOCAL_ONDC_SUBSCRIBER
    private_key, public_key = new_ed25519_keypair()
    ssm.put_parameter(
        Name=settings().ondc_public_key_parameter(subscriber_id, unique_key_id),
        Value=public_key,
        Type="String",
        Overwrite=True,
    )
    signer = {"subscriber_id": subscriber_id, "unique_key_id": unique_key_id, "private_key": private_key}
    ssm.put_parameter(
        Name=f"{settings().SECRETS_PREFIX}/{ONDC_SIGNER_PARAMETER}",
        Value=json.dumps(signer),
        Type="SecureString",
        Overwrite=True,
    )


def _generate_channel_credentials() -> None:
    """Secrets Manager entries for the local Flipkart seller accounts (FLIPKART_ACCOUNTS), one JSON
    secret each at {SECRETS_PREFIX}/flipkart/{account}, generated per run. In AWS mission IT
    creates them once per account with the Seller API application's id and secret."""
    secretsmanager = aws.client("secretsmanager")
    config = settings()
    for account in config.flipkart_accounts:
        credentials = {"client_id": f"haat-local-{account}", "client_secret": secrets.token_urlsafe(24)}
        secretsmanager.create_secret(
            Name=config.flipkart_secret_name(account), SecretString=json.dumps(credentials)
        )


@contextmanager
def running(stage: str = "local") -> Iterator[LocalAws]:
    """A fresh moto server with every resource provisioned; stopped on exit."""
    process, endpoint = start_server()
    saved = dict(os.environ)
    try:
        environment = local_environment(endpoint, stage)
        activate(environment)
        provision()
        yield LocalAws(endpoint=endpoint, pid=process.pid, environment=environment)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # keep-alive connections can hold moto's server open
            process.kill()
            process.wait(timeout=10)
        os.environ.clear()
        os.environ.update(saved)
        settings.cache_clear()
        aws.reset()
        parameters.clear_caches()  # type: ignore[no-untyped-call]
