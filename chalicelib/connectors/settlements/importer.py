"""Import a channel's settlement report: validate every row, send one payout event per order and
settlement to the order-events queue (the same path as every order event and the Meesho export),
keep the result.

Each order is read once at import time, so the result says at once which settlements are new
(`to_apply`), already applied (nothing sent), or waiting for an order Haat has not seen yet (sent,
and parked by the orders service until the order arrives). The payout event's id is derived from
channel, order and settlement reference, and the order record keeps the references it has applied,
so re-importing a report (or a second report that repeats a remittance) applies nothing twice, even
when two imports race. A mission admin may settle any order; a coordinator's import is checked
order by order against her area, and an order outside it (or one Haat cannot place yet) is refused
on its rows with the reason while the rest go on.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field, ValidationError

from chalicelib import access, imports, ops
from chalicelib.auth import Principal
from chalicelib.calendar import IST
from chalicelib.connectors import queue
from chalicelib.connectors.adapters import settlement as settlement_adapter
from chalicelib.connectors.adapters.settlement import SettlementMessage
from chalicelib.connectors.settlements import formats
from chalicelib.connectors.settlements.formats import Report
from chalicelib.imports import ImportRejected, RowError, response_body
from chalicelib.imports.sheets import open_table
from chalicelib.imports.values import calendar_date, signed_paise
from chalicelib.observability import logger, metrics
from chalicelib.orders import repository
from chalicelib.orders.api import order_resource
from chalicelib.orders.models import EventKind, OrderEvent, OrderRecord, Settlement
from chalicelib.registry.models import Channel

UPLOAD_PREFIX = "imports/settlements/"
MAX_ORDER_ID = 80
MAX_REFERENCE = 120
CHUNK_BYTES = 60 * 1024  # about 100 payouts a message
MAX_FILE_BYTES = 20 * 1024 * 1024  # a year of a district's settlements is a few MB


class SettlementImportResult(imports.ImportResult):
    format: str
    skipped: int = Field(
        default=0, description="rows that settle no order (Amazon's summary and non-order lines)"
    )
    settlements: int = Field(default=0, description="one per order and settlement reference")
    to_apply: int = Field(default=0, description="new: sent to be applied to their orders")
    already_applied: int = Field(default=0, description="the order has this settlement: nothing sent")
    awaiting_order: int = Field(default=0, description="sent, and kept until the order arrives")
    refused: int = Field(default=0, description="settlements of orders outside the importer's area")
    net_paise: int = Field(default=0, description="the net of the settlements sent")
    enqueued_messages: int = 0


@dataclass
class _Draft:
    """One order's figures in one settlement, summed over the report's rows."""

    channel: Channel
    order_id: str
    reference: str
    settled_on: date
    rows: list[int] = field(default_factory=list)
    amounts: Counter[str] = field(default_factory=Counter)
    net: int | None = None  # None: the sum of the amounts (Amazon)

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel.value, self.order_id)

    def settlement(self) -> Settlement:
        return Settlement(
            reference=self.reference,
            settled_on=self.settled_on,
            gross_paise=self.amounts["gross"],
            commission_paise=abs(self.amounts["commission"]),
            shipping_paise=abs(self.amounts["shipping"]),
            tcs_paise=abs(self.amounts["tcs"]),
            tds_paise=abs(self.amounts["tds"]),
            net_paise=self.net if self.net is not None else sum(self.amounts.values()),
        )


class _RowProblem(ValueError):
    """A cell of a row that cannot be read: which field, and why."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value = field, value


def _amount(cells: dict[str, str], name: str) -> int:
    try:
        return signed_paise(cells.get(name, ""))
    except ValueError as error:
        raise _RowProblem(name, cells.get(name, ""), str(error)) from None


def _date(cells: dict[str, str], name: str) -> date:
    try:
        return calendar_date(cells.get(name, ""))
    except ValueError as error:
        raise _RowProblem(name, cells.get(name, ""), str(error)) from None


def _id(cells: dict[str, str], name: str) -> str:
    text = cells.get(name, "")
    value = text.strip()
    if not value:
        raise _RowProblem(name, text, "empty")
    limit = MAX_REFERENCE if name == "reference" else MAX_ORDER_ID
    if len(value) > limit or any(c.isspace() for c in value):
        raise _RowProblem(name, text, f"not an id (no spaces, at most {limit} characters)")
    return value


