"""Benchmark: a 1-lakh-row member export through the registry import path, within function limits.

One embedded moto server. 10,000 SHGs are imported first (every member needs her SHG), then a
100,000-row member export (CSV) goes through the real path: upload, `read` step, chunk steps on the
registry-imports queue, each delivered to the real `on_registry_import` handler. Measured:

- rows per second end to end, against the floor of the same run: the same 100,000 member items
  written straight with BatchWriteItem (ratio = import rows/s / floor rows/s);
- DynamoDB item writes per row (registry and ops tables; botocore hooks count every item of
  every PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems);
- the longest single invocation of each step against the function's 300 s timeout;
- the same file imported again: it must write nothing to the registry (a changed row is one
  transaction: the member and its history record; see tests/registry for what changes);
- parsing alone: CSV and XLSX rows per second, outside moto.

Wall times are moto's (it is slower than DynamoDB per call); the write counts are what DynamoDB
would bill.

    python bench/registry_import.py            # 100,000 members
    python bench/registry_import.py --quick    # 10,000 (or BENCH_REGISTRY_ROWS=n)

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import openpyxl

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.registry import districts, repository
from chalicelib.registry.imports import service
from chalicelib.registry.imports.reader import open_sheet
from chalicelib.registry.imports.rows import check
from chalicelib.registry.models import Member
from haat_tools import registry as registry_files
from haat_tools.local import runner, stack

MEMBERS_PER_SHG = 10
FUNCTION_TIMEOUT_S = 300
SHG_HEADERS = ["SHG Code", "SHG Name", "State", "District", "Block", "Village", "Formation Date"]
MEMBER_HEADERS = [
    "Member Code",
    "SHG Code",
    "Member Name",
    "Mobile No",
    "Designation",
    "Gender",
    "Social Category",
]


class ItemWrites:
    """Items written per table (botocore before-parameter-build hook on every client)."""

    def __init__(self) -> None:
        self.items: Counter[str] = Counter()
        self.transact_items = 0
        session = boto3.DEFAULT_SESSION or boto3.setup_default_session() or boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register("before-parameter-build.dynamodb", self._count)
        aws.reset()

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in {"PutItem", "UpdateItem", "DeleteItem"}:
            self.items[params["TableName"]] += 1
        elif model.name == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                self.items[table] += len(requests)
        elif model.name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                for body in entry.values():
                    self.items[body["TableName"]] += 1
                    self.transact_items += 1

    def reset(self) -> None:
        self.items.clear()
        self.transact_items = 0


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def shg_rows(count: int) -> list[list[str]]:
    names = districts.known_districts()
    return [
        [
            f"BN{n:06d}",
            f"Mahila SHG {n}",
            "Jammu and Kashmir",
            names[n % len(names)],
            "Block",
            "Village",
            "12-03-2019",
        ]
        for n in range(count)
    ]


def member_rows(count: int) -> list[list[str]]:
    rows = []
    for n in range(count):
        mobile = 9_000_000_000 + n
        rows.append(
            [
                f"BN{n // MEMBERS_PER_SHG:06d}-M{n % MEMBERS_PER_SHG}",
                f"BN{n // MEMBERS_PER_SHG:06d}",
                f"Member {n}",
                str(mobile),
                "Member",
                "Female",
                "ST",
            ]
        )
    return rows


def run_import(app: Any, path: Path, writes: ItemWrites) -> dict[str, Any]:
    """Import a file through the queue, one step per invocation, timing each."""
    binding = runner.binding("on_registry_import")
    writes.reset()
    started = time.perf_counter()
    key = service.store_file(path.read_bytes(), path.name)
    record = service.start(key, registry_files.operator("local"), file_name=path.name)
    steps: list[float] = []
    while True:
        before = time.perf_counter()
        if runner.drain(app, binding, max_invocations=1).invocations:
            steps.append(time.perf_counter() - before)
            continue
        report = service.report(record.import_id, 10)
        assert report is not None
        if report.record.status.value in {"completed", "rejected"}:
            break
    seconds = time.perf_counter() - started
    final = report.record
    config = settings()
    return {
        "rows": final.rows,
        "created": final.created,
        "updated": final.updated,
        "unchanged": final.unchanged,
        "bad_rows": final.invalid + final.rejected,
        "seconds": round(seconds, 1),
        "rows_per_s": round(final.rows / seconds),
        "chunks": final.chunks_total,
        "read_step_s": round(steps[0], 2),
        "longest_apply_step_s": round(max(steps[1:], default=0.0), 2),
        "registry_writes": writes.items[config.REGISTRY_TABLE],
        "ops_writes": writes.items[config.OPS_TABLE],
        "transact_items": writes.transact_items,
    }


def floor(count: int) -> dict[str, Any]:
    """The same member items written straight, 25 a BatchWriteItem: no reads, no checks."""
    started = time.perf_counter()
    repository.put_items(
        repository.member_item(
            Member(member_id=f"FL{n:07d}", shg_id="FLOOR", name="x", phone="+919000000000")
        )
        for n in range(count)
    )
    seconds = time.perf_counter() - started
    return {"rows": count, "seconds": round(seconds, 1), "rows_per_s": round(count / seconds)}


def parse_only(content: bytes, label: str) -> dict[str, Any]:
    started = time.perf_counter()
    sheet = open_sheet(content, None)
    rows = 0
    for line, cells in sheet.rows:
        row, errors = check(sheet.headers.kind, line, cells, sheet.headers, today=date(2026, 11, 30))
        assert row is not None, errors
        rows += 1
    seconds = time.perf_counter() - started
    return {"format": label, "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


def xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Members")
    sheet.append(headers)
    for row in rows:
        sheet.append([int(row[3]) if i == 3 else v for i, v in enumerate(row)])  # mobiles as number cells
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 members instead of 100,000")
    args = parser.parse_args()
    count = int(os.environ.get("BENCH_REGISTRY_ROWS", "10000" if args.quick else "100000"))
    members = member_rows(count)
    member_csv = _csv(MEMBER_HEADERS, members)
    parsing = [parse_only(member_csv, "csv"), parse_only(xlsx(MEMBER_HEADERS, members), "xlsx")]
    for result in parsing:
        print(f"parse {result['format']:4}  {result['rows']} rows: {result['rows_per_s']} rows/s")
    work = Path(tempfile.mkdtemp(prefix="haat-bench-registry-"))
    (work / "shgs.csv").write_bytes(_csv(SHG_HEADERS, shg_rows(count // MEMBERS_PER_SHG)))
    (work / "members.csv").write_bytes(member_csv)
    runs = (("shgs", "shgs.csv"), ("members", "members.csv"), ("again", "members.csv"))
    with stack.running():
        app = runner.load_app()
        writes = ItemWrites()
        results = {}
        for name, file in runs:
            results[name] = r = run_import(app, work / file, writes)
            print(
                f"{name:8} {r['rows']:>7} rows: {r['created']} created, {r['updated']} updated,"
                f" {r['unchanged']} unchanged, {r['seconds']} s ({r['rows_per_s']} rows/s),"
                f" {r['registry_writes']} registry + {r['ops_writes']} ops item writes,"
                f" read step {r['read_step_s']} s, longest chunk {r['longest_apply_step_s']} s"
            )
        baseline = floor(count)
        print(f"floor    {count:>7} rows written straight: {baseline['rows_per_s']} rows/s")
    first, again = results["members"], results["again"]
    summary = {
        "benchmark": "registry_import",
        "rows": count,
        "rows_per_s": first["rows_per_s"],
        "floor_rows_per_s": baseline["rows_per_s"],
        "rows_per_s_ratio_to_floor": round(first["rows_per_s"] / baseline["rows_per_s"], 2),
        "registry_writes_per_row": round(first["registry_writes"] / count, 3),
        "ops_writes_per_row": round(first["ops_writes"] / count, 4),
        "reimport_registry_writes": again["registry_writes"],
        "reimport_unchanged_rows": again["unchanged"],
        "read_step_s": first["read_step_s"],
        "longest_apply_step_s": max(first["longest_apply_step_s"], again["longest_apply_step_s"]),
        "function_timeout_s": FUNCTION_TIMEOUT_S,
        "chunks": first["chunks"],
        "parse_csv_rows_per_s": parsing[0]["rows_per_s"],
        "parse_xlsx_rows_per_s": parsing[1]["rows_per_s"],
        "imports": results,
        "floor": baseline,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
