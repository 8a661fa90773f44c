"""Entry points app.py wires: the scheduled poller and the Meesho import route."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.connectors.poller import poll_flipkart
from chalicelib.ops import record_run


def poll_channels(raw_event: dict[str, Any]) -> dict[str, Any]:
    """Poll every pull channel once; the outcome is kept as a RUN#poll_channels record."""
    fired_at = datetime.fromisoformat(str(raw_event.get("time") or datetime.now(UTC).isoformat()))
    report = poll_flipkart(fired_at)
    outcome = {
        "flipkart": [account.model_dump(mode="json", exclude={"searches"}) for account in report.accounts],
        "failed_accounts": report.failed,
    }
    record_run("poll_channels", fired_at, outcome)
    return outcome
