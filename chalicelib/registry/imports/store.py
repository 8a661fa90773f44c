"""Registry import records, typed: the ops table (chalicelib/ops.py) keeps them as plain items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib import ops
from chalicelib.imports import RowError
from chalicelib.registry.imports.models import ImportRecord, Status

COUNTERS = ("created", "updated", "unchanged", "rejected", "errors_kept")


def create(record: ImportRecord) -> None:
    listed = {"district": record.importer.district, "created_by": record.created_by}
    ops.create_registry_import(record.import_id, record.model_dump(mode="json"), listed)


def get(import_id: str) -> ImportRecord | None:
    found = ops.registry_import(import_id)
    return ImportRecord.model_validate(found) if found else None


def update(import_id: str, **fields: Any) -> None:
    ops.update_registry_import(import_id, **fields)


def complete_if_done(import_id: str, finished_at: str) -> bool:
    """Mark the import completed once every chunk is sent and counted (only the last caller does)."""
    return ops.finish_registry_import(
        import_id,
        when={"chunks_sent": True, "status": Status.APPLYING.value},
        then={"status": Status.COMPLETED.value, "finished_at": finished_at},
    )


def add_notes(import_id: str, notes: Iterable[tuple[str, RowError]]) -> int:
    return ops.put_registry_import_notes(
        import_id, ({"level": level, **note.model_dump()} for level, note in notes)
    )


def notes(import_id: str, limit: int) -> tuple[list[tuple[str, RowError]], bool]:
    """Up to `limit` row notes ("error" or "warning") in row order, and whether there are more."""
    found, more = ops.registry_import_notes(import_id, limit)
    return [(str(item.pop("level")), RowError.model_validate(item)) for item in found], more


def chunk(import_id: str, index: int) -> dict[str, Any] | None:
    return ops.registry_import_chunk(import_id, index)


def plan_chunk(import_id: str, index: int, counts: dict[str, int]) -> dict[str, Any]:
    return ops.plan_registry_import_chunk(import_id, index, counts)


def count_chunk(import_id: str, index: int, counts: dict[str, Any]) -> None:
    ops.count_registry_import_chunk(import_id, index, {name: int(counts.get(name, 0)) for name in COUNTERS})


def recent(limit: int) -> list[str]:
    return ops.recent_registry_imports(limit)
