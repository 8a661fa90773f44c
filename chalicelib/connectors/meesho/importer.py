"""Import a Meesho order export: validate every row, enqueue the valid ones, keep the result.

Rows are sent in chunks (one message holds up to CHUNK_BYTES of rows) so that a 10 MB export is
a few hundred queue messages, not tens of thousands. Every row becomes an event whose id depends
only on its sub-order number and status, so re-importing the same or an overlapping export puts
the same event ids on the queue and the idempotent consumer records each order state once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import UTC, datetime, time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field, ValidationError

from chalicelib import aws, ops
from chalicelib.config import settings
from chalicelib.connectors import queue
from chalicelib.connectors.meesho.columns import COLUMNS, HeaderMap, map_headers
from chalicelib.connectors.meesho.models import MeeshoImportMessage, MeeshoOrderRow, as_panel_row
from chalicelib.observability import logger, metrics

CHANNEL = "meesho"
UPLOAD_PREFIX = "imports/meesho/"
CHUNK_BYTES = 20 * 1024
REPORTED_ERRORS = 1000  # keeps a stored result under DynamoDB's 400 KB and a response small


class RowError(BaseModel):
    row: int = Field(description="line of the file (the header is line 1)")
    column: str
    reason: str


class ImportResult(BaseModel):
    import_id: str
    channel: str = CHANNEL
    imported_at: datetime
    file_sha256: str
    file_bytes: int
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    repeated_in_file: int = 0
    enqueued_messages: int = 0
    missing_columns: list[str] = Field(default_factory=list)
    errors: list[RowError] = Field(default_factory=list)
    message_ids: list[str] = Field(default_factory=list, exclude=True)

    @property
    def accepted(self) -> bool:
        return not self.missing_columns


class ImportRejected(Exception):
    """The file cannot be read as a Meesho export at all (encoding, header)."""


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(f"the file is not UTF-8 text (byte {error.start})") from error


def _row_errors(error: ValidationError, line: int, headers: HeaderMap) -> list[RowError]:
    found = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else ""
        column = headers.headers.get(field) or next((c.header for c in COLUMNS if c.field == field), "")
        reason = str(detail["msg"]).removeprefix("Value error, ")
        found.append(RowError(row=line, column=column or "(row)", reason=reason))
    return found


def parse(content: bytes, result: ImportResult) -> list[dict[str, str]]:
    """Valid rows (panel headers -> the file's values), recording every problem in `result`."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportRejected("the file is empty")
    headers = map_headers(header)
    if headers.missing:
        result.missing_columns = list(headers.missing)
        return []
    valid: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        result.rows += 1
        raw = {field: cells[index] if index < len(cells) else "" for field, index in headers.index_of.items()}
        try:
            row = MeeshoOrderRow.model_validate(raw)
        except ValidationError as error:
            result.invalid += 1
            result.errors.extend(_row_errors(error, line, headers))
            continue
        if (row.sub_order_no, row.order_status) in seen:
            result.repeated_in_file += 1
            continue
        seen.add((row.sub_order_no, row.order_status))
        result.valid += 1
        valid.append(as_panel_row(raw))
    return valid


def _chunks(rows: list[dict[str, str]], import_id: str, imported_at: datetime) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    chunk: list[dict[str, str]] = []
    size = 0
    for row in rows:
        length = sum(len(k) + len(v.encode()) + 6 for k, v in row.items())
        if chunk and size + length > CHUNK_BYTES:
            messages.append(_message(chunk, import_id, imported_at))
            chunk, size = [], 0
        chunk.append(row)
        size += length
    if chunk:
        messages.append(_message(chunk, import_id, imported_at))
    return messages


def _message(rows: list[dict[str, str]], import_id: str, imported_at: datetime) -> dict[str, Any]:
    message = MeeshoImportMessage(
        import_id=import_id,
        imported_at=imported_at,
        dispatch_cutoff_ist=time.fromisoformat(settings().MEESHO_DISPATCH_CUTOFF_IST),
        rows=rows,
    )
    return message.model_dump(mode="json")


def import_orders(content: bytes, *, source: str, imported_by: str) -> ImportResult:
    """Validate, enqueue and record one export; raises ImportRejected only for unreadable files."""
    imported_at = datetime.now(UTC)
    result = ImportResult(
        import_id=uuid.uuid4().hex,
        imported_at=imported_at,
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_bytes=len(content),
    )
    valid = parse(content, result)
    if valid:
        sent = queue.send_payloads(CHANNEL, _chunks(valid, result.import_id, imported_at))
        result.enqueued_messages = len(sent)
        result.message_ids = sent
    metrics.add_metric(name="MeeshoRowsImported", unit=MetricUnit.Count, value=result.valid)
    metrics.add_metric(name="MeeshoRowsRejected", unit=MetricUnit.Count, value=result.invalid)
    logger.info(
        "meesho import",
        extra={"import_id": result.import_id, "rows": result.rows, "valid": result.valid, "source": source},
    )
    store(result, source=source, imported_by=imported_by)
    return result


def response_body(result: ImportResult) -> dict[str, Any]:
    """The result as JSON, with the first REPORTED_ERRORS row errors and their total."""
    record = result.model_dump(mode="json")
    record["errors"] = record["errors"][:REPORTED_ERRORS]
    record["error_count"] = len(result.errors)
    return record


def store(result: ImportResult, *, source: str, imported_by: str) -> None:
    """Keep the result in the ops table (pk=IMPORT#meesho, sk={imported_at}#{import_id})."""
    record = response_body(result)
    ops.record_import(
        CHANNEL,
        record["imported_at"],
        result.import_id,
        {"source": source, "imported_by": imported_by, **record},
    )


def read_uploaded(key: str) -> bytes:
    """An export the coordinator uploaded to the uploads bucket under imports/meesho/."""
    if not key.startswith(UPLOAD_PREFIX) or ".." in key:
        raise ImportRejected(f"the key must start with {UPLOAD_PREFIX}")
    try:
        body = aws.client("s3").get_object(Bucket=settings().UPLOADS_BUCKET, Key=key)["Body"]
    except ClientError as error:
        if error.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            raise ImportRejected(f"no uploaded file at {key}") from error
        raise
    return bytes(body.read())


def upload_target() -> dict[str, str]:
    """A fresh key under imports/meesho/ and a presigned PUT URL for it (15 minutes): exports of any
    size go straight to S3, past API Gateway's 10 MB and Lambda's 6 MB request limits."""
    key = f"{UPLOAD_PREFIX}{datetime.now(UTC):%Y/%m/%d}/{uuid.uuid4().hex}.csv"
    url = aws.client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": settings().UPLOADS_BUCKET, "Key": key, "ContentType": "text/csv"},
        ExpiresIn=900,
    )
    return {"key": key, "upload_url": str(url), "content_type": "text/csv"}
