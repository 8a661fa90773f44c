"""The dashboard as HTML: figures, inline SVG charts (no script, font or network), English or Hindi.

The body is fetched by dashboard.js once she is signed in. Every figure carries its raw value in
`data-value`, so a test (or a spreadsheet scrape) reads the number the page shows without parsing
rupee formatting. Things are shown by name (SHGs, makers, districts, crafts, channels, photo
reasons; chalicelib/dashboard/names.py), never by a phone number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from html import escape

from chalicelib.catalogue.quality import SHORT_MESSAGES, Code
from chalicelib.dashboard import names
from chalicelib.dashboard.view import LAKHPATI_SHOWN, DashboardView, LateOrder, Part
from chalicelib.reports.digest import Scope
from chalicelib.reports.page import bar_chart, rupees

LinkFor = Callable[[str, str], str]  # (district, block) -> href of that scope's view

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Haat dashboard",
        "mission": "Whole mission",
        "district": "District",
        "block": "Block",
        "today": "Today",
        "mtd": "Month to date",
        "orders": "Orders",
        "gmv_paise": "GMV",
        "cancellations": "Cancelled",
        "returns": "Returns",
        "sla_breaches": "Late dispatches",
        "payout_paise": "Paid out",
        "channel_fee_paise": "Fee kept",
        "areas_district": "Districts",
        "areas_block": "Blocks",
        "areas_shg": "Self-Help Groups",
        "drill_district": "open a district for its blocks and SHGs",
        "drill_block": "open a block for its SHGs",
        "channels": "By channel, month to date",
        "outlets": "Haat outlets and melas, month to date",
        "crafts": "By craft, month to date",
        "late": "Late orders now (open past dispatch-by)",
        "late_none": "No order is late right now.",
        "late_more": "{shown} longest-late of {total} shown.",
        "order": "Order",
        "shg": "SHG",
        "makers": "Maker",
        "hours_late": "Hours late",
        "reminded": "Reminded",
        "reminder": "reminder",
        "escalation": "escalation",
        "nobody": "nobody yet",
        "lakhpati": "Lakhpati Didi progress (trailing 12 months)",
        "lakhpati_count": (
            "{reached} Lakhpati Didis; {near} more above {percent}% of {threshold} (at the end of {day})."
        ),
        "lakhpati_none": "No member near the Lakhpati mark yet.",
        "listings": "Catalogue: ready and listed",
        "new_listings": "Newly ready",
        "listings_exported": "Sent to a channel",
        "listings_live": "Went live",
        "listings_rejected": "Rejected by a channel",
        "reasons": "Photo rejection reasons, month to date",
        "reasons_none": "No photo rejected this month.",
        "reason": "Reason",
        "rejected": "Photos rejected",
        "member": "Member",
        "income": "Received, 12 months",
        "expected": "Expected from delivered orders",
        "progress": "Progress",
        "polls": "Failed channel polls that day",
        "polls_none": "Every channel poll succeeded.",
        "account": "Seller account",
        "failed_runs": "Failed runs",
        "none": "No sales this month yet.",
        "ist": "IST",
    },
    "hi": {
        "title": "हाट डैशबोर्ड",
        "mission": "पूरा मिशन",
        "district": "ज़िला",
        "block": "ब्लॉक",
        "today": "आज",
        "mtd": "इस महीने अब तक",
        "orders": "ऑर्डर",
        "gmv_paise": "बिक्री (GMV)",
        "cancellations": "रद्द",
        "returns": "वापसी",
        "sla_breaches": "देर से भेजे",
        "payout_paise": "भुगतान मिला",
        "channel_fee_paise": "चैनल शुल्क",
        "areas_district": "ज़िले",
        "areas_block": "ब्लॉक",
        "areas_shg": "स्वयं सहायता समूह",
        "drill_district": "ब्लॉक और समूह देखने के लिए ज़िला खोलें",
        "drill_block": "समूह देखने के लिए ब्लॉक खोलें",
        "channels": "चैनल अनुसार, इस महीने",
        "outlets": "हाट आउटलेट और मेले, इस महीने",
        "crafts": "शिल्प अनुसार, इस महीने",
        "late": "अभी देर वाले ऑर्डर (भेजने की समय-सीमा निकल गई)",
        "late_none": "अभी कोई ऑर्डर देर से नहीं है।",
        "late_more": "{total} में से सबसे ज़्यादा देर वाले {shown} दिखाए गए।",
        "order": "ऑर्डर",
        "shg": "समूह",
        "makers": "कारीगर",
        "hours_late": "घंटे देर",
        "reminded": "किसे याद दिलाया",
        "reminder": "रिमाइंडर",
        "escalation": "एस्केलेशन",
        "nobody": "अभी किसी को नहीं",
        "lakhpati": "लखपति दीदी प्रगति (पिछले 12 महीने)",
        "lakhpati_count": "{day} के अंत तक: {reached} लखपति दीदी; {near} और {threshold} के {percent}% से ऊपर।",
        "lakhpati_none": "अभी कोई सदस्य लखपति के पास नहीं।",
        "listings": "कैटलॉग: तैयार और लिस्टेड",
        "new_listings": "नए तैयार",
        "listings_exported": "चैनल को भेजे गए",
        "listings_live": "लाइव हुए",
        "listings_rejected": "चैनल ने अस्वीकार किए",
        "reasons": "फ़ोटो अस्वीकार के कारण, इस महीने",
        "reasons_none": "इस महीने कोई फ़ोटो अस्वीकार नहीं हुई।",
        "reason": "कारण",
        "rejected": "अस्वीकार फ़ोटो",
        "member": "सदस्य",
        "income": "प्राप्त आय, 12 महीने",
        "expected": "डिलीवर ऑर्डर से अपेक्षित",
        "progress": "प्रगति",
        "polls": "उस दिन के असफल चैनल पोल",
        "polls_none": "हर चैनल पोल सफल रहा।",
        "account": "सेलर खाता",
        "failed_runs": "असफल बार",
        "none": "इस महीने अभी कोई बिक्री नहीं।",
        "ist": "IST",
    },
}
# Outbox states in words (the rest are shown as they are).
STATES = {
    "en": {"pending": "waiting", "sending": "sending", "sent": "sent", "failed": "not delivered yet"},
    "hi": {"pending": "प्रतीक्षा में", "sending": "भेजा जा रहा", "sent": "भेजा गया", "failed": "अभी नहीं पहुँचा"},
}
TILE_COUNTERS = ("orders", "gmv_paise", "cancellations", "returns", "sla_breaches")
# Ready (an accepted photo, a title, a price, a channel SKU) is not listed: each step per channel.
LISTING_COUNTERS = ("new_listings", "listings_exported", "listings_live", "listings_rejected")
ROLLUP_COUNTERS = (*TILE_COUNTERS, "payout_paise", "channel_fee_paise")
MONEY = frozenset({"gmv_paise", "payout_paise", "channel_fee_paise"})


def reason(code: str, lang: str = "en") -> str:
    """A photo rejection reason in a few words (its SMS short form up to the colon)."""
    try:
        messages = SHORT_MESSAGES[Code(code)]
    except ValueError:
        return names.readable(code)
    return messages.get(lang, messages["en"]).split(":")[0]


def _value(name: str, value: int) -> str:
    return rupees(value) if name in MONEY else str(value)


def _figure(figure_id: str, name: str, value: int, label: str) -> str:
    return (
        f'<td data-label="{escape(label)}" data-figure="{escape(figure_id)}" data-value="{value}">'
        f"{escape(_value(name, value))}</td>"
    )


def _words(label: str, text: str, extra: str = "") -> str:
    """A cell of words (a name, who was told), labelled for the phone's card layout."""
    return f'<td data-label="{escape(label)}" class="text{extra}">{escape(text)}</td>'


