"""Registry imports, end to end: a file in S3 -> checked rows -> chunks on a queue -> the registry.

1. `start` records the import (status queued) and puts a `read` step on the registry-imports queue.
2. `read_file` reads the file (any format `reader` knows), finds its header, checks every row on its
   own (cells, duplicates within the file), keeps the bad rows' notes, and sends the good rows as
   chunks of at most CHUNK_ROWS rows; a file too big, unreadable or missing a column is rejected
   whole, before anything is applied.
3. `apply_chunk` reads what the chunk's rows refer to, plans each row (`plan`) and writes each row's
   items all or nothing (one BatchWriteItem entry, or one transaction when a row writes several
   items), then adds the chunk's counts to the record exactly once; the last chunk completes it.

A redelivered step repeats nothing: rows re-planned against what is stored now change nothing
more, notes and chunk counts are keyed, and the record counts each chunk once. So 1 lakh members
are hundreds of short invocations, each far inside the function's limits, with progress readable
at any time (`imports show ID`).
"""

from __future__ import annotations

import codecs
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib import access, aws, imports
from chalicelib.auth import Principal
from chalicelib.config import settings
from chalicelib.csvfile import csv_bytes
from chalicelib.dynamo import TransactionCancelled
from chalicelib.imports import ImportRejected, RowError
from chalicelib.observability import logger, metrics
from chalicelib.registry import repository
from chalicelib.registry.imports import store
from chalicelib.registry.imports.columns import KEY_FIELDS, LAYOUTS, HeaderMap, Kind
from chalicelib.registry.imports.models import ApplyChunk, ImportRecord, ReadFile, Report, Status, Step
from chalicelib.registry.imports.plan import (
    CHANNEL_COLUMNS,
    Action,
    Context,
    InScope,
    Pointer,
    RegistryView,
    RowOutcome,
    Stored,
    Write,
    derived_product_id,
    plan,
)
from chalicelib.registry.imports.reader import open_sheet
from chalicelib.registry.imports.rows import MemberRow, ProductRow, Row, check
from chalicelib.registry.models import SHG, Member, Product

UPLOAD_PREFIX = "imports/registry/"
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_ROWS = 200_000
KEPT_NOTES = 10_000  # row notes kept per import (counts are always complete)
CHUNK_ROWS = 500
CHUNK_BYTES = 200 * 1024  # an SQS message holds 256 KiB
TRANSACTION_RETRIES = 5
IST = timezone(timedelta(hours=5, minutes=30), "IST")


# --- starting an import ----------------------------------------------------------------------


def upload_target(file_name: str) -> dict[str, str]:
    """A fresh key under imports/registry/ and a presigned PUT URL for it: files of any size."""
    return imports.upload_target(UPLOAD_PREFIX, file_name or "registry-file")


def store_file(content: bytes, file_name: str) -> str:
    """Put a file the caller sent itself (the CLI, a small CSV request body) where uploads go."""
    return imports.store_file(content, UPLOAD_PREFIX, file_name or "registry-file")


def start(key: str, importer: Principal, *, kind: Kind | None = None, file_name: str = "") -> ImportRecord:
    """Record an import of the uploaded file at `key` and queue its reading."""
    file_bytes = imports.uploaded_size(key, UPLOAD_PREFIX)
    now = datetime.now(UTC)
    record = ImportRecord(
        import_id=f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        file_name=file_name or key.rsplit("/", 1)[-1],
        key=key,
        created_at=now.isoformat(),
        created_by=importer.subject,
        importer=importer,
        file_bytes=file_bytes,
    )
    store.create(record)
    _send(ReadFile(import_id=record.import_id).model_dump_json())
    logger.info("registry import queued", extra={"import_id": record.import_id, "kind": kind})
    return record


def _send(body: str) -> None:
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().REGISTRY_IMPORTS_QUEUE), MessageBody=body
    )