def _each_row(
    report: Report,
    content: bytes,
    result: SettlementImportResult,
    read: Callable[[int, dict[str, str]], bool],
) -> None:
    """`read` each non-blank row (True: it settles an order); a row it cannot read is listed with
    the column and the reason. Nothing is read if the header lacks a required column."""
    sheet = open_table(content, report.layout)
    result.notes = sheet.notes
    result.missing_columns = list(sheet.headers.missing)
    if result.missing_columns:
        return
    for line, cells in sheet.rows:
        if not any(cell.strip() for cell in cells):
            continue
        result.rows += 1
        try:
            settles = read(line, sheet.headers.cells(cells))
        except _RowProblem as problem:
            result.invalid += 1
            column = sheet.headers.header(problem.field)
            result.add_errors(
                [RowError(row=line, column=column, value=problem.value[:80], reason=str(problem))]
            )
            continue
        if settles:
            result.valid += 1
        else:
            result.skipped += 1


def _channel(report: Report, cells: dict[str, str]) -> Channel:
    if report.channel is not None:
        return report.channel
    text = cells["channel"].strip().lower()
    try:
        channel = Channel(text)
    except ValueError:
        raise _RowProblem("channel", text, "not a channel (ondc or haat)") from None
    if channel not in formats.GENERIC_CHANNELS:
        raise _RowProblem("channel", text, f"{channel} has its own report; this file is for ondc and haat")
    return channel


def _wide(report: Report, content: bytes, result: SettlementImportResult) -> list[_Draft]:
    drafts: list[_Draft] = []

    def read(line: int, cells: dict[str, str]) -> bool:
        draft = _Draft(
            channel=_channel(report, cells),
            order_id=_id(cells, "order_id"),
            reference=_id(cells, "reference"),
            settled_on=_date(cells, "settled_on"),
            rows=[line],
            net=_amount(cells, "net"),
        )
        draft.amounts.update({name: _amount(cells, name) for name in formats.AMOUNTS if name in cells})
        drafts.append(draft)
        return True

    _each_row(report, content, result, read)
    return drafts


def _amazon(content: bytes, result: SettlementImportResult) -> list[_Draft]:
    """Amazon's rows summed per order and settlement id; the settlement's summary row (no order id)
    gives the deposit date, and rows of no order (subscription, service fees) are skipped."""
    drafts: dict[tuple[str, str], _Draft] = {}
    deposit: dict[str, date] = {}

    def read(line: int, cells: dict[str, str]) -> bool:
        reference = _id(cells, "reference")
        if cells.get("settled_on", "").strip():
            deposit.setdefault(reference, _date(cells, "settled_on"))
        if not cells["order_id"].strip():
            return False
        order_id, amount = _id(cells, "order_id"), _amount(cells, "amount")
        settled_on = deposit.get(reference) or _date(cells, "posted_date")
        draft = drafts.setdefault(
            (order_id, reference),
            _Draft(channel=Channel.AMAZON, order_id=order_id, reference=reference, settled_on=settled_on),
        )
        draft.rows.append(line)
        bucket = formats.amazon_bucket(cells["amount_type"].strip(), cells["amount_description"].strip())
        draft.amounts[bucket] += amount
        return True

    _each_row(formats.AMAZON, content, result, read)
    return list(drafts.values())


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """Rows of one order in one settlement (several items, a fee on its own row) become one payout."""
    merged: dict[tuple[Channel, str, str], _Draft] = {}
    for draft in drafts:
        kept = merged.setdefault((draft.channel, draft.order_id, draft.reference), draft)
        if kept is draft:
            continue
        kept.rows += draft.rows
        kept.amounts.update(draft.amounts)
        if draft.net is not None:
            kept.net = (kept.net or 0) + draft.net
    return list(merged.values())