def _table(
    head: Sequence[str], rows: Sequence[str], empty: str, *, stack: bool = False, text: Sequence[int] = ()
) -> str:
    """A table in a scroller; `stack`: on a phone each row becomes a card of label: value lines."""
    if not rows:
        return f'<p class="none">{escape(empty)}</p>'
    header = "".join(  # `text`: the columns of words, which read from the left (figures: the right)
        f'<th scope="col"{" class=text" if i in text else ""}>{escape(h)}</th>' for i, h in enumerate(head)
    )
    header = f"<tr>{header}</tr>"
    kind = ' class="stack"' if stack else ""
    table = f"<table{kind}><thead>{header}</thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _pair(chart: str, table: str) -> str:
    """A chart beside its table on a wide screen, above it on a phone."""
    return f'<div class="pair">{chart}{table}</div>' if chart else table


def _periods(view: DashboardView, t: dict[str, str], lang: str) -> list[tuple[str, str]]:
    day = names.day(view.day, lang)
    return [
        ("day", f"{t['today']} · {day}" if view.day == view.today else day),
        ("prev", names.day(view.day - timedelta(days=1), lang)),
        ("mtd", f"{t['mtd']} ({names.month_to(view.day, lang)})"),
    ]


def _tiles(
    view: DashboardView, t: dict[str, str], lang: str, counters: tuple[str, ...] = TILE_COUNTERS
) -> str:
    rows = []
    for period, label in _periods(view, t, lang):
        totals = view.summary(period)["totals"]
        cells = "".join(_figure(f"{period}-{name}", name, totals[name], t[name]) for name in counters)
        rows.append(f"<tr><th scope='row'>{escape(label)}</th>{cells}</tr>")
    return _table(["", *(t[name] for name in counters)], rows, t["none"])


