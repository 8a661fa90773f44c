"""The digest as one self-contained HTML page a mission officer can open on a phone.

Plain string building with html.escape: one fixed page does not earn a template engine in the
Lambda bundle, and charts are inline SVG bars, so the page needs no script, font or network.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from chalicelib.reports.digest import Digest, Row

ROW_HEIGHT = 34
CHART_WIDTH = 360

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px;color:#1d2330;
background:#f6f4ef;max-width:720px;margin-inline:auto;font-size:15px;line-height:1.4}
h1{font-size:20px;margin:4px 0 2px}h2{font-size:17px;margin:22px 0 6px;color:#7a2e10}
.sub{color:#5b6270;font-size:13px;margin:0 0 12px}
.tiles{display:grid;grid-template-columns:repeat(2,1fr);gap:8px}
.tile{background:#fff;border-radius:10px;padding:10px;box-shadow:0 1px 2px #0002}
.tile b{display:block;font-size:20px}.tile span{font-size:12px;color:#5b6270}
svg{width:100%;height:auto;background:#fff;border-radius:10px;box-shadow:0 1px 2px #0002}
svg text{font-size:12px;fill:#1d2330}
.scroll{overflow-x:auto;background:#fff;border-radius:10px;box-shadow:0 1px 2px #0002}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:5px 7px;text-align:right;
white-space:nowrap;border-bottom:1px solid #eee}th:first-child,td:first-child{text-align:left}
th{background:#efe9dd}details{margin-top:8px}summary{font-weight:600;cursor:pointer;padding:6px 0}
.none{color:#5b6270;font-style:italic}
.revised{background:#fff4d6;border-left:4px solid #e0a030;padding:8px 10px;border-radius:6px}
"""


def rupees(paise: int) -> str:
    """Indian digit grouping (Rs 1,00,000), whole rupees."""
    sign, rupee = ("-" if paise < 0 else ""), abs(paise) // 100
    digits = str(rupee)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        digits = ",".join([head, *groups, tail]) if head else ",".join([*groups, tail])
    return f"{sign}₹{digits}"


def _fit(label: str, caption: str) -> str:
    """The label cut (with an ellipsis) where it would run into the caption on the same line."""
    room = max(10, int((CHART_WIDTH - 28 - 6.5 * len(caption)) / 7))
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def bar_chart(
    title: str, bars: Sequence[tuple[str, float, str]], color: str, *, empty: str, target: float = 0
) -> str:
    """Horizontal bars (label, value, caption), label and caption above each full-width bar, scaled
    to the largest value (or to `target`, drawn as a dashed line, e.g. the Lakhpati threshold)."""
    if not bars:
        return f'<p class="none">{escape(empty)}</p>'
    scale = max([target, *(value for _, value, _ in bars)]) or 1
    width = CHART_WIDTH - 16
    height = ROW_HEIGHT * len(bars) + 8
    parts = [f'<svg viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{escape(title)}">']
    for index, (label, value, caption) in enumerate(bars):
        y = 4 + index * ROW_HEIGHT
        length = max(2.0, width * value / scale) if value > 0 else 0
        parts.append(
            f'<text x="8" y="{y + 13}">{escape(_fit(label, caption))}</text>'
            f'<text x="{CHART_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(caption)}</text>'
            f'<rect x="8" y="{y + 17}" width="{width:.1f}" height="11" rx="3" fill="#eee9df"/>'
            f'<rect x="8" y="{y + 17}" width="{length:.1f}" height="11" rx="3" fill="{color}"/>'
        )
        if target:  # a tick through each bar where the target lies
            x = 8 + width * target / scale
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 15}" x2="{x:.1f}" y2="{y + 30}" '
                'stroke="#7a2e10" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _rows(digest: Digest, period: str, dimension: str) -> list[Row]:
    return [r for r in digest.rows if r.period == period and r.dimension == dimension]


