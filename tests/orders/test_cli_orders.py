"""`orders send` (= `make orders FILE=`), run as mission IT runs it (a private local stack), on a
file that has every kind of line a real day brings: good lines of all five channels, a re-send,
bytes that are not UTF-8, a line cut short, half an emoji, prices that are not prices, a price
with too many zeros, an unknown channel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from haat_tools.cli import main
from haat_tools.local.stack import PROJECT_DIR
from tests.orders import payloads

SAMPLE = PROJECT_DIR / "events/orders/operator_sample.jsonl"
LATIN1_E_UMLAUT = "ë".encode("latin-1")


def _line(channel: str, payload: Any) -> bytes:
    return json.dumps({"channel": channel, "payload": payload}).encode()


def _bill(number: int, unit_price: str, *, buyer: str = "", sku: str = "BLA-CRW-CUSH-01") -> dict[str, Any]:
    return payloads.haat(
        f"CLI-{number}",
        f"cli-{number}",
        "placed",
        "2026-11-20T12:00:00+05:30",
        [(sku, 1, unit_price)],
        buyer=buyer,
    )


def test_orders_send_reports_every_line_and_fails_when_any_line_failed(tmp_path: Path) -> None:
    latin1 = _line("haat", _bill(1, "1600.00", buyer="Zoë")).replace(b"Zo\\u00eb", b"Zo" + LATIN1_E_UMLAUT)
    amazon = payloads.amazon(
        "408-CLI-1", "cli-n1", "Unshipped", "2026-11-20T06:00:00Z", [("AMZ-BLA-CRW-CUSH-01", 1)]
    )
    too_many = payloads.amazon(
        "408-CLI-2", "cli-n2", "Unshipped", "2026-11-20T06:00:00Z", [("AMZ-BLA-CRW-CUSH-01", 1)]
    )
    too_many["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"][0]["Quantity"] = 1e40
    extra = [
        latin1,  # 11: not UTF-8
        _line("haat", _bill(2, "1600.00"))[:-40],  # 12: cut short
        _line("haat", _bill(3, "1600.00", buyer="Zoya \ud83d")),  # 13: half an emoji in the buyer's name
        _line("haat", _bill(4, "1e40")),  # 14
        _line("haat", _bill(5, "NaN")),  # 15
        _line("haat", _bill(6, "-4200.00")),  # 16
        _line("haat", _bill(7, "9999999999.00", sku="SGR-SOZ-STOLE-01")),  # 17: Rs 9,99,99,99,999 a stole
        _line(
            "flipkart",
            payloads.flipkart(
                "ODCLI1",
                "APPROVED",
                "2026-11-20T09:00:00+05:30",
                "2026-11-20T08:55:00+05:30",
                [("FK-BLA-CRW-CUSH-01", 2, 1600)],
            ),
        ),  # 18
        _line(
            "meesho",
            payloads.meesho(
                "cli-import",
                "2026-11-20T10:00:00+05:30",
                [
                    payloads.meesho_row(
                        "PENDING", "CLI1_1", "2026-11-20", "MS-BLA-CRW-CUSH-01", 1, rupees=1550
                    )
                ],
            ),
        ),  # 19
        _line("amazon", amazon),  # 20
        _line("amazon", too_many),  # 21: 1e40 pieces
        _line("haat", _bill(3, "1600.00", buyer="Zoya \ud83d")),  # 22: line 13 again
    ]
    path = tmp_path / "day.jsonl"
    path.write_bytes(SAMPLE.read_bytes().rstrip(b"\n") + b"\n" + b"\r\n".join(extra) + b"\n\n")

    result = CliRunner().invoke(main, ["orders", "send", str(path)])

    assert result.exit_code == 1, result.output
    reports = [json.loads(line) for line in result.output.splitlines() if line.startswith('{"line"')]
    assert [(r["line"], r["outcome"]) for r in reports] == [
        *((n, "recorded") for n in range(1, 5)),
        (5, "duplicate"),
        (6, "recorded"),
        (7, "recorded"),
        (8, "quarantined"),
        (9, "quarantined"),
        (10, "refused"),
        (11, "refused"),
        (12, "refused"),
        (13, "recorded"),
        (14, "quarantined"),
        (15, "quarantined"),
        (16, "quarantined"),
        (17, "quarantined"),
        (18, "recorded"),
        (19, "recorded"),
        (20, "recorded"),
        (21, "quarantined"),
        (22, "duplicate"),
    ]
    reason = {r["line"]: r["reason"] for r in reports}
    assert reason[8] == "unknown SKU 'NO-SUCH-SKU' on channel haat"
    assert reason[10].startswith("unknown channel 'ebay'")
    assert reason[11] == f"not UTF-8: byte 0xeb at byte {latin1.index(LATIN1_E_UMLAUT) + 1}"
    assert reason[12].startswith("not a JSON line: ")
    assert reason[14] == "amount beyond any order: '1e40'"
    assert reason[15] == "not a finite amount: 'NaN'"
    assert reason[16] == "negative amount: '-4200.00'"
    assert reason[17] == (
        "line 1 (SGR-SOZ-STOLE-01): Rs 9,99,99,99,999 a piece, above ORDER_MAX_UNIT_PRICE_RUPEES Rs 10,00,000"
    )
    assert reason[21].endswith("at Payload.OrderChangeNotification.Summary.OrderItems.0.Quantity")
    by_line = {r["line"]: r for r in reports}
    assert by_line[18]["order"] == "flipkart/ODCLI1"
    assert by_line[19]["order"] == "meesho/CLI1_1"
    assert by_line[13]["notifications"][0]["state"] == "sent"
    summary = json.loads(result.output.splitlines()[-1])
    assert summary == {
        "lines": 22,
        "duplicate": 2,
        "quarantined": 7,
        "recorded": 10,
        "refused": 3,
        "failed": 10,
    }