def _children(scope: Scope) -> tuple[str, str]:
    """The dimension one level down from the scope, and its label key."""
    if scope.block:
        return "shg", "areas_shg"
    return ("block", "areas_block") if scope.district else ("district", "areas_district")


def _area_name(part: Part, view: DashboardView, lang: str) -> str:
    if view.scope.block:
        return view.directory.shg(part.key)
    return part.key if view.scope.district else names.district(part.key, lang)


def _area_key(part: Part, scope: Scope) -> str:
    """The part's key as the digest has it (a block's is "district/block")."""
    return f"{scope.district}/{part.key}" if scope.district and not scope.block else part.key


def _drill(view: DashboardView, t: dict[str, str], lang: str, link_for: LinkFor) -> str:
    dimension, title = _children(view.scope)
    day = {p.key: p for p in view.parts("day")}
    ordered = sorted(view.parts("mtd"), key=lambda p: (-p.counters["gmv_paise"], p.key))
    day_label = _periods(view, t, lang)[0][1]
    rows = []
    for row in ordered:
        name, key = _area_name(row, view, lang), _area_key(row, view.scope)
        if dimension == "shg":
            cell = f"<th scope='row'>{escape(name)} <small>{escape(row.key)}</small></th>"
        else:
            district = view.scope.district or row.key
            href = link_for(district, row.key if dimension == "block" else "")
            cell = f'<th scope="row"><a href="{escape(href)}" data-drill>{escape(name)}</a></th>'
        today = day.get(row.key)
        rows.append(
            f"<tr data-area='{escape(key)}'>{cell}"
            + _figure(
                f"area-{key}-day-orders",
                "orders",
                today.counters["orders"] if today else 0,
                f"{t['orders']} ({day_label})",
            )
            + _figure(
                f"area-{key}-mtd-orders", "orders", row.counters["orders"], f"{t['orders']} ({t['mtd']})"
            )
            + _figure(f"area-{key}-mtd-gmv_paise", "gmv_paise", row.counters["gmv_paise"], t["gmv_paise"])
            + _figure(
                f"area-{key}-mtd-sla_breaches",
                "sla_breaches",
                row.counters["sla_breaches"],
                t["sla_breaches"],
            )
            + "</tr>"
        )
    bars = [
        (_area_name(r, view, lang), r.counters["gmv_paise"], rupees(r.counters["gmv_paise"]))
        for r in ordered[:12]
    ]
    head = [
        "",
        f"{t['orders']} ({day_label})",
        f"{t['orders']} ({t['mtd']})",
        t["gmv_paise"],
        t["sla_breaches"],
    ]
    hint = f" <small>· {escape(t[f'drill_{dimension}'])}</small>" if dimension != "shg" else ""
    chart = bar_chart(t[title], bars, "#c8553d", empty="")
    return f"<h2>{escape(t[title])}{hint}</h2>" + _pair(chart, _table(head, rows, t["none"], stack=True))


