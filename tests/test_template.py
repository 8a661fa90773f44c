"""The stack is complete: users and their roles, Amazon's way into the order queue, bucket names
nobody edits by hand, and ids that reach the functions from the template, not from config."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from chalicelib import aws
from chalicelib.auth import SCOPE_ATTRIBUTES, Role
from haat_tools.deploy import OUTPUT_SETTINGS, deployed_settings, stack_name
from haat_tools.local import stack

# Amazon's Selling Partner API notifications account (SP-API guide "Set up notifications (Amazon
# SQS workflow)": Principal 437568002678, actions SendMessage and GetQueueAttributes).
SP_API_NOTIFICATIONS_ACCOUNT = "437568002678"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return dict(yaml.safe_load(stack.TEMPLATE_PATH.read_text()))


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r.get("Type") == kind}


def test_config_holds_no_placeholder_and_no_id_aws_assigns() -> None:
    text = stack.CHALICE_CONFIG_PATH.read_text()
    assert "CHANGEME" not in text
    for stage in ("dev", "prod"):
        env = stack.stage_environment(stage)
        assert not {"COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID", "UPLOADS_BUCKET", "MEDIA_BUCKET"} & set(
            env
        )


def test_ids_and_derived_names_reach_every_function_from_the_template(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables == {
        "UPLOADS_BUCKET": {"Ref": "UploadsBucket"},
        "MEDIA_BUCKET": {"Ref": "MediaBucket"},
        "COGNITO_USER_POOL_ID": {"Ref": "UserPool"},
        "COGNITO_APP_CLIENT_ID": {"Ref": "UserPoolClient"},
        "COGNITO_DOMAIN": {"Fn::Sub": "${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"},
        "PHOTOS_BASE_URL": {"Fn::Sub": "https://${PhotosDistribution.DomainName}/"},
    }


def test_photos_are_public_through_the_distribution_and_nothing_else_is(template: dict[str, Any]) -> None:
    """Listings link renditions (media bucket, photos/) by a public URL; raw uploads, reports and
    the rest of the media bucket stay private: both buckets block public ACLs and policies, and the
    one bucket policy lets only this distribution read, only photos/."""
    for bucket in _of_type(template, "AWS::S3::Bucket").values():
        assert all(bucket["PublicAccessBlockConfiguration"].values())
    [policy] = _of_type(template, "AWS::S3::BucketPolicy").values()
    assert policy["Bucket"] == {"Ref": "MediaBucket"}
    [statement] = policy["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Allow", "s3:GetObject")
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/photos/*"}
    assert "${PhotosDistribution}" in statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    [distribution] = _of_type(template, "AWS::CloudFront::Distribution").values()
    [origin] = distribution["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["MediaBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["PhotosOriginAccessControl", "Id"]}
    behaviour = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]


def test_user_pool_has_a_group_per_role_and_an_attribute_per_scope(template: dict[str, Any]) -> None:
    [pool] = _of_type(template, "AWS::Cognito::UserPool").values()
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True, "no self sign-up"
    custom = {f"custom:{a['Name']}" for a in pool["Schema"] if a["Name"] not in {"email", "name"}}
    assert custom == set(SCOPE_ATTRIBUTES.values())
    groups = {g["GroupName"] for g in _of_type(template, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {role.value for role in Role}

    [client] = _of_type(template, "AWS::Cognito::UserPoolClient").values()
    assert set(SCOPE_ATTRIBUTES.values()) <= set(client["ReadAttributes"]), "scope claims reach the id token"
    assert not any(a.startswith("custom:") for a in client["WriteAttributes"]), (
        "a user cannot widen her scope"
    )
    assert client["GenerateSecret"] is False, "pages on a phone cannot keep a secret"
    # The upload page and the dashboard sign in through the hosted UI (code + PKCE), back to
    # themselves, once the API has a URL.
    assert client["AllowedOAuthFlows"] == {"Fn::If": ["UploadPageKnown", ["code"], {"Ref": "AWS::NoValue"}]}
    api = "https://abc123.execute-api.ap-south-1.amazonaws.com/api"
    for urls in (client["CallbackURLs"], client["LogoutURLs"]):
        decided = stack._decided(urls, {"UploadPageUrl": f"{api}/upload"}, template["Conditions"])
        assert decided == [f"{api}/upload", f"{api}/dashboard"]
    [domain] = _of_type(template, "AWS::Cognito::UserPoolDomain").values()
    assert domain["UserPoolId"] == {"Ref": "UserPool"}


def test_amazon_may_send_to_the_order_events_queue(
    template: dict[str, Any], local_aws: stack.LocalAws
) -> None:
    [policy] = [
        p
        for p in _of_type(template, "AWS::SQS::QueuePolicy").values()
        if p["Queues"] == [{"Ref": "OrderEventsQueue"}]
    ]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": SP_API_NOTIFICATIONS_ACCOUNT}
    assert set(statement["Action"]) == {"sqs:SendMessage", "sqs:GetQueueAttributes"}
    assert statement["Resource"] == {"Fn::GetAtt": ["OrderEventsQueue", "Arn"]}
    # (moto's CloudFormation neither creates nor enforces queue policies: this is checked here and
    # by cfn-lint in the package test.)


def _bucket_stack(template: dict[str, Any], name: str, parameters: dict[str, str]) -> dict[str, str]:
    """Deploy the template's two buckets into moto as a stack; their names by logical id."""
    buckets = {
        logical: {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": body["Properties"]["BucketName"]}}
        for logical, body in template["Resources"].items()
        if body.get("Type") == "AWS::S3::Bucket"
    }
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=name,
        TemplateBody=json.dumps(
            {
                "Parameters": template["Parameters"],
                "Conditions": template["Conditions"],
                "Resources": buckets,
            }
        ),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    cloudformation.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
    resources = cloudformation.describe_stack_resources(StackName=name)["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}


def test_bucket_names_are_derived_from_stack_account_and_region_unless_named(
    template: dict[str, Any], local_aws: stack.LocalAws, unique: str
) -> None:
    account = aws.client("sts").get_caller_identity()["Account"]
    derived = _bucket_stack(template, f"haat-t{unique}", {})
    assert derived == {
        "UploadsBucket": f"haat-t{unique}-uploads-{account}-{stack.REGION}",
        "MediaBucket": f"haat-t{unique}-media-{account}-{stack.REGION}",
    }
    assert all(len(name) <= 63 for name in derived.values())
    named = _bucket_stack(template, f"haat-n{unique}", {"UploadsBucketName": f"jkrlm-uploads-{unique}"})
    assert named["UploadsBucket"] == f"jkrlm-uploads-{unique}"
    assert named["MediaBucket"] == f"haat-n{unique}-media-{account}-{stack.REGION}"


def test_the_cli_reads_what_a_deployed_stack_assigned_from_its_outputs(
    template: dict[str, Any], local_aws: stack.LocalAws
) -> None:
    """`--stage dev|prod`: derived bucket names and the pool's ids come from the stack's outputs."""
    assert set(template["Outputs"]) == set(OUTPUT_SETTINGS)
    assigned = {key: f"value-of-{key}" for key in OUTPUT_SETTINGS}
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name("dev"),
        TemplateBody=json.dumps(
            {
                "Resources": {
                    "Marker": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "haat-dev-marker"}}
                },
                "Outputs": {key: {"Value": value} for key, value in assigned.items()},
            }
        ),
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name("dev"), WaiterConfig={"Delay": 1}
    )
    assert deployed_settings("dev") == {OUTPUT_SETTINGS[key]: value for key, value in assigned.items()}
