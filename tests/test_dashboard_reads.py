"""The dashboard reads only the report aggregates and indexes: no Scan, no write, and the same
number of DynamoDB calls however many orders the month holds (timed in bench/dashboard.py).

Every botocore call made while GET /dashboard/view answers is recorded (tests/aws_calls.py); the
view is asked for a district (as its coordinator), a block and the whole mission (as an admin),
then again after twenty more orders.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from chalicelib.dashboard import names, view
from chalicelib.registry.models import SHG, Channel
from chalicelib.reports import digest
from chalicelib.reports.digest import Scope
from chalicelib.reports.settings import report_settings
from haat_tools.local import stack
from tests import aws_calls
from tests.reports.helpers import OrderStory, line, seed_shg, utc

DAY = date(2026, 10, 20)
READS = {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"}


def _group(shg_id: str, district: str, block: str) -> SHG:
    return seed_shg(shg_id, district, block, "2025-01-01", {f"{shg_id}-M01": 1.0})[0]


def _sell(shg: SHG, count: int) -> None:
    """`count` orders of the SHG over the month up to DAY."""
    for index in range(count):
        placed = utc(f"{DAY.replace(day=1 + index % DAY.day).isoformat()}T10:00+05:30")
        makers = [f"{shg.shg_id}-M01"]
        OrderStory(Channel.FLIPKART, f"{shg.shg_id}-{index}", [line(shg, makers, 1, 700)], placed)


@pytest.fixture(scope="module")
def views(api_url: str, local_aws: stack.LocalAws) -> list[tuple[str, str]]:
    """(token, query) of each view: a district, one of its blocks, the mission."""
    u = uuid.uuid4().hex[:8]
    district = f"Ganderbal-{u}"
    shgs = [_group(f"R{i}-{u}", district, f"Block-{i % 2}") for i in range(4)]
    for shg in shgs:
        _sell(shg, 5)
    OrderStory(
        Channel.MEESHO,
        f"LATE-R-{u}",
        [line(shgs[0], [f"{shgs[0].shg_id}-M01"], 1, 900)],
        utc(f"{DAY.isoformat()}T09:00+05:30"),
        datetime.now(UTC) - timedelta(hours=3),
        store=True,
    )
    coordinator = issue_local_token("dc", Role.DISTRICT_COORDINATOR, district=district)
    admin = issue_local_token("admin", Role.MISSION_ADMIN)
    return [
        (coordinator, f"district={district}&date={DAY}"),
        (coordinator, f"district={district}&block=Block-1&date={DAY}"),
        (admin, f"date={DAY}"),
    ]


def _dynamodb(operations: Counter[str]) -> Counter[str]:
    return Counter({op: n for op, n in operations.items() if op.startswith("dynamodb:")})


def _calls(api_url: str, views: list[tuple[str, str]]) -> list[Counter[str]]:
    """The AWS operations each view's request made."""
    counted = []
    with aws_calls.installed() as recorder:
        for index, (token, query) in enumerate(views):
            request = urllib.request.Request(
                f"{api_url}/dashboard/view?{query}", headers={"Authorization": f"Bearer {token}"}
            )
            names.forget()  # as a fresh container: the registry's names are looked up, not remembered
            with recorder.recording(str(index)), urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200
            counted.append(recorder.operations[str(index)])
    return counted


def test_the_dashboard_reads_aggregates_and_indexes_only(api_url: str, views: list[tuple[str, str]]) -> None:
    before = _calls(api_url, views)
    for operations in before:
        assert set(_dynamodb(operations)) <= READS, f"not a read of a key or an index: {operations}"
        assert not any(op.endswith(":Scan") for op in operations)
    # Twenty more orders in the district: the same calls (the counters grew, not the reads).
    district = views[0][1].split("&")[0].removeprefix("district=")
    _sell(_group(f"R9-{district[-8:]}", district, "Block-1"), 20)
    after = _calls(api_url, views)
    # The block's new SHG is named in the same BatchGet: every view makes the same calls.
    assert [_dynamodb(c) for c in after] == [_dynamodb(c) for c in before]


def _nonzero(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary without the parts that come to nothing (a sale moved to another day leaves zeros)."""
    return {
        name: {k: v for k, v in value.items() if not isinstance(v, dict) or any(v.values())}
        if name != "totals"
        else value
        for name, value in summary.items()
    }


def test_the_roll_ups_add_up_to_the_digest(views: list[tuple[str, str]]) -> None:
    """Each scope's roll-ups (one partition per day and month) give the figures the digest sums
    from every row of the month's days: day, day before and month to date."""
    district = views[0][1].split("&")[0].removeprefix("district=")
    for scope in (Scope(district=district), Scope(district=district, block="Block-1")):
        built = digest.build(DAY, report_settings(), scope, previous_day=True)
        shown = view.build(DAY, scope, datetime.now(UTC))
        for period in ("day", "prev", "mtd"):
            assert _nonzero(shown.summary(period)) == _nonzero(built.summary(period)), (scope, period)
        mtd_parts = {p.key: p.counters["gmv_paise"] for p in shown.parts("mtd")}
        dimension = "shg" if scope.block else "block"
        rows = {
            r.key.rsplit("/", 1)[-1]: r.counters["gmv_paise"]
            for r in built.rows
            if (r.period, r.dimension) == ("mtd", dimension)
        }
        assert mtd_parts == {k: v for k, v in rows.items() if v}


def test_a_month_of_roll_ups_is_summed_again_from_its_days(
    views: list[tuple[str, str]], cli: Callable[..., Any]
) -> None:
    """`haat digest rebuild-views`: for days tallied before the roll-ups existed."""
    district = views[0][1].split("&")[0].removeprefix("district=")
    scope = Scope(district=district)
    before = view.build(DAY, scope, datetime.now(UTC)).summary("mtd")
    table = aws.table(settings().REPORTS_TABLE)
    for period in (DAY.isoformat(), f"{DAY:%Y-%m}"):
        for item in table.query(KeyConditionExpression=Key("pk").eq(f"VIEW#{period}#{district}"))["Items"]:
            table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    assert view.build(DAY, scope, datetime.now(UTC)).summary("mtd") != before
    outcome = json.loads(cli("digest", "rebuild-views", "--month", f"{DAY:%Y-%m}").output)
    assert outcome["roll_up_items"] > 0
    assert view.build(DAY, scope, datetime.now(UTC)).summary("mtd") == before


def test_a_warm_container_remembers_the_names_it_looked_up(
    api_url: str, views: list[tuple[str, str]]
) -> None:
    """SHG and member names (and the SHGs' coordinators) are kept for five minutes per container:
    a coordinator's next view of her block asks the registry for none of them again."""
    token, query = views[1]
    [cold] = _calls(api_url, [views[1]])
    with aws_calls.installed() as recorder:
        request = urllib.request.Request(
            f"{api_url}/dashboard/view?{query}", headers={"Authorization": f"Bearer {token}"}
        )
        with recorder.recording("warm"), urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
    assert cold["dynamodb:BatchGetItem"] == 1
    assert recorder.operations["warm"]["dynamodb:BatchGetItem"] == 0
