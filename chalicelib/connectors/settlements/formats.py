"""Column layouts of the settlement reports sellers download, and which settlement figure each
amount adds to. Plain data and functions, no AWS.

Two shapes exist: "wide" reports (Flipkart, Meesho, Haat's generic CSV) give one row per order item
with the amounts in columns; Amazon's flat file V2 is "long": one row per amount (Principal,
Commission, TCS-IGST...) of an order. Which columns are confirmed from published material and which
are assumed is in the README (Settlements). Headers are matched as every import matches them
(`chalicelib.imports.columns`), on any sheet of a workbook, under a title of up to nine rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.imports.columns import Column, Layout
from chalicelib.registry.models import Channel

AMOUNTS = ("gross", "commission", "shipping", "tcs", "tds")


@dataclass(frozen=True)
class Report:
    name: str
    channel: Channel | None  # None: each row names its channel (the generic CSV)
    layout: Layout
    long: bool = False  # one row per amount (Amazon), summed per order and settlement


FLIPKART = Report(
    "flipkart",
    Channel.FLIPKART,
    Layout(
        (
            Column("order_id", "Order ID", required=True),
            Column("reference", "NEFT ID", ("UTR", "UTR Number", "Payment Reference"), required=True),
            Column("settled_on", "Settlement Date", ("Payment Date", "NEFT Date"), required=True),
            # per order item; "Bank Settlement Value (Rs.)" is the whole NEFT's, repeated on each row
            Column("net", "Settlement Value (Rs.)", ("Settlement Value",), required=True),
            Column("gross", "Sale Amount (Rs.)", ("Sale Amount", "Order Item Value (Rs.)")),
            Column("commission", "Commission (Rs.)", ("Commission",)),
            Column("shipping", "Shipping Fee (Rs.)", ("Shipping Fee",)),
            Column("tcs", "TCS (Rs.)", ("TCS",)),
            Column("tds", "TDS (Rs.)", ("TDS",)),
        )
    ),
)
MEESHO = Report(
    "meesho",
    Channel.MEESHO,
    Layout(
        (
            Column("order_id", "Sub Order No", ("Sub Order Number", "Suborder ID"), required=True),
            Column("reference", "Transaction ID", ("UTR", "Payment Reference"), required=True),
            Column("settled_on", "Payment Date", ("Settlement Date",), required=True),
            Column("net", "Final Settlement Amount", ("Settlement Amount",), required=True),
            Column("gross", "Total Sale Amount (Incl. Shipping & GST)", ("Total Sale Amount",)),
            Column("commission", "Meesho Commission (Incl. GST)", ("Meesho Commission",)),
            Column("shipping", "Shipping Charge (Incl. GST)", ("Shipping Charges", "Shipping Charge")),
            Column("tcs", "TCS"),
            Column("tds", "TDS"),
        )
    ),
)
GENERIC = Report(
    "generic",
    None,
    Layout(
        (
            Column("channel", "channel", required=True),
            Column("order_id", "order_id", required=True),
            Column("reference", "reference", ("utr",), required=True),
            Column("settled_on", "settlement_date", required=True),
            Column("net", "net", required=True),
            Column("gross", "gross"),
            Column("commission", "commission"),
            Column("shipping", "shipping"),
            Column("tcs", "tcs"),
            Column("tds", "tds"),
        )
    ),
)
# Amazon settlement report V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2), tab-separated.
AMAZON = Report(
    "amazon",
    Channel.AMAZON,
    Layout(
        (
            Column("reference", "settlement-id", required=True),
            Column("settled_on", "deposit-date"),
            Column("transaction_type", "transaction-type"),
            Column("order_id", "order-id", required=True),
            Column("amount_type", "amount-type", required=True),
            Column("amount_description", "amount-description", required=True),
            Column("amount", "amount", required=True),
            Column("posted_date", "posted-date"),
        )
    ),
    long=True,
)

REPORTS: dict[str, Report] = {r.name: r for r in (FLIPKART, MEESHO, AMAZON, GENERIC)}
FORMATS = tuple(REPORTS)
GENERIC_CHANNELS = frozenset({Channel.ONDC, Channel.HAAT})


def amazon_bucket(amount_type: str, description: str) -> str:
    """Which settlement figure an Amazon amount row adds to (the rest adds to the net only)."""
    text = f"{amount_type} {description}".lower()
    if "tcs" in text:
        return "tcs"
    if "tds" in text:
        return "tds"
    if amount_type == "ItemPrice":
        return "gross"
    if "commission" in text or "closing fee" in text or "fixed" in text:
        return "commission"
    if "shipping" in text or "fba" in text or "weight" in text or "pick" in text:
        return "shipping"
    return "other"
