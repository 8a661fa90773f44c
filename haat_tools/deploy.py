"""CloudFormation deploy of a packaged stage: upload the code, then a change set (create or update)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from chalicelib import aws

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
# Outputs of infra/resources.yaml -> the setting each one fills for the operator CLI.
OUTPUT_SETTINGS = {
    "UploadsBucket": "UPLOADS_BUCKET",
    "MediaBucket": "MEDIA_BUCKET",
    "UserPoolId": "COGNITO_USER_POOL_ID",
    "UserPoolClientId": "COGNITO_APP_CLIENT_ID",
    "CognitoDomain": "COGNITO_DOMAIN",
    "PhotosBaseUrl": "PHOTOS_BASE_URL",
}


def stack_name(stage: str) -> str:
    """The CloudFormation stack of a deployed stage."""
    return f"haat-{stage}"


def deployed_settings(stage: str) -> dict[str, str]:
    """What a deployed stage's stack assigned (derived bucket names, user pool ids), by setting name."""
    [described] = aws.client("cloudformation").describe_stacks(StackName=stack_name(stage))["Stacks"]
    return {
        OUTPUT_SETTINGS[output["OutputKey"]]: output["OutputValue"]
        for output in described.get("Outputs", [])
        if output["OutputKey"] in OUTPUT_SETTINGS
    }


class _SamLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !GetAtt, ...) as plain mappings."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, object]:
    name = tag_suffix if tag_suffix in {"Ref", "Condition"} else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: object = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_SamLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation/SAM template as data, short-form intrinsics as their long form."""
    return dict(yaml.load(path.read_text(), Loader=_SamLoader))  # noqa: S506 - SafeLoader subclass


def deploy_stack(
    stack_name: str, template_path: Path, artifacts_bucket: str, parameters: dict[str, str]
) -> None:
    """Upload deployment.zip, point every function at it, and apply the template as a change set."""
    code = template_path.with_name("deployment.zip").read_bytes()
    code_key = f"{stack_name}/{hashlib.sha256(code).hexdigest()}.zip"
    aws.client("s3").put_object(Bucket=artifacts_bucket, Key=code_key, Body=code)
    template = load_template(template_path)
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://{artifacts_bucket}/{code_key}"
    cloudformation = aws.client("cloudformation")
    exists = bool(
        [
            s
            for s in cloudformation.list_stacks()["StackSummaries"]
            if s["StackName"] == stack_name and s["StackStatus"] != "DELETE_COMPLETE"
        ]
    )
    change_set = cloudformation.create_change_set(
        StackName=stack_name,
        ChangeSetName=f"haat-{code_key.rsplit('/', 1)[1][:12]}",
        ChangeSetType="UPDATE" if exists else "CREATE",
        TemplateBody=yaml.safe_dump(template, sort_keys=False),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=CAPABILITIES,
    )
    cloudformation.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"])
    cloudformation.execute_change_set(ChangeSetName=change_set["Id"])
    waiter = "stack_update_complete" if exists else "stack_create_complete"
    cloudformation.get_waiter(waiter).wait(StackName=stack_name)