# --- the queue's steps -----------------------------------------------------------------------


def handle(body: str) -> None:
    """One message of the registry-imports queue."""
    step = Step.model_validate({"step": json.loads(body)}).step
    if isinstance(step, ReadFile):
        read_file(step.import_id)
    else:
        apply_chunk(step)


def _today(record: ImportRecord) -> date:
    """The import's own day in India: a row checked again later gives the same verdict."""
    return datetime.fromisoformat(record.created_at).astimezone(IST).date()


def _reject(record: ImportRecord, message: str, **fields: Any) -> None:
    store.update(
        record.import_id, status=Status.REJECTED.value, message=message, finished_at=_now(), **fields
    )
    logger.info("registry import rejected", extra={"import_id": record.import_id, "reason": message})


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _duplicate_keys(kind: Kind, row: Row) -> list[tuple[str, str]]:
    """(column field, value) pairs no two rows of one file may share."""
    keys = [(KEY_FIELDS[kind], str(getattr(row, KEY_FIELDS[kind])))]
    if isinstance(row, ProductRow):
        keys += [(column, value) for column in CHANNEL_COLUMNS if (value := getattr(row, column))]
        keys.append(("product_id", row.product_id or derived_product_id(row.sku)))
    return keys


def read_file(import_id: str) -> None:
    record = store.get(import_id)
    if record is None or record.status in {Status.REJECTED, Status.COMPLETED} or record.chunks_sent:
        return  # a redelivered step of a finished read
    store.update(import_id, status=Status.READING.value)
    if record.file_bytes > MAX_FILE_BYTES:
        _reject(record, f"the file is over {MAX_FILE_BYTES // 2**20} MB: split it (by district or block)")
        return
    content = aws.client("s3").get_object(Bucket=settings().UPLOADS_BUCKET, Key=record.key)["Body"].read()
    try:
        sheet = open_sheet(content, record.kind)
    except ImportRejected as rejected:
        _reject(record, str(rejected))
        return
    headers = sheet.headers
    described = {
        "kind": headers.kind.value,
        "file_format": sheet.file_format,
        "header_row": sheet.header_row,
        "columns": headers.headers,
        "ignored_columns": list(headers.ignored),
        "notes": sheet.notes,
    }
    if headers.missing:
        _reject(
            record,
            f"the file has no {', '.join(headers.missing)} column",
            missing_columns=list(headers.missing),
            **described,
        )
        return
    try:
        checked = _check_rows(headers, sheet.rows, _today(record))
    except ImportRejected as rejected:
        _reject(record, str(rejected), **described)
        return
    kept = store.add_notes(import_id, (("error", note) for note in checked.notes))
    chunks = list(_chunks(import_id, headers, checked.good))
    store.update(
        import_id,
        status=Status.APPLYING.value,
        rows=checked.rows,
        invalid=checked.invalid,
        errors_kept=kept,
        chunks_total=len(chunks),
        **described,
    )
    for message in chunks:
        _send(message.model_dump_json())
    store.update(import_id, chunks_sent=True)
    store.complete_if_done(import_id, _now())
    metrics.add_metric(name="RegistryRowsRead", unit=MetricUnit.Count, value=checked.rows)
    metrics.add_metric(name="RegistryRowsInvalid", unit=MetricUnit.Count, value=checked.invalid)
    logger.info(
        "registry import read", extra={"import_id": import_id, "rows": checked.rows, "chunks": len(chunks)}
    )


@dataclass
class Checked:
    """What the file checks leave of its rows: the good ones (only the cells of the columns Haat
    reads, in `HeaderMap.index_of` order), the first KEPT_NOTES notes, and counts of all."""

    good: list[tuple[int, list[str]]] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)
    rows: int = 0
    invalid: int = 0