def _rollup(
    figures: dict[str, dict[str, int]],
    prefix: str,
    t: dict[str, str],
    color: str,
    name_of: Callable[[str], str],
) -> str:
    active = {k: v for k, v in figures.items() if any(v.values())}
    ordered = sorted(active.items(), key=lambda kv: (-kv[1]["gmv_paise"], kv[0]))
    rows = [
        f"<tr><th scope='row'>{escape(name_of(key))}</th>"
        + "".join(_figure(f"{prefix}-{key}-{name}", name, f[name], t[name]) for name in ROLLUP_COUNTERS)
        + "</tr>"
        for key, f in ordered
    ]
    bars = [(name_of(k), f["gmv_paise"], rupees(f["gmv_paise"])) for k, f in ordered if f["gmv_paise"]]
    chart = bar_chart(prefix, bars, color, empty="") if bars else ""
    return _pair(chart, _table(["", *(t[n] for n in ROLLUP_COUNTERS)], rows, t["none"], stack=True))


def _reminded(order: LateOrder, view: DashboardView, t: dict[str, str], lang: str) -> str:
    states = STATES.get(lang, STATES["en"])
    told = [
        f"{view.directory.member(r.member_id)} ({t.get(r.kind, r.kind)}, {states.get(r.state, r.state)})"
        for r in order.reminded
    ]
    return "; ".join(told) or t["nobody"]


def _late(view: DashboardView, t: dict[str, str], lang: str) -> str:
    head = [t["order"], t["shg"], t["makers"], t["hours_late"], t["reminded"]]
    rows = [
        "<tr>"
        f"<th scope='row'>{escape(names.channel(o.channel, lang))} {escape(o.order_id)}</th>"
        + _words(head[1], view.directory.shg(o.shg_id))
        + _words(head[2], ", ".join(view.directory.member(m) for _, m in o.makers) or "-")
        + f"<td data-label='{escape(head[3])}' data-value='{o.hours_late}'>{o.hours_late:.1f}</td>"
        + _words(head[4], _reminded(o, view, t, lang), " wrap")
        + "</tr>"
        for o in view.late
    ]
    more = ""
    if view.late_total > len(view.late):
        more = (
            f"<p class='sub'>{escape(t['late_more'].format(shown=len(view.late), total=view.late_total))}</p>"
        )
    table = _table(head, rows, t["late_none"], stack=True, text=(1, 2, 4))
    return (
        f"<section id='late'><h2>{escape(t['late'])} <span class='count' data-value='{view.late_total}'>"
        f"{view.late_total}</span></h2>{more}{table}</section>"
    )


def _lakhpati(view: DashboardView, t: dict[str, str], lang: str) -> str:
    people = view.lakhpati[:LAKHPATI_SHOWN]
    if not people:
        return f"<h2>{escape(t['lakhpati'])}</h2><p class='none'>{escape(t['lakhpati_none'])}</p>"
    member, shg = view.directory.member, view.directory.shg
    bars = [
        (f"{member(m.member_id)} · {shg(m.shg_id)}", m.income_paise, f"{m.progress_percent:.0f}%")
        for m in people
    ]
    rows = [
        f"<tr><th scope='row'>{escape(view.directory.member(m.member_id))}</th>"
        + _words(t["shg"], view.directory.shg(m.shg_id))
        + _words(t["district"], names.district(m.district, lang))
        + _figure(f"lakhpati-{m.member_id}", "gmv_paise", m.income_paise, t["income"])
        + _figure(f"lakhpati-{m.member_id}-expected", "gmv_paise", m.expected_income_paise, t["expected"])
        + f"<td data-label='{escape(t['progress'])}' data-value='{m.progress_percent}'>"
        f"{m.progress_percent:.0f}%</td></tr>"
        for m in people
    ]
    count = t["lakhpati_count"].format(
        reached=view.lakhpati_reached,
        near=view.lakhpati_near,
        percent=view.near_percent,
        threshold=rupees(view.threshold_paise),
        day=names.day(view.lakhpati_as_of, lang) if view.lakhpati_as_of else "",
    )
    chart = bar_chart(t["lakhpati"], bars, "#2f7d5b", empty="", target=view.threshold_paise)
    head = [t["member"], t["shg"], t["district"], t["income"], t["expected"], t["progress"]]
    return (
        f"<h2>{escape(t['lakhpati'])}</h2>"
        f"<p class='sub' data-lakhpati='{view.lakhpati_reached}'>{escape(count)}</p>"
        + _pair(chart, _table(head, rows, "", stack=True, text=(1, 2)))
    )


