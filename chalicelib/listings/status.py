"""A channel's listing status report (Meesho's catalogue QC file, Flipkart's listing status file,
Amazon's feed processing summary saved as a sheet, a coordinator's own list): one row per SKU with
what the channel decided. Read as every import reads files (`chalicelib/imports/sheets.py`)."""

from __future__ import annotations

from chalicelib.catalogue.models import ListingState
from chalicelib.imports import ImportRejected, RowError
from chalicelib.imports.columns import Column, Layout
from chalicelib.imports.sheets import open_table
from chalicelib.listings.service import MarkResult, StatusUpdate
from chalicelib.text import fold

MAX_ROWS = 20_000

LAYOUT = Layout(
    (
        Column(
            "sku",
            "SKU",
            ("Seller SKU ID", "Seller SKU", "SKU ID", "Style ID", "Product ID / Style ID", "Item ID"),
            required=True,
        ),
        Column("status", "Status", ("QC Status", "Listing Status", "Catalog Status", "State"), required=True),
        Column("reason", "Reason", ("Rejection Reason", "QC Reason", "Error Message", "Errors", "Remarks")),
        Column("listing_id", "Listing ID", ("Catalog ID", "FSN", "ASIN", "Listing Id")),
    )
)
# What the channels' reports say, folded (case, spaces and punctuation do not matter).
LIVE_WORDS = frozenset(
    fold(w) for w in ("live", "active", "approved", "QC passed", "QC pass", "listed", "published")
)
REJECTED_WORDS = frozenset(
    fold(w)
    for w in ("rejected", "QC failed", "QC fail", "QC rejected", "failed", "error", "blocked", "disapproved")
)


def _state(text: str) -> ListingState:
    word = fold(text)
    if word in LIVE_WORDS:
        return ListingState.LIVE
    if word in REJECTED_WORDS:
        return ListingState.REJECTED
    raise ValueError(f"status {text[:40]!r} not understood: live (active, approved, QC passed) or rejected")


def read(content: bytes, result: MarkResult) -> list[StatusUpdate]:
    """The report's updates; a row that cannot be read is listed in `result` and the rest go on.
    ImportRejected when the file has no SKU and status columns at all."""
    sheet = open_table(content, LAYOUT)
    if sheet.headers.missing:
        raise ImportRejected(f"the file has no {', '.join(sheet.headers.missing)} column", 422)
    updates: list[StatusUpdate] = []
    for line, cells in sheet.rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(updates) + len(result.errors) >= MAX_ROWS:
            raise ImportRejected(f"more than {MAX_ROWS:,} rows: split the report", 413)
        row = sheet.headers.cells(cells)
        try:
            state = _state(row["status"])
        except ValueError as error:
            result.rows += 1
            result.errors.append(
                RowError(
                    row=line,
                    column=sheet.headers.header("status"),
                    value=row["status"][:80],
                    reason=str(error),
                )
            )
            continue
        sku = row["sku"].strip()
        if not sku or len(sku) > 120:
            result.rows += 1
            result.errors.append(
                RowError(row=line, column=sheet.headers.header("sku"), value=sku[:80], reason="not a SKU")
            )
            continue
        updates.append(
            StatusUpdate(
                row=line,
                sku=sku,
                state=state,
                listing_id=row.get("listing_id", "").strip()[:120],
                reason=" ".join(row.get("reason", "").split())[:500],
            )
        )
    return updates
