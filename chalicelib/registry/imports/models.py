"""An import as recorded and reported, and the messages that carry it through the queue."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.auth import Principal
from chalicelib.imports import RowError
from chalicelib.registry.imports.columns import Kind


class Status(StrEnum):
    QUEUED = "queued"  # recorded, the file not read yet
    READING = "reading"  # the file is being read and checked row by row
    APPLYING = "applying"  # valid rows are being applied, chunk by chunk
    COMPLETED = "completed"
    REJECTED = "rejected"  # the file as a whole cannot be imported (see `message`); nothing applied


class ImportRecord(BaseModel):
    """One file's import: what it was, how far it got, and the counts of its rows' outcomes.

    rows = invalid (failed the file checks) + created + updated + unchanged + rejected (refused
    against the registry: unknown SHG, outside the importer's area, ...) once completed."""

    import_id: str
    kind: Kind | None = None
    file_name: str
    key: str
    status: Status = Status.QUEUED
    created_at: str
    created_by: str
    importer: Principal
    finished_at: str = ""
    message: str = ""
    file_format: str = ""
    file_bytes: int = 0
    header_row: int = 0
    columns: dict[str, str] = Field(default_factory=dict, description="field -> the file's header")
    ignored_columns: list[str] = Field(default_factory=list)
    missing_columns: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rows: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    chunks_total: int | None = None
    chunks_sent: bool = False
    chunks_done: int = 0
    errors_kept: int = 0

    @property
    def applied_rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected


class Report(BaseModel):
    """What `imports show` and GET /imports/registry/{id} give: the record and its row notes."""

    record: ImportRecord
    errors: list[RowError]
    warnings: list[RowError]
    more: bool = Field(description="more notes than listed: ask for the CSV report")


class ReadFile(BaseModel):
    step: Literal["read"] = "read"
    import_id: str


class ApplyChunk(BaseModel):
    """A chunk of checked rows, carried as the file's cells (checked again when applied)."""

    step: Literal["apply"] = "apply"
    import_id: str
    kind: Kind
    chunk: int
    index_of: dict[str, int]
    headers: dict[str, str]
    rows: list[tuple[int, list[str]]]


class Step(BaseModel):
    step: ReadFile | ApplyChunk = Field(discriminator="step")