def _reasons(view: DashboardView, t: dict[str, str], lang: str) -> str:
    counts = view.summary("mtd")["reasons"]
    if not counts:
        return f"<h2>{escape(t['reasons'])}</h2><p class='none'>{escape(t['reasons_none'])}</p>"
    bars = [(reason(code, lang), count, str(count)) for code, count in counts.items()]
    rows = [
        f"<tr><th scope='row'>{escape(reason(code, lang))}</th>"
        f"<td data-label='{escape(t['rejected'])}' data-figure='reason-{escape(code)}' data-value='{count}'>"
        f"{count}</td></tr>"
        for code, count in counts.items()
    ]
    chart = bar_chart(t["reasons"], bars, "#b03a2e", empty="")
    return f"<h2>{escape(t['reasons'])}</h2>" + _pair(chart, _table([t["reason"], t["rejected"]], rows, ""))


def _crumbs(scope: Scope, floor: Scope, t: dict[str, str], lang: str, link_for: LinkFor) -> str:
    """Where the view is: mission > district > block, each level she may open linked."""
    levels = [(Scope(), t["mission"])]
    if scope.district:
        levels.append(
            (Scope(district=scope.district), f"{t['district']} {names.district(scope.district, lang)}")
        )
    if scope.block:
        levels.append((scope, f"{t['block']} {scope.block}"))
    reachable = [
        (s, label)
        for s, label in levels
        if not floor.district or (s.district and (not floor.block or s.block))
    ]
    parts = [
        f'<a href="{escape(link_for(s.district, s.block))}" data-drill>{escape(label)}</a>'
        if s != scope
        else f"<b>{escape(label)}</b>"
        for s, label in reachable
    ]
    return f"<nav class='crumbs' aria-label='{escape(t['title'])}'>{' › '.join(parts)}</nav>"


def body(view: DashboardView, lang: str, link_for: LinkFor, floor: Scope) -> str:
    """The dashboard's content for `view` in `lang` ("en" or "hi"); `floor` is the caller's own area
    (she may go up to it, not above)."""
    t = TEXT.get(lang, TEXT["en"])
    scope, mtd = view.scope, view.summary("mtd")
    parts = [
        f"<header><h1>{escape(t['title'])}</h1>",
        _crumbs(scope, floor, t, lang, link_for),
        f"<p class='sub' data-scope='{escape(scope.district)}/{escape(scope.block)}'>"
        f"{escape(names.day(view.day, lang))} ({t['ist']})</p></header>",
        _tiles(view, t, lang),
        _drill(view, t, lang, link_for),
        f"<h2>{escape(t['channels'])}</h2>",
        _rollup(mtd["by_channel"], "channel", t, "#3d6fc8", lambda c: names.channel(c, lang)),
        f"<h2>{escape(t['outlets'])}</h2>",
        _rollup(mtd["by_outlet"], "outlet", t, "#8a5bc8", str),
        f"<h2>{escape(t['crafts'])}</h2>",
        _rollup(mtd["by_craft"], "craft", t, "#c88a3d", lambda c: names.craft(c, lang)),
        _late(view, t, lang),
        _lakhpati(view, t, lang),
        f"<h2>{escape(t['listings'])}</h2>",
        _tiles(view, t, lang, LISTING_COUNTERS),
        _reasons(view, t, lang),
    ]
    if scope.is_mission:
        polls = [
            f"<tr><th scope='row'>{escape(account)}</th><td data-label='{escape(t['failed_runs'])}'"
            f" data-figure='poll-{escape(account)}' data-value='{count}'>{count}</td></tr>"
            for account, count in view.poll_failures.items()
        ]
        parts += [
            f"<h2>{escape(t['polls'])}</h2>",
            _table([t["account"], t["failed_runs"]], polls, t["polls_none"]),
        ]
    return "".join(parts)
