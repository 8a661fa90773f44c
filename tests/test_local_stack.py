"""The local stack is the shared declaration, deployed into moto, with moto's gaps closed."""

from __future__ import annotations

import json
from typing import Any

import yaml
from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.config import RESOURCE_PARAMETERS, settings
from haat_tools.local import stack


def test_every_resource_setting_names_a_declared_resource() -> None:
    """A stage names each resource, or the template names it and hands the name to the functions."""
    template = yaml.safe_load(stack.TEMPLATE_PATH.read_text())
    referenced = json.dumps(template["Resources"])
    from_template = template["Globals"]["Function"]["Environment"]["Variables"]
    for stage in ("dev", "prod", "local"):
        env = stack.stage_environment(stage)
        for variable, parameter in RESOURCE_PARAMETERS.items():
            assert variable in env or variable in from_template, f"{stage} lacks {variable}"
            assert parameter in template["Parameters"]
            assert json.dumps({"Ref": parameter}) in referenced, f"no resource is named by {parameter}"


def test_tables_queues_buckets_topics_exist(local_aws: stack.LocalAws) -> None:
    config = settings()
    tables = set(aws.client("dynamodb").list_tables()["TableNames"])
    assert {config.REGISTRY_TABLE, config.ORDERS_TABLE, config.OUTBOX_TABLE, config.OPS_TABLE} <= tables
    topics = {t["TopicArn"].rsplit(":", 1)[1] for t in aws.client("sns").list_topics()["Topics"]}
    assert {config.DIGEST_TOPIC, config.ALARMS_TOPIC} <= topics
    aws.client("s3").head_bucket(Bucket=config.MEDIA_BUCKET)


def _consumer_timeout(function: str) -> int:
    """The longest timeout any deployed stage gives the queue's consumer."""
    config = json.loads(stack.CHALICE_CONFIG_PATH.read_text())
    return max(
        stage.get("lambda_functions", {}).get(function, {}).get("lambda_timeout", config["lambda_timeout"])
        for stage in config["stages"].values()
    )


def test_queues_have_dead_letter_queues_and_long_enough_visibility(local_aws: stack.LocalAws) -> None:
    consumers = {
        settings().ORDER_EVENTS_QUEUE: "on_order_events",
        settings().PHOTO_UPLOADS_QUEUE: "on_photo_uploaded",
        settings().REGISTRY_IMPORTS_QUEUE: "on_registry_import",
    }
    for queue, consumer in consumers.items():
        attributes = aws.client("sqs").get_queue_attributes(
            QueueUrl=aws.queue_url(queue), AttributeNames=["All"]
        )["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == 5
        assert redrive["deadLetterTargetArn"].endswith(f"{queue}-dlq")
        assert int(attributes["VisibilityTimeout"]) >= 6 * _consumer_timeout(consumer)


def test_moto_gaps_are_closed_by_the_bootstrap(local_aws: stack.LocalAws) -> None:
    config = settings()
    s3 = aws.client("s3")
    notification = s3.get_bucket_notification_configuration(Bucket=config.UPLOADS_BUCKET)
    [queue_config] = notification["QueueConfigurations"]
    assert queue_config["QueueArn"].endswith(config.PHOTO_UPLOADS_QUEUE)
    assert queue_config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]
    rules = s3.get_bucket_lifecycle_configuration(Bucket=config.UPLOADS_BUCKET)["Rules"]
    assert {rule["Filter"]["Prefix"]: rule["Expiration"]["Days"] for rule in rules} == {
        "uploads/": 30,
        "imports/": 30,
    }
    ttl = aws.client("dynamodb").describe_time_to_live(TableName=config.ORDERS_TABLE)
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_uploads_bucket_is_private_and_encrypted(local_aws: stack.LocalAws) -> None:
    s3 = aws.client("s3")
    block = s3.get_public_access_block(Bucket=settings().UPLOADS_BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    encryption = s3.get_bucket_encryption(Bucket=settings().UPLOADS_BUCKET)
    assert encryption["ServerSideEncryptionConfiguration"]["Rules"]
    assert s3.get_bucket_versioning(Bucket=settings().UPLOADS_BUCKET)["Status"] == "Enabled"


def test_topics_are_encrypted_with_the_stacks_key(local_aws: stack.LocalAws) -> None:
    config = settings()
    sns, kms = aws.client("sns"), aws.client("kms")
    for name in (config.DIGEST_TOPIC, config.ALARMS_TOPIC):
        arn = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{name}"))
        key = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("KmsMasterKeyId", "")
        assert key, f"topic {name} is not encrypted"
        assert key in {k["KeyId"] for k in kms.list_keys()["Keys"]}, "not a key of this account"


def test_a_query_reads_its_partition_as_dynamodb_does(local_aws: stack.LocalAws) -> None:
    """The local moto server starts a Query from the partition (or the index key) it names: the same
    answer as moto's own, order, pages and limits included."""
    table = aws.table(settings().REPORTS_TABLE)
    with table.batch_writer() as batch:
        for partition in ("QTEST#a", "QTEST#b", "QTEST#c"):
            for n in (3, 1, 2, 10):
                batch.put_item(Item={"pk": partition, "sk": f"s{n:02d}", "n": n})
    pages = []
    request: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq("QTEST#b"), "Limit": 3}
    while True:
        page = table.query(**request)
        pages.append([item["sk"] for item in page["Items"]])
        if "LastEvaluatedKey" not in page:
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert pages == [["s01", "s02", "s03"], ["s10"]]
    backwards = table.query(
        KeyConditionExpression=Key("pk").eq("QTEST#c") & Key("sk").lt("s10"), ScanIndexForward=False
    )
    assert [item["sk"] for item in backwards["Items"]] == ["s03", "s02", "s01"]
    assert table.query(KeyConditionExpression=Key("pk").eq("QTEST#none"))["Items"] == []
