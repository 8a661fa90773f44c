"""S3 for photos: raw uploads in (private, size-checked), renditions out (content-addressed)."""

from __future__ import annotations

import functools
import hashlib
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.catalogue.models import Upload
from chalicelib.config import settings

# Content-addressed keys never change meaning, so caches may keep them for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
_GONE = frozenset({"NoSuchKey", "NoSuchVersion", "404", "InvalidArgument", "PreconditionFailed", "412"})


class UploadGone(Exception):
    """The object version was deleted or expired before it was processed."""


class UploadTooLarge(Exception):
    """The object is larger than MAX_UPLOAD_BYTES (found before its bytes were read)."""


def fetch_upload(upload: Upload, max_bytes: int) -> bytes:
    """The bytes of exactly this object version, refusing anything over `max_bytes` unread.

    Without a version id (unversioned bucket, moto) the ETag pins the content: if the object was
    overwritten since the event, that version is gone and the newer one has its own event.
    """
    extra: dict[str, str] = {}
    if upload.version_id:
        extra["VersionId"] = upload.version_id
    elif upload.etag:
        extra["IfMatch"] = f'"{upload.etag}"'
    try:
        response = aws.client("s3").get_object(Bucket=upload.bucket, Key=upload.key, **extra)
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            raise UploadGone(upload.key) from error
        raise
    body = response["Body"]
    if int(response["ContentLength"]) > max_bytes:
        body.close()
        raise UploadTooLarge(upload.key)
    return bytes(body.read(max_bytes + 1))


def rendition_key(name: str, data: bytes, extension: str) -> str:
    return f"photos/{name}/{hashlib.sha256(data).hexdigest()}.{extension}"


def put_rendition(key: str, data: bytes, content_type: str) -> None:
    aws.client("s3").put_object(
        Bucket=settings().MEDIA_BUCKET,
        Key=key,
        Body=data,
        ContentType=content_type,
        CacheControl=IMMUTABLE,
    )


def presigned_url(key: str, expires_s: int = 3600) -> str:
    return str(
        aws.client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": settings().MEDIA_BUCKET, "Key": key}, ExpiresIn=expires_s
        )
    )


def presigned_upload(
    key: str, content_type: str, max_bytes: int, expires_s: int, metadata: dict[str, str]
) -> dict[str, Any]:
    """A presigned POST (url + form fields) that lets a browser write exactly `key` to the uploads
    bucket: S3 itself refuses another key, another content type, more than `max_bytes`, other
    metadata or a late start."""
    fields = {"Content-Type": content_type, **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}
    conditions: list[Any] = [{name: value} for name, value in fields.items()]
    conditions.append(["content-length-range", 1, max_bytes])
    return dict(
        aws.client("s3").generate_presigned_post(
            Bucket=settings().UPLOADS_BUCKET,
            Key=key,
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=expires_s,
        )
    )


@functools.cache
def browser_origins() -> tuple[str, str]:
    """(uploads, media) origins a browser talks to for presigned requests, as the client signs them
    (computed, no network): the upload page's Content-Security-Policy allows exactly these."""

    def origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    upload = presigned_upload("uploads/origin", "image/jpeg", 1, 60, {})
    return origin(upload["url"]), origin(presigned_url("photos/origin"))
