"""`on_photo_uploaded`: S3 ObjectCreated notifications, delivered through the photo-uploads queue.

A photo that cannot be used is a result (a rejected record), so its message succeeds; only a
failure of the pipeline itself (AWS unreachable, throttled) fails the message for a retry.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.batch import process_sqs_batch
from chalicelib.catalogue.models import Upload
from chalicelib.catalogue.pipeline import process_upload
from chalicelib.observability import logger, metrics

# uploads/{shg_id}/{product_id}/{file name}: registry id shapes, and a file name without "/".
UPLOAD_KEY = re.compile(r"uploads/[A-Za-z0-9_-]{3,40}/[A-Za-z0-9_-]{3,60}/[^/]{1,255}")


def handle_batch(raw_event: dict[str, Any]) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _handle_record)


def uploads_in(body: str) -> list[Upload]:
    """The object versions an S3 notification announces (keys URL-decoded; test events: none)."""
    notification = json.loads(body)
    if "Records" not in notification:
        return []
    return [
        Upload(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.get_object.key),
            version_id=record.s3.get_object.version_id or "",
            etag=record.s3.get_object.etag,
            size=int(record.s3.get_object.get("size") or 0),
            event_time=record.event_time,
            sequencer=record.s3.get_object.get("sequencer") or "",
        )
        for record in S3Event(notification).records
    ]


def refusal_of(key: str) -> str:
    """Why an upload key is not one Haat files photos under ('' if it is `uploads/{shg}/{product}/{file}`)."""
    if not UPLOAD_KEY.fullmatch(key):
        return "the key is not uploads/{shg_id}/{product_id}/{file name}"
    if key.rsplit("/", 1)[1] in {".", ".."}:
        return "the file name is not a name"
    return ""


def _handle_record(record: SQSRecord) -> None:
    for upload in uploads_in(record.body):
        logger.append_keys(correlation_id=f"{upload.file_id}:{upload.revision}")
        refusal = refusal_of(upload.key)
        if refusal:
            # Nobody to tell and nothing to file it under: Haat's own upload URLs never make such keys.
            logger.warning("upload refused", extra={"reason": refusal})
            metrics.add_metric(name="PhotoUploadRefused", unit=MetricUnit.Count, value=1)
            continue
        process_upload(upload)