def _check_rows(headers: HeaderMap, rows: Iterable[tuple[int, list[str]]], today: date) -> Checked:
    """Check each row as it is read (blank rows skipped): a file of MAX_ROWS bad rows, or of
    millions of one-letter rows, costs the same bounded memory. ImportRejected past MAX_ROWS."""
    kind = headers.kind
    checked = Checked()
    first_seen: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        checked.rows += 1
        if checked.rows > MAX_ROWS:
            raise ImportRejected(f"more than {MAX_ROWS:,} rows: split the file (by district or block)")
        row, errors = check(kind, line, cells, headers, today=today)
        if row is not None:
            for name, value in _duplicate_keys(kind, row):
                if (name, value) in first_seen:
                    column = headers.header(name)
                    reason = f"duplicate: row {first_seen[(name, value)]} has the same {column}"
                    errors.append(RowError(row=line, column=column, value=value, reason=reason))
            if not errors:
                first_seen.update(dict.fromkeys(_duplicate_keys(kind, row), line))
                checked.good.append((line, _read_cells(headers, cells)))
        if errors:
            checked.invalid += 1
            checked.notes.extend(errors[: max(0, KEPT_NOTES - len(checked.notes))])
    return checked


def _read_cells(headers: HeaderMap, cells: list[str]) -> list[str]:
    """A row's cells of the columns Haat reads, in `headers.index_of` order (what a chunk carries)."""
    return [cells[index] if index < len(cells) else "" for index in headers.index_of.values()]


def _chunks(import_id: str, headers: HeaderMap, rows: list[tuple[int, list[str]]]) -> Iterable[ApplyChunk]:
    """The checked rows as chunk messages, CHUNK_ROWS or CHUNK_BYTES at most."""
    index_of = {name: position for position, name in enumerate(headers.index_of)}
    batches: list[list[tuple[int, list[str]]]] = [[]]
    size = 0
    for line, kept in rows:
        length = sum(len(c.encode()) + 4 for c in kept) + 12
        if batches[-1] and (len(batches[-1]) == CHUNK_ROWS or size + length > CHUNK_BYTES):
            batches.append([])
            size = 0
        batches[-1].append((line, kept))
        size += length
    for number, batch in enumerate(b for b in batches if b):
        yield ApplyChunk(
            import_id=import_id,
            kind=headers.kind,
            chunk=number,
            index_of=index_of,
            headers=headers.headers,
            rows=batch,
        )


def in_scope_of(importer: Principal) -> tuple[InScope, str]:
    """(district, block, shg_id) -> may `importer` write there; and the importer's area in words."""

    def in_scope(district: str, block: str, shg_id: str) -> bool:
        return access.may(importer, "imports:registry", access.Resource.of(district, block, shg_id))

    return in_scope, access.scope_of(importer)


def apply_chunk(message: ApplyChunk) -> None:
    record = store.get(message.import_id)
    if record is None:
        return
    marker = store.chunk(message.import_id, message.chunk)
    if marker and marker.get("counted"):
        return
    headers = HeaderMap(
        layout=LAYOUTS[message.kind],
        index_of=message.index_of,
        headers=message.headers,
        missing=(),
        ignored=(),
        kind=message.kind,
    )
    today = _today(record)
    rows: list[tuple[int, Row]] = []
    for line, cells in message.rows:
        row, _ = check(message.kind, line, cells, headers, today=today)
        if row is not None:
            rows.append((line, row))
    view = read_view(message.kind, [row for _, row in rows])
    in_scope, words = in_scope_of(record.importer)
    context = Context(today=today, in_scope=in_scope, scope_words=words, headers=headers)
    outcomes = [plan(message.kind, line, row, view, context) for line, row in rows]
    counts = Counter(outcome.action.value for outcome in outcomes)
    notes = [("error", e) for o in outcomes for e in o.errors] + [
        ("warning", w) for o in outcomes for w in o.warnings
    ]
    room = max(0, KEPT_NOTES - record.errors_kept)
    planned = store.plan_chunk(
        message.import_id, message.chunk, {**counts, "errors_kept": min(room, len(notes))}
    )
    store.add_notes(message.import_id, notes[:room])
    write(outcomes, by=record.created_by, via=f"import {record.import_id}")
    store.count_chunk(message.import_id, message.chunk, planned)
    store.complete_if_done(message.import_id, _now())
    metrics.add_metric(name="RegistryRowsApplied", unit=MetricUnit.Count, value=len(rows))


