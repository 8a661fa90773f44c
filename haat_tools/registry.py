"""Registry files into any stage through the import path the API uses (upload, queue, chunks).

The CLI, `seed`, the demo and the benchmark all come through here: a file is put under
imports/registry/ in the uploads bucket, its import is recorded and queued exactly as
POST /imports/registry does, and the caller waits for the record to complete while the stage's
consumer applies it (a private local stack has no consumer running: `process` drains its queue).
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from chalicelib import aws
from chalicelib.auth import Principal, Role
from chalicelib.imports import ImportRejected
from chalicelib.registry.imports import service
from chalicelib.registry.imports.columns import KIND_ORDER, Kind
from chalicelib.registry.imports.models import Report, Status
from chalicelib.registry.imports.reader import open_sheet

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "registry"
FINISHED = {Status.COMPLETED, Status.REJECTED}


def operator(stage: str) -> Principal:
    """Who the CLI acts as: a mission admin named after the AWS caller (or the local user)."""
    if stage == "local":
        return Principal(subject=f"cli:{getpass.getuser()}", role=Role.MISSION_ADMIN)
    arn = aws.client("sts").get_caller_identity()["Arn"]
    return Principal(subject=f"cli:{arn}", role=Role.MISSION_ADMIN)


def kind_of(path: Path) -> Kind | None:
    """The file's kind from its header (None if Haat cannot tell; the import will say why)."""
    try:
        return open_sheet(path.read_bytes(), None).headers.kind
    except ImportRejected:
        return None


def in_order(paths: Iterable[Path]) -> list[Path]:
    """SHGs before artisans before members before products: each needs the ones before it."""
    ranked = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
    return sorted(paths, key=lambda p: (ranked.get(kind_of(p), len(ranked)), p.name))  # type: ignore[arg-type]


def wait(
    import_id: str,
    process: Callable[[], object] | None,
    timeout_s: float,
    on_progress: Callable[[Report], None] | None = None,
) -> Report:
    """The import's report once it is completed or rejected."""
    deadline = time.monotonic() + timeout_s
    while True:
        worked = process() if process is not None else False
        report = service.report(import_id)
        assert report is not None
        if on_progress is not None:
            on_progress(report)
        if report.record.status in FINISHED:
            return report
        if time.monotonic() > deadline:
            raise TimeoutError(f"import {import_id} is still {report.record.status.value}")
        if not worked:
            time.sleep(0.2 if process else 2)


def import_file(
    path: Path,
    importer: Principal,
    *,
    kind: Kind | None = None,
    process: Callable[[], object] | None = None,
    timeout_s: float = 3600,
    on_progress: Callable[[Report], None] | None = None,
) -> Report:
    key = service.store_file(path.read_bytes(), path.name)
    record = service.start(key, importer, kind=kind, file_name=path.name)
    return wait(record.import_id, process, timeout_s, on_progress)


def import_samples(process: Callable[[], object] | None) -> list[Report]:
    """samples/registry/*.csv, in order, as a local operator would import them."""
    importer = operator("local")
    return [import_file(path, importer, process=process) for path in in_order(SAMPLES.glob("*.csv"))]