def _refusal(importer: Principal, record: OrderRecord | None, draft: _Draft) -> str | None:
    """Why `importer` may not settle this order (None: she may)."""
    if access.may(importer, "settlements:import", access.MISSION):
        return None
    if record is None:
        return (
            f"order {draft.order_id} is not in Haat yet, so its area is unknown: "
            "a mission admin can import it to wait for the order"
        )
    if not access.may(importer, "settlements:import", order_resource(record.model_dump(mode="json"))):
        return f"order {draft.order_id} is outside your area ({access.scope_of(importer)})"
    return None


def _refuse(result: SettlementImportResult, draft: _Draft, reason: str) -> None:
    result.refused += 1
    result.add_errors(
        RowError(row=line, column="(row)", value=draft.order_id, reason=reason) for line in draft.rows
    )


def payout_event(draft: _Draft, settlement: Settlement) -> OrderEvent:
    return OrderEvent(
        event_id=f"settlement#{draft.channel.value}#{draft.order_id}#{draft.reference}",
        channel=draft.channel,
        channel_order_id=draft.order_id,
        kind=EventKind.PAYOUT,
        event_time=datetime.combine(draft.settled_on, time(12), tzinfo=IST).astimezone(UTC),
        settlement=settlement,  # carries the net and the fees (a refund's net may be negative)
    )


def _payouts(drafts: list[_Draft], importer: Principal, result: SettlementImportResult) -> list[OrderEvent]:
    """The payout events to send: each order read once (BatchGetItem) to say, before anything is
    sent, which settlements are new, already applied, or waiting for their order - and, for a
    coordinator, which orders are outside her area."""
    known = repository.records([d.key for d in drafts])
    events = []
    for draft in drafts:
        record = known.get(draft.key)
        if reason := _refusal(importer, record, draft):
            _refuse(result, draft, reason)
            continue
        try:
            settlement = draft.settlement()
        except ValidationError:
            _refuse(
                result, draft, "the amounts of this order add up past what Haat can hold: check the columns"
            )
            continue
        result.settlements += 1
        if record is not None and any(s.reference == draft.reference for s in record.settlements):
            result.already_applied += 1
            continue
        if record is None:
            result.awaiting_order += 1
        else:
            result.to_apply += 1
        result.net_paise += settlement.net_paise
        events.append(payout_event(draft, settlement))
    return events


def _send(events: list[OrderEvent], result: SettlementImportResult) -> None:
    """Onto the order-events queue in chunks; the consumer applies each exactly once."""
    chunks = queue.chunked(events, lambda event: len(event.model_dump_json()), CHUNK_BYTES)
    messages = [
        SettlementMessage(import_id=result.import_id, events=chunk).model_dump(mode="json")
        for chunk in chunks
    ]
    result.enqueued_messages = len(queue.send_payloads(settlement_adapter.CHANNEL, messages))


def import_settlements(
    content: bytes, *, report: str, source: str, importer: Principal
) -> SettlementImportResult:
    """Validate the report, apply each order's payout once, record the result."""
    if report not in formats.REPORTS:
        raise ImportRejected(f"unknown report {report!r}: one of {', '.join(formats.FORMATS)}")
    access.require(importer, "settlements:import")
    result = SettlementImportResult(
        import_id=uuid.uuid4().hex,
        format=report,
        imported_at=datetime.now(UTC),
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_bytes=len(content),
    )
    layout = formats.REPORTS[report]
    drafts = _amazon(content, result) if layout.long else _wide(layout, content, result)
    _send(_payouts(_merge(drafts), importer, result), result)
    metrics.add_metric(name="SettlementsToApply", unit=MetricUnit.Count, value=result.to_apply)
    metrics.add_metric(
        name="SettlementRowsRejected", unit=MetricUnit.Count, value=result.invalid + result.refused
    )
    logger.info(
        "settlement import",
        extra={
            "import_id": result.import_id,
            "format": report,
            "rows": result.rows,
            "to_apply": result.to_apply,
        },
    )
    record = response_body(result)
    ops.record_import(
        f"settlement-{report}",
        record["imported_at"],
        result.import_id,
        {"source": source, "imported_by": importer.subject, **record},
    )
    return result


def read_uploaded(key: str) -> bytes:
    return imports.read_uploaded(key, UPLOAD_PREFIX, MAX_FILE_BYTES)


def upload_target(report: str) -> dict[str, str]:
    return imports.upload_target(UPLOAD_PREFIX, f"{report}-settlement")