# --- reading what rows refer to, writing what they change ---------------------------------


def _stored(model: type[SHG] | type[Member] | type[Product], item: dict[str, Any]) -> Stored:
    return Stored(repository.imported_of(item), repository.load(model, item))


def _brief_member(item: dict[str, Any]) -> Stored:
    """A member read as its key and `imported` only; the rest is read if her row changed."""
    key = {"pk": str(item["pk"]), "sk": str(item["sk"])}

    def load() -> Member:
        found = repository.read_item(key)
        assert found is not None
        return repository.load(Member, found)

    return Stored(repository.imported_of(item), load=load)


def _group_code(kind: Kind, row: Row) -> str:
    """The SHG or individual artisan a row is about or belongs to."""
    if isinstance(row, ProductRow):
        return row.group_code
    return str(getattr(row, "shg_code" if kind is Kind.MEMBERS else KEY_FIELDS[kind]))


def read_view(kind: Kind, rows: list[Row]) -> RegistryView:
    """Everything the rows refer to, in a few BatchGetItem rounds."""
    view = RegistryView()
    keys = [repository.shg_key(_group_code(kind, row)) for row in rows]
    if kind is Kind.MEMBERS:
        wanted = [(row.shg_code, row.member_code) for row in rows if isinstance(row, MemberRow)]
        for pair, item in repository.members_imported(wanted).items():
            view.members[pair] = _brief_member(item)
    if kind is Kind.ARTISANS:
        keys += [repository.member_key(row.artisan_code, row.artisan_code) for row in rows]  # type: ignore[attr-defined]
    if kind is Kind.PRODUCTS:
        for row in rows:
            assert isinstance(row, ProductRow)
            keys.append(repository.sku_key(row.sku))
            keys += [
                repository.sku_key(sku, channel.value)
                for column, channel in CHANNEL_COLUMNS.items()
                if (sku := getattr(row, column))
            ]
            keys += [repository.member_key(row.group_code, maker) for maker in row.makers or []]
    items = repository.read_items(keys)
    _fill(view, items.values())
    if kind is Kind.PRODUCTS:
        product_ids = {pointer.product_id for pointer in view.pointers.values()}
        for row in rows:
            assert isinstance(row, ProductRow)
            product_ids.add(row.product_id or derived_product_id(row.sku))
        _fill(view, repository.read_items(repository.product_key(pid) for pid in product_ids).values())
    return view


def _fill(view: RegistryView, items: Iterable[dict[str, Any]]) -> None:
    for item in items:
        entity = item.get("entity")
        if entity == "shg":
            view.groups[str(item["shg_id"])] = _stored(SHG, item)
        elif entity == "member":
            view.members[(str(item["shg_id"]), str(item["member_id"]))] = _stored(Member, item)
        elif entity == "product":
            view.products[str(item["product_id"])] = _stored(Product, item)
        elif entity == "sku":
            key = (repository.pointer_channel(item), repository.pointer_sku(item))
            view.pointers[key] = Pointer(str(item["product_id"]), str(item["shg_id"]))


def _key(model: SHG | Member | Product) -> dict[str, str]:
    if isinstance(model, SHG):
        return repository.shg_key(model.shg_id)
    if isinstance(model, Member):
        return repository.member_key(model.shg_id, model.member_id)
    return repository.product_key(model.product_id)