def _table(rows: Sequence[Row]) -> str:
    if not rows:
        return '<p class="none">No activity.</p>'
    head = [
        "",
        "Orders",
        "Units",
        "GMV",
        "Cancelled",
        "Returns",
        "SLA breaches",
        "New listings",
        "Photos rejected",
    ]
    body = []
    for row in rows:
        c = row.counters
        checked = c["photos_checked"]
        rejected = f"{100 * c['photos_rejected'] / checked:.0f}% of {checked}" if checked else "-"
        cells = [
            row.key,
            c["orders"],
            c["units"],
            rupees(c["gmv_paise"]),
            c["cancellations"],
            c["returns"],
            c["sla_breaches"],
            c["new_listings"],
            rejected,
        ]
        body.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in cells) + "</tr>")
    header = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
    return f'<div class="scroll"><table>{header}{"".join(body)}</table></div>'


def _list_table(head: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="none">{escape(empty)}</p>'
    header = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table>{header}{body}</table></div>'


def _rollup_table(figures: dict[str, dict[str, int]], empty: str) -> str:
    """Channel or outlet figures: sales, losses, SLA and money in and out."""
    rows = [
        [
            name,
            str(f["orders"]),
            rupees(f["gmv_paise"]),
            str(f["cancellations"]),
            str(f["returns"]),
            str(f["sla_breaches"]),
            rupees(f["expected_fee_paise"]),
            rupees(f["payout_paise"]),
            rupees(f["channel_fee_paise"]),
        ]
        for name, f in figures.items()
    ]
    head = [
        "",
        "Orders",
        "GMV",
        "Cancelled",
        "Returns",
        "SLA breaches",
        "Expected fee",
        "Paid out",
        "Fee kept",
    ]
    return _list_table(head, rows, empty)


def _revision_note(digest: Digest) -> str:
    """Revision 2 and later: the day's figures changed after its first digest (late records)."""
    if digest.revision <= 1:
        return ""
    before = digest.previous_totals or {}
    districts = _rows(digest, "day", "district")
    now = {name: sum(r.counters[name] for r in districts) for name in ("orders", "gmv_paise")}
    return (
        f"<p class='revised'><b>Revision {digest.revision}</b>: records for this day arrived after its "
        f"earlier digest. Orders {before.get('orders', 0)} &rarr; {now['orders']}, GMV "
        f"{escape(rupees(before.get('gmv_paise', 0)))} &rarr; {escape(rupees(now['gmv_paise']))}.</p>"
    )


def render(digest: Digest) -> bytes:
    day_districts = {r.key: r for r in _rows(digest, "day", "district")}
    mtd_districts = _rows(digest, "mtd", "district")
    total = {
        period: {
            name: sum(r.counters[name] for r in _rows(digest, period, "district"))
            for name in ("orders", "gmv_paise", "sla_breaches")
        }
        for period in ("day", "mtd")
    }
    tiles = [
        (str(total["day"]["orders"]), "orders yesterday"),
        (rupees(total["day"]["gmv_paise"]), "GMV yesterday"),
        (rupees(total["mtd"]["gmv_paise"]), "GMV month to date"),
        (str(total["mtd"]["sla_breaches"]), "late dispatches this month"),
        (str(len(digest.lakhpati)), "Lakhpati Didis"),
        (str(len(digest.approaching)), f"above {digest.near_percent}% of {rupees(digest.threshold_paise)}"),
    ]
    gmv_bars = [
        (
            r.key,
            r.counters["gmv_paise"],
            f"{rupees(r.counters['gmv_paise'])} (+{rupees(day_districts[r.key].counters['gmv_paise'])})"
            if r.key in day_districts
            else rupees(r.counters["gmv_paise"]),
        )
        for r in sorted(mtd_districts, key=lambda r: (-r.counters["gmv_paise"], r.key))
    ]
    sla_bars = [
        (r.key, r.counters["sla_breaches"], f"{r.counters['sla_breaches']} of {r.counters['orders']} orders")
        for r in sorted(mtd_districts, key=lambda r: (-r.counters["sla_breaches"], r.key))
        if r.counters["sla_breaches"]
    ]
    people = [*digest.lakhpati, *digest.approaching]
    lakhpati_bars = [
        (
            f"{m.member_id} · {m.district}",
            m.income_paise,
            f"{rupees(m.income_paise)} received · {m.progress_percent:.0f}%"
            f" · expected {rupees(m.expected_income_paise)}",
        )
        for m in people[:15]
    ]
    date_text = digest.report_date.strftime("%d %b %Y")
    sections = [
        f"<h1>Haat daily digest</h1><p class='sub'>{escape(date_text)} (IST) · month to date from "
        f"1 {escape(digest.report_date.strftime('%b'))}</p>",
        _revision_note(digest),
        '<div class="tiles">'
        + "".join(f'<div class="tile"><b>{escape(v)}</b><span>{escape(t)}</span></div>' for v, t in tiles)
        + "</div>",
        "<h2>GMV by district, month to date (+ yesterday)</h2>",
        bar_chart("GMV by district", gmv_bars, "#c8553d", empty="No sales this month yet."),
        "<h2>Dispatch SLA breaches, month to date</h2>",
        bar_chart("SLA breaches", sla_bars, "#e0a030", empty="No late dispatch this month."),
        "<h2>Lakhpati Didi progress (trailing 12 months, net)</h2>",
        bar_chart(
            "Lakhpati progress",
            lakhpati_bars,
            "#2f7d5b",
            empty=f"No member above {digest.near_percent}% of {rupees(digest.threshold_paise)} yet.",
            target=digest.threshold_paise,
        ),
        "<h2>Districts, month to date</h2>",
        _table(mtd_districts),
        "<h2>Yesterday by district</h2>",
        _table(_rows(digest, "day", "district")),
    ]
    mtd = digest.summary("mtd")
    sections += [
        "<h2>Channels, month to date</h2>",
        _rollup_table(mtd["by_channel"], "No sales this month yet."),
        "<h2>Outlets and melas (Haat), month to date</h2>",
        _rollup_table(mtd["by_outlet"], "No outlet or mela sales this month yet."),
    ]
    for dimension, title in (("block", "Blocks"), ("shg", "SHGs"), ("craft", "Crafts")):
        sections.append(
            f"<details><summary>{title}, month to date</summary>"
            f"{_table(_rows(digest, 'mtd', dimension))}</details>"
        )
    sections += [
        f"<h2>Delivered, unpaid over {digest.unpaid_after_days} days</h2>",
        _list_table(
            ["Order", "Delivered (UTC)", "District", "SHG", "Expected payout"],
            [
                [
                    str(u.get("order", "")),
                    str(u.get("delivered_at", ""))[:10],
                    str(u.get("district", "")),
                    str(u.get("shg_id", "")),
                    rupees(int(u.get("expected_payout_paise", 0))),
                ]
                for u in digest.unpaid
            ],
            "Every delivered order has been paid in time.",
        ),
        "<h2>Payouts that differ from expected</h2>",
        _list_table(
            ["Order", "Day", "Expected", "Received", "Difference"],
            [
                [
                    str(m["sk"]),
                    str(m.get("day", "")),
                    rupees(int(m["expected_payout_paise"])),
                    rupees(int(m["payout_paise"])),
                    rupees(int(m["difference_paise"])),
                ]
                for m in digest.payout_mismatches
            ],
            "All payouts this month match.",
        ),
        "<h2>Channel polls that failed</h2>",
        _list_table(
            ["Seller account", "Failed runs"],
            [[account, str(count)] for account, count in digest.channel_poll_failures.items()],
            "Every channel poll succeeded.",
        ),
        "<h2>Channel fee rules</h2>",
        _list_table(
            ["Channel", "From", "Commission", "Waiver after onboarding"],
            [
                [
                    str(r["channel"]),
                    str(r["effective_from"]),
                    f"{int(r['commission_bps']) / 100:.2f}%",
                    f"{r['waiver_months']} months" if r["waiver_months"] else "-",
                ]
                for r in digest.fee_rules
            ],
            "No fee rules configured.",
        ),
    ]
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Haat digest {escape(digest.report_date.isoformat())}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(sections)}</body></html>\n"
    )
    return page.encode()
