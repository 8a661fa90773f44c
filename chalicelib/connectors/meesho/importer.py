"""Import a Meesho order export: validate every row, enqueue the valid ones, keep the result.

The file is read as a stream of records (decoded as it goes), within caps that keep one import
inside the API function's memory and time: MAX_FILE_BYTES, MAX_ROWS (counted in a fast first pass,
so a file over the cap is refused before any row is queued), REPORTED_ERRORS kept (all counted).
Rows whose SKU is outside the caller's area are refused one by one, with the reason.

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
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field, ValidationError

from chalicelib import imports, ops
from chalicelib.config import settings
from chalicelib.connectors import queue
from chalicelib.connectors.meesho.columns import BY_FIELD, LAYOUT
from chalicelib.connectors.meesho.models import MeeshoImportMessage, MeeshoOrderRow, as_panel_row
from chalicelib.imports import ImportRejected, RowError, response_body
from chalicelib.imports.columns import HeaderMap
from chalicelib.observability import logger, metrics

CHANNEL = "meesho"
UPLOAD_PREFIX = "imports/meesho/"
CHUNK_BYTES = 20 * 1024

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 25_000  # all bad: ~2 s of CPU (about 7 s at api_handler's 512 MB), well inside 29 s
SCOPE_WINDOW_ROWS = 500  # rows whose SKUs are looked up together (one BatchGetItem per 100 SKUs)
SEND_EVERY_CHUNKS = 10  # chunks sent together (one SendMessageBatch): memory stays a few chunks


class ImportResult(imports.ImportResult):
    channel: str = CHANNEL
    out_of_scope: int = 0
    repeated_in_file: int = 0
    enqueued_messages: int = 0
    message_ids: list[str] = Field(default_factory=list, exclude=True)


# The caller's area as the import sees it: SKUs in, the refusal reason of each SKU outside it out.
Scope = Callable[[Collection[str]], dict[str, str]]


def _lines(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each CSV record, decoded as it is read (no second copy of the file as text);
    a cell over the csv module's field limit or bytes that are not UTF-8 end the import."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except UnicodeDecodeError as error:
        raise ImportRejected(f"the file is not UTF-8 text (near line {reader.line_num + 1})") from error
    except csv.Error as error:
        raise ImportRejected(f"line {reader.line_num}: {error}; is this a Meesho order export?") from error


def _check_size(content: bytes) -> None:
    """Refuse a file too big to import within the API's time and memory before queueing any row."""
    if len(content) > MAX_FILE_BYTES:
        raise ImportRejected(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", 413)
    records = -1  # the header is not a row
    for _ in _lines(content):
        records += 1
        if records > MAX_ROWS:
            raise ImportRejected(
                f"the file has more than {MAX_ROWS} rows: export a shorter date range and import each", 413
            )
    if records < 0:
        raise ImportRejected("the file is empty")


def _row_errors(error: ValidationError, line: int, headers: HeaderMap) -> list[RowError]:
    found = []
    for detail in error.errors():
        field = str(detail["loc"][0]) if detail["loc"] else ""
        column = headers.header(field) if field in BY_FIELD else "(row)"
        reason = str(detail["msg"]).removeprefix("Value error, ")
        found.append(RowError(row=line, column=column, reason=reason[:300]))
    return found


def parse(content: bytes, result: ImportResult) -> Iterator[tuple[int, MeeshoOrderRow, dict[str, str]]]:
    """(line, row, the file's values) of each valid row, recording every problem in `result`."""
    lines = _lines(content)
    first = next(lines, None)
    if first is None:
        raise ImportRejected("the file is empty")
    headers = LAYOUT.map(first[1])
    if headers.missing:
        result.missing_columns = list(headers.missing)
        return
    seen: set[tuple[str, str]] = set()
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        result.rows += 1
        raw = headers.cells(cells)
        try:
            row = MeeshoOrderRow.model_validate(raw)
        except ValidationError as error:
            result.invalid += 1
            result.add_errors(_row_errors(error, line, headers))
            continue
        if (row.sub_order_no, row.order_status) in seen:
            result.repeated_in_file += 1
            continue
        seen.add((row.sub_order_no, row.order_status))
        yield line, row, raw


def _windows(rows: Iterator[tuple[int, MeeshoOrderRow, dict[str, str]]]) -> Iterator[list[Any]]:
    window: list[Any] = []
    for row in rows:
        window.append(row)
        if len(window) == SCOPE_WINDOW_ROWS:
            yield window
            window = []
    if window:
        yield window


class _Sender:
    """Packs rows into chunk messages of up to CHUNK_BYTES and sends them a batch at a time."""

    def __init__(self, result: ImportResult) -> None:
        self._result = result
        self._cutoff = time.fromisoformat(settings().MEESHO_DISPATCH_CUTOFF_IST)
        self._rows: list[dict[str, str]] = []
        self._size = 0
        self._chunks: list[dict[str, Any]] = []

    def add(self, row: dict[str, str]) -> None:
        length = sum(len(k) + len(v.encode()) + 6 for k, v in row.items())
        if self._rows and self._size + length > CHUNK_BYTES:
            self._close_chunk()
        self._rows.append(row)
        self._size += length

    def _close_chunk(self) -> None:
        message = MeeshoImportMessage(
            import_id=self._result.import_id,
            imported_at=self._result.imported_at,
            dispatch_cutoff_ist=self._cutoff,
            rows=self._rows,
        )
        self._chunks.append(message.model_dump(mode="json"))
        self._rows, self._size = [], 0
        if len(self._chunks) == SEND_EVERY_CHUNKS:
            self._send()

    def _send(self) -> None:
        sent = queue.send_payloads(CHANNEL, self._chunks)
        self._result.enqueued_messages += len(sent)
        self._result.message_ids.extend(sent)
        self._chunks = []

    def flush(self) -> None:
        if self._rows:
            self._close_chunk()
        if self._chunks:
            self._send()


def import_orders(
    content: bytes, *, source: str, imported_by: str, scope: Scope | None = None
) -> ImportResult:
    """Validate, enqueue and record one export; ImportRejected (nothing queued) for a file that
    cannot be imported at all. `scope` refuses, row by row, SKUs outside the caller's area."""
    _check_size(content)
    result = ImportResult(
        import_id=uuid.uuid4().hex,
        imported_at=datetime.now(UTC),
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_bytes=len(content),
    )
    sender = _Sender(result)
    sku_column = BY_FIELD["sku"].header
    for window in _windows(parse(content, result)):
        refused = scope({row.sku for _, row, _ in window}) if scope else {}
        for line, row, raw in window:
            if row.sku in refused:
                result.out_of_scope += 1
                result.add_errors([RowError(row=line, column=sku_column, reason=refused[row.sku])])
                continue
            result.valid += 1
            sender.add(as_panel_row(raw))
    sender.flush()
    metrics.add_metric(name="MeeshoRowsImported", unit=MetricUnit.Count, value=result.valid)
    metrics.add_metric(name="MeeshoRowsRejected", unit=MetricUnit.Count, value=result.invalid)
    metrics.add_metric(name="MeeshoRowsOutOfScope", unit=MetricUnit.Count, value=result.out_of_scope)
    logger.info(
        "meesho import",
        extra={"import_id": result.import_id, "rows": result.rows, "valid": result.valid, "source": source},
    )
    store(result, source=source, imported_by=imported_by)
    return result


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
    return imports.read_uploaded(key, UPLOAD_PREFIX, MAX_FILE_BYTES)


def upload_target() -> dict[str, str]:
    """A fresh key under imports/meesho/ and a presigned PUT URL for it (15 minutes): exports of any
    size go straight to S3, past API Gateway's 10 MB and Lambda's 6 MB request limits."""
    return imports.upload_target(UPLOAD_PREFIX, "meesho-orders.csv", "text/csv")
