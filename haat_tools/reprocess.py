"""The runbook's "reprocess a photo": judge a stored upload again (after thresholds change or a fix).

The photo's record for its current version is removed and the upload is announced on the
photo-uploads queue again, in the S3 notification shape, so it takes the real path. Its rejection
notification id is deterministic, so a photo rejected again does not reach the uploader twice.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from urllib.parse import quote_plus

from chalicelib import aws
from chalicelib.catalogue import repository
from chalicelib.catalogue.models import Upload
from chalicelib.config import settings


def reprocess(key: str) -> Upload:
    """Queue the current version of uploads bucket object `key` for a fresh verdict."""
    bucket = settings().UPLOADS_BUCKET
    head = aws.client("s3").head_object(Bucket=bucket, Key=key)
    version_id = head.get("VersionId", "")
    upload = Upload(
        bucket=bucket,
        key=key,
        version_id="" if version_id == "null" else version_id,
        etag=head["ETag"].strip('"'),
        size=head["ContentLength"],
        event_time=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    repository.delete_photo(upload.product_id, upload.file_id, upload.revision)
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().PHOTO_UPLOADS_QUEUE), MessageBody=json.dumps(_notification(upload))
    )
    return upload


def _notification(upload: Upload) -> dict[str, object]:
    s3_object: dict[str, object] = {"key": quote_plus(upload.key), "size": upload.size, "eTag": upload.etag}
    if upload.version_id:
        s3_object["versionId"] = upload.version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": os.environ.get("AWS_REGION", "ap-south-1"),
                "eventTime": upload.event_time,
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": upload.bucket, "arn": f"arn:aws:s3:::{upload.bucket}"},
                    "object": s3_object,
                },
            }
        ]
    }
