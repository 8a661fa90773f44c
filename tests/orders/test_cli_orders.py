"""`orders send`, run as mission IT runs them (a private local stack)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from haat_tools.cli import main
from haat_tools.local.stack import PROJECT_DIR


def test_orders_send_prints_one_outcome_per_event() -> None:
    lines = (PROJECT_DIR / "events/orders/operator_sample.jsonl").read_text().splitlines()
    result = CliRunner().invoke(
        main, ["orders", "send", str(PROJECT_DIR / "events/orders/operator_sample.jsonl")]
    )
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith('{"line"')]
    assert len(reports) == len(lines)
    outcomes = [(r["line"], r["outcome"]) for r in reports]
    assert outcomes == [
        (1, "recorded"),
        (2, "recorded"),
        (3, "recorded"),
        (4, "recorded"),
        (5, "duplicate"),
        (6, "recorded"),
        (7, "recorded"),
        (8, "quarantined"),
        (9, "quarantined"),
        (10, "rejected"),
    ]
    languages = {n["language"] for r in reports for n in r.get("notifications", [])}
    assert languages == {"en", "hi", "ur"}
    assert reports[9]["http_status"] == 404
    assert reports[7]["reason"] == "unknown SKU 'NO-SUCH-SKU' on channel haat"
