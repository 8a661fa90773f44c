"""What every file import shares (the registry, Meesho order exports, settlement reports): the
whole-file refusal, the per-row error, the result's counts, and files of any size arriving through a
presigned PUT to the uploads bucket (past API Gateway's 10 MB and Lambda's 6 MB request limits).

Reading a file's rows is `sheets`; matching its header to fields is `columns`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from chalice import Chalice
from pydantic import BaseModel, Field, ValidationError

from chalicelib import aws
from chalicelib.api import raw_body
from chalicelib.config import settings

REPORTED_ERRORS = 1000  # keeps a stored result under DynamoDB's 400 KB and a response small


class ImportRejected(Exception):
    """The file cannot be imported at all (unreadable, too big, no such upload, wrong key); the
    message says what to do, `status` is the HTTP answer. Nothing of it was applied."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class RowError(BaseModel):
    """One problem of one row: the row as Excel numbers it, the column as the file spells it."""

    row: int = Field(description="row of the file (the first row is 1)")
    column: str
    value: str = ""
    reason: str


class ImportResult(BaseModel):
    """What every synchronous import reports: the file, its row counts, and each problem by row
    (every one counted, the first REPORTED_ERRORS kept: a file of bad rows stays small)."""

    import_id: str
    imported_at: datetime
    file_sha256: str
    file_bytes: int
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    missing_columns: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="how the file was read, when it matters")
    errors: list[RowError] = Field(default_factory=list, description=f"the first {REPORTED_ERRORS}")
    error_count: int = 0

    @property
    def accepted(self) -> bool:
        return not self.missing_columns

    def add_errors(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.error_count += 1
            if len(self.errors) < REPORTED_ERRORS:
                self.errors.append(error)


def response_body(result: BaseModel) -> dict[str, Any]:
    """An import's result as JSON (what is stored in the ops table and answered)."""
    return result.model_dump(mode="json")


def safe_name(file_name: str, default: str) -> str:
    """A file name fit for an S3 key: its last part, letters, digits and ._- only."""
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in file_name.rsplit("/", 1)[-1])
    return name.strip("._")[:100] or default


def new_key(prefix: str, file_name: str) -> str:
    """A fresh key under `prefix` that keeps the file's name (for people reading the bucket)."""
    return f"{prefix}{datetime.now(UTC):%Y/%m/%d}/{uuid.uuid4().hex}/{safe_name(file_name, 'file')}"


def upload_target(prefix: str, file_name: str, content_type: str | None = None) -> dict[str, str]:
    """A fresh key under `prefix` and a presigned PUT URL for it (15 minutes); with a content type,
    the PUT must send it."""
    key = new_key(prefix, file_name)
    params = {"Bucket": settings().UPLOADS_BUCKET, "Key": key}
    if content_type:
        params["ContentType"] = content_type
    url = aws.client("s3").generate_presigned_url("put_object", Params=params, ExpiresIn=900)
    target = {"key": key, "upload_url": str(url)}
    return {**target, "content_type": content_type} if content_type else target


def store_file(content: bytes, prefix: str, file_name: str) -> str:
    """Put a file the caller sent itself (the CLI, a small request body) where uploads go."""
    key = new_key(prefix, file_name)
    aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=content)
    return key


def _checked(key: str, prefix: str) -> str:
    if not key.startswith(prefix) or ".." in key:
        raise ImportRejected(f"the key must start with {prefix}")
    return key


def _s3_call(operation: str, key: str, prefix: str) -> dict[str, Any]:
    """head_object or get_object of an upload; ImportRejected when there is none at `key`."""
    call = getattr(aws.client("s3"), operation)
    try:
        return dict(call(Bucket=settings().UPLOADS_BUCKET, Key=_checked(key, prefix)))
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "404", "NotFound"}:
            raise ImportRejected(f"no uploaded file at {key}: PUT it to the upload URL first") from error
        raise


def uploaded_size(key: str, prefix: str) -> int:
    """The size of a file the caller uploaded under `prefix`."""
    return int(_s3_call("head_object", key, prefix)["ContentLength"])


def read_uploaded(key: str, prefix: str, max_bytes: int) -> bytes:
    """A file the caller uploaded to the uploads bucket under `prefix` (413 past `max_bytes`)."""
    response = _s3_call("get_object", key, prefix)
    if int(response["ContentLength"]) > max_bytes:
        response["Body"].close()
        raise ImportRejected(f"the file is larger than {max_bytes // (1024 * 1024)} MB", 413)
    return bytes(response["Body"].read(max_bytes + 1))


class UploadedFile(BaseModel):
    key: str


def received_file(app: Chalice, read_uploaded: Callable[[str], bytes], prefix: str) -> tuple[bytes, str]:
    """The file of an import request and where it came from: the body itself (any text content
    type, up to API Gateway's 10 MB and Lambda's 6 MB request limits) or, with
    `Content-Type: application/json`, `{"key": ...}` naming a file the caller first PUT to a
    presigned upload URL (any size). ImportRejected (400) for a JSON body that names no key."""
    request = app.current_request
    assert request is not None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            uploaded = UploadedFile.model_validate_json(raw_body(app) or b"{}")
        except ValidationError:
            raise ImportRejected(f'send {{"key": "{prefix}..."}} or the file itself as text') from None
        return read_uploaded(uploaded.key), f"s3:{uploaded.key}"
    return raw_body(app), "request body"
