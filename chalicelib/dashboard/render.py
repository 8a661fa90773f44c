"""The dashboard as HTML: figures, inline SVG charts (no script, font or network), English or Hindi.

The same body serves the signed-in page (fetched by dashboard.js) and the signed link of the
digest e-mail (a whole page, no script). Every figure carries its raw value in `data-value`, so a
test (or a spreadsheet scrape) reads the number the page shows without parsing rupee formatting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from chalicelib.dashboard.view import DashboardView
from chalicelib.reports.digest import SUMMARY_COUNTERS, Row
from chalicelib.reports.page import bar_chart, rupees

LinkFor = Callable[[str, str], str]  # (district, block) -> href of that scope's view

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Haat dashboard",
        "mission": "Whole mission",
        "district": "District",
        "block": "Block",
        "today": "Today",
        "yesterday": "Yesterday",
        "mtd": "Month to date",
        "orders": "Orders",
        "gmv_paise": "GMV",
        "cancellations": "Cancelled",
        "returns": "Returns",
        "sla_breaches": "Late dispatches",
        "payout_paise": "Paid out",
        "channel_fee_paise": "Fee kept",
        "expected_fee_paise": "Expected fee",
        "areas_district": "Districts",
        "areas_block": "Blocks",
        "areas_shg": "Self-Help Groups",
        "drill": "Open a row for its parts",
        "channels": "By channel, month to date",
        "outlets": "Haat outlets and melas, month to date",
        "crafts": "By craft, month to date",
        "late": "Late orders now (open past dispatch-by)",
        "late_none": "No order is late right now.",
        "order": "Order",
        "shg": "SHG",
        "makers": "Maker",
        "hours_late": "Hours late",
        "reminded": "Reminded",
        "lakhpati": "Lakhpati Didi progress (trailing 12 months)",
        "lakhpati_none": "No member near the Lakhpati mark yet.",
        "reasons": "Photo rejection reasons, month to date",
        "reasons_none": "No photo rejected this month.",
        "polls": "Failed channel polls today",
        "polls_none": "Every channel poll succeeded.",
        "none": "No sales yet.",
        "as_of": "as of",
        "up": "Up one level",
    },
    "hi": {
        "title": "हाट डैशबोर्ड",
        "mission": "पूरा मिशन",
        "district": "ज़िला",
        "block": "ब्लॉक",
        "today": "आज",
        "yesterday": "कल",
        "mtd": "इस महीने",
        "orders": "ऑर्डर",
        "gmv_paise": "बिक्री (GMV)",
        "cancellations": "रद्द",
        "returns": "वापसी",
        "sla_breaches": "देर से भेजे",
        "payout_paise": "भुगतान मिला",
        "channel_fee_paise": "चैनल शुल्क",
        "expected_fee_paise": "अपेक्षित शुल्क",
        "areas_district": "ज़िले",
        "areas_block": "ब्लॉक",
        "areas_shg": "स्वयं सहायता समूह",
        "drill": "विवरण के लिए पंक्ति खोलें",
        "channels": "चैनल अनुसार, इस महीने",
        "outlets": "हाट आउटलेट और मेले, इस महीने",
        "crafts": "शिल्प अनुसार, इस महीने",
        "late": "अभी देर वाले ऑर्डर (भेजने की समय-सीमा निकल गई)",
        "late_none": "अभी कोई ऑर्डर देर से नहीं है।",
        "order": "ऑर्डर",
        "shg": "समूह",
        "makers": "कारीगर",
        "hours_late": "घंटे देर",
        "reminded": "याद दिलाया",
        "lakhpati": "लखपति दीदी प्रगति (पिछले 12 महीने)",
        "lakhpati_none": "अभी कोई सदस्य लखपति के पास नहीं।",
        "reasons": "फ़ोटो अस्वीकार के कारण, इस महीने",
        "reasons_none": "इस महीने कोई फ़ोटो अस्वीकार नहीं हुई।",
        "polls": "आज के असफल चैनल पोल",
        "polls_none": "हर चैनल पोल सफल रहा।",
        "none": "अभी कोई बिक्री नहीं।",
        "as_of": "तक",
        "up": "एक स्तर ऊपर",
    },
}
PERIODS = (("day", "today"), ("prev", "yesterday"), ("mtd", "mtd"))
TILE_COUNTERS = ("orders", "gmv_paise", "cancellations", "returns", "sla_breaches")
MONEY = frozenset(name for name in SUMMARY_COUNTERS if name.endswith("_paise"))


def _value(name: str, value: int) -> str:
    return rupees(value) if name in MONEY else str(value)


def _figure(figure_id: str, name: str, value: int) -> str:
    return f'<td data-figure="{escape(figure_id)}" data-value="{value}">{escape(_value(name, value))}</td>'


def _table(head: Sequence[str], rows: Sequence[str], empty: str) -> str:
    if not rows:
        return f'<p class="none">{escape(empty)}</p>'
    header = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
    return f'<div class="scroll"><table>{header}{"".join(rows)}</table></div>'


def _tiles(view: DashboardView, t: dict[str, str]) -> str:
    rows = []
    for period, label in PERIODS:
        totals = view.digest.summary(period)["totals"]
        cells = "".join(_figure(f"{period}-{name}", name, totals[name]) for name in TILE_COUNTERS)
        rows.append(f"<tr><th scope='row'>{escape(t[label])}</th>{cells}</tr>")
    return _table(["", *(t[name] for name in TILE_COUNTERS)], rows, t["none"])


def _children(view: DashboardView) -> tuple[str, str]:
    """The dimension one level down from the scope, and its label key."""
    if view.scope.block:
        return "shg", "areas_shg"
    return ("block", "areas_block") if view.scope.district else ("district", "areas_district")


def _drill(view: DashboardView, t: dict[str, str], link_for: LinkFor) -> str:
    dimension, title = _children(view)
    mtd = {r.key: r for r in view.digest.rows if r.period == "mtd" and r.dimension == dimension}
    day = {r.key: r for r in view.digest.rows if r.period == "day" and r.dimension == dimension}
    ordered = sorted(mtd.values(), key=lambda r: (-r.counters["gmv_paise"], r.key))
    rows = []
    for row in ordered:
        name = _area_name(row)
        if dimension == "shg":
            cell = f"<td>{escape(name)}</td>"
        else:
            district = row.labels.get("district", "")
            href = link_for(district, row.labels.get("block", "") if dimension == "block" else "")
            cell = f'<td><a href="{escape(href)}" data-drill>{escape(name)}</a></td>'
        today = day.get(row.key)
        rows.append(
            f"<tr data-area='{escape(row.key)}'>{cell}"
            + _figure(f"area-{row.key}-day-orders", "orders", today.counters["orders"] if today else 0)
            + _figure(f"area-{row.key}-mtd-orders", "orders", row.counters["orders"])
            + _figure(f"area-{row.key}-mtd-gmv_paise", "gmv_paise", row.counters["gmv_paise"])
            + _figure(f"area-{row.key}-mtd-sla_breaches", "sla_breaches", row.counters["sla_breaches"])
            + "</tr>"
        )
    bars = [(_area_name(r), r.counters["gmv_paise"], rupees(r.counters["gmv_paise"])) for r in ordered[:12]]
    head = [
        "",
        f"{t['orders']} ({t['today']})",
        f"{t['orders']} ({t['mtd']})",
        t["gmv_paise"],
        t["sla_breaches"],
    ]
    return (
        f"<h2>{escape(t[title])} <small>· {escape(t['drill'])}</small></h2>"
        + bar_chart(t[title], bars, "#c8553d", empty=t["none"])
        + _table(head, rows, t["none"])
    )


def _area_name(row: Row) -> str:
    return row.labels.get("block") or row.key if row.dimension == "block" else row.key


def _rollup(figures: dict[str, dict[str, int]], prefix: str, t: dict[str, str], color: str) -> str:
    active = {k: v for k, v in figures.items() if any(v.values())}
    names = (
        "orders",
        "gmv_paise",
        "cancellations",
        "returns",
        "sla_breaches",
        "payout_paise",
        "channel_fee_paise",
    )
    rows = [
        f"<tr><td>{escape(key)}</td>"
        + "".join(_figure(f"{prefix}-{key}-{name}", name, f[name]) for name in names)
        + "</tr>"
        for key, f in sorted(active.items(), key=lambda kv: (-kv[1]["gmv_paise"], kv[0]))
    ]
    bars = [(k, f["gmv_paise"], rupees(f["gmv_paise"])) for k, f in active.items() if f["gmv_paise"]]
    bars.sort(key=lambda b: -b[1])
    chart = bar_chart(prefix, bars, color, empty=t["none"]) if bars else ""
    return chart + _table(["", *(t[n] for n in names)], rows, t["none"])


def _late(view: DashboardView, t: dict[str, str]) -> str:
    rows = [
        "<tr>"
        f"<td>{escape(o.channel)} {escape(o.order_id)}</td>"
        f"<td>{escape(o.shg_name or o.shg_id)}</td>"
        f"<td>{escape(', '.join(o.makers) or '-')}</td>"
        f'<td data-value="{o.hours_late}">{o.hours_late:.1f}</td>'
        f"<td>{escape('; '.join(o.reminded) or '-')}</td>"
        "</tr>"
        for o in view.late
    ]
    head = [t["order"], t["shg"], t["makers"], t["hours_late"], t["reminded"]]
    return f"<h2 id='late'>{escape(t['late'])}</h2>" + _table(head, rows, t["late_none"])


def body(view: DashboardView, lang: str, link_for: LinkFor, up: str | None) -> str:
    """The dashboard's content for `view`, in `lang` ("en" or "hi")."""
    t = TEXT.get(lang, TEXT["en"])
    built = view.digest
    mtd = built.summary("mtd")
    scope = view.scope
    where = (
        f"{t['block']} {scope.block}, {t['district']} {scope.district}"
        if scope.block
        else (f"{t['district']} {scope.district}" if scope.district else t["mission"])
    )
    people = [*built.lakhpati, *built.approaching]
    lakhpati_bars = [
        (
            f"{m.member_id} · {m.shg_id}",
            m.income_paise,
            f"{rupees(m.income_paise)} · {m.progress_percent:.0f}%",
        )
        for m in people[:12]
    ]
    reasons = [(code, count, str(count)) for code, count in mtd["reasons"].items()]
    polls = [
        f"<tr><td>{escape(account)}</td><td>{count}</td></tr>"
        for account, count in built.channel_poll_failures.items()
    ]
    parts: list[Any] = [
        f"<header><h1>{escape(t['title'])}</h1>"
        f"<p class='sub' data-scope='{escape(scope.district)}/{escape(scope.block)}'>{escape(where)} · "
        f"{escape(t['as_of'])} {escape(view.day.isoformat())} (IST)</p>",
        f"<p class='nav'><a href='{escape(up)}' data-drill>↑ {escape(t['up'])}</a></p>" if up else "",
        "</header>",
        _tiles(view, t),
        _drill(view, t, link_for),
        f"<h2>{escape(t['channels'])}</h2>",
        _rollup(mtd["by_channel"], "channel", t, "#3d6fc8"),
        f"<h2>{escape(t['outlets'])}</h2>",
        _rollup(mtd["by_outlet"], "outlet", t, "#8a5bc8"),
        f"<h2>{escape(t['crafts'])}</h2>",
        _rollup(mtd["by_craft"], "craft", t, "#c88a3d"),
        _late(view, t),
        f"<h2>{escape(t['lakhpati'])}</h2>",
        bar_chart(
            t["lakhpati"], lakhpati_bars, "#2f7d5b", empty=t["lakhpati_none"], target=built.threshold_paise
        ),
        f"<h2>{escape(t['reasons'])}</h2>",
        bar_chart(t["reasons"], reasons, "#b03a2e", empty=t["reasons_none"]),
    ]
    if scope.is_mission:
        parts += [f"<h2>{escape(t['polls'])}</h2>", _table(["", "#"], polls, t["polls_none"])]
    return "".join(parts)