def _new_items(write: Write, meta: dict[str, Any]) -> list[dict[str, Any]]:
    model = write.model
    if isinstance(model, SHG):
        return [repository.shg_item(model, **meta)]
    if isinstance(model, Member):
        return [repository.member_item(model, **meta)]
    assert write.group is not None
    return [repository.product_item(model, **meta), *repository.pointer_items(model, write.group)]


def _entity(model: SHG | Member | Product) -> tuple[str, str]:
    if isinstance(model, SHG):
        return "SHG", model.shg_id
    if isinstance(model, Member):
        return "MEMBER", model.member_id
    return "PRODUCT", model.product_id


def _update_actions(write: Write, *, by: str, at: str, via: str) -> list[dict[str, Any]]:
    assert write.changed is not None
    model = write.model
    fields = {name: new for name, (_, new) in write.changed.items()}
    if isinstance(model, SHG) and "district" in fields:
        fields["gsi1pk"] = f"DISTRICT#{model.district}"
    actions = [
        repository.update_action(
            _key(model),
            {
                **fields,
                repository.IMPORTED: repository.imported_text(write.imported),
                "updated_at": at,
                "updated_by": by,
            },
        )
    ]
    if write.changed:
        entity, entity_id = _entity(model)
        actions.append(
            repository.history_action(
                entity, entity_id, write.changed, by=by, at=datetime.fromisoformat(at), via=via
            )
        )
    if isinstance(model, Product) and write.group is not None and write.pointers:
        actions += [repository.put_action(item) for item in repository.pointer_items(model, write.group)]
        actions += [
            repository.delete_action(repository.sku_key(sku, channel))
            for channel, sku in write.stale_pointers
        ]
    return actions


def write(outcomes: list[RowOutcome], *, by: str, via: str) -> None:
    """Each row's items all or nothing: one batch entry for a single new item, else a transaction."""
    at = _now()
    meta = {"created_at": at, "created_by": by}
    singles: list[dict[str, Any]] = []
    for outcome in outcomes:
        if outcome.action is Action.REJECTED or not outcome.writes:
            continue
        puts: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        for change in outcome.writes:
            if change.changed is None:
                puts += _new_items(
                    change, {**meta, repository.IMPORTED: repository.imported_text(change.imported)}
                )
            else:
                actions += _update_actions(change, by=by, at=at, via=via)
        if len(puts) == 1 and not actions:
            singles += puts
        else:
            _commit([*(repository.put_action(item) for item in puts), *actions])
    repository.put_items(singles)


def _commit(actions: list[dict[str, Any]]) -> None:
    for attempt in range(TRANSACTION_RETRIES):
        try:
            repository.commit(actions)
            return
        except TransactionCancelled as cancelled:  # an order took stock of the same product meanwhile
            if "TransactionConflict" not in cancelled.codes or attempt == TRANSACTION_RETRIES - 1:
                raise


# --- reports ------------------------------------------------------------------------------------


def report(import_id: str, limit: int = 1000) -> Report | None:
    record = store.get(import_id)
    if record is None:
        return None
    notes, more = store.notes(import_id, limit)
    return Report(
        record=record,
        errors=[note for level, note in notes if level == "error"],
        warnings=[note for level, note in notes if level == "warning"],
        more=more,
    )


def report_csv(import_id: str) -> bytes:
    """Every kept note as CSV (UTF-8 with BOM, so Excel shows Hindi and Urdu), row order; cells go
    through chalicelib/csvfile.py, so a sheet's `=...` comes back as text, never as a formula."""
    notes, _ = store.notes(import_id, KEPT_NOTES * 2)
    rows = ([note.row, note.column, note.value, note.reason, level] for level, note in notes)
    return codecs.BOM_UTF8 + csv_bytes(["row", "column", "value", "reason", "level"], rows)


def recent(limit: int = 50) -> list[ImportRecord]:
    records = [store.get(import_id) for import_id in store.recent(limit)]
    return [record for record in records if record is not None]
