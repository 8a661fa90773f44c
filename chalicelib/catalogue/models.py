"""Catalogue records: what an upload event says, and what Haat keeps about each photo version."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.catalogue.quality import Code, Finding, Verdict


class Upload(BaseModel):
    """One S3 object version under uploads/{shg_id}/{product_id}/{file_name}."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    version_id: str = ""  # S3 sends it for versioned buckets (moto does not)
    etag: str = ""
    size: int = 0
    event_time: str = ""
    sequencer: str = ""  # orders the events of one key (hex; compare right-aligned)

    @property
    def parts(self) -> list[str]:
        return self.key.split("/", 3)

    @property
    def shg_id(self) -> str:
        return self.parts[1] if len(self.parts) == 4 else "unfiled"

    @property
    def product_id(self) -> str:
        return self.parts[2] if len(self.parts) == 4 else "unfiled"

    @property
    def file_name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def revision(self) -> str:
        """Identity of this object version: its S3 version id, else its content's ETag."""
        return self.version_id or (f"etag-{self.etag}" if self.etag else "null")

    @property
    def file_id(self) -> str:
        """Short, stable id of the object key (S3 keys may be longer than a DynamoDB sort key)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:24]


class Rendition(BaseModel):
    name: str
    key: str
    content_type: str
    width: int
    height: int
    bytes: int


class PhotoStatus(StrEnum):
    PROCESSED = "processed"


class PhotoOutcome(BaseModel):
    """What judging and rendering one upload found (filled in step by step by the pipeline)."""

    findings: list[Finding] = Field(default_factory=list)
    source_format: str = ""
    source_width: int = 0
    source_height: int = 0
    source_bytes: int = 0
    sha256: str = ""
    phash: str = ""
    duplicate_of: str = ""
    renditions: list[Rendition] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class PhotoRecord(PhotoOutcome):
    """One photo version's verdict, reasons, renditions and provenance (no personal data)."""

    product_id: str
    shg_id: str
    key: str
    file_name: str
    version_id: str
    file_id: str
    status: PhotoStatus = PhotoStatus.PROCESSED
    verdict: Verdict
    codes: list[Code]
    event_time: str = ""
    sequencer: str = ""
    processed_at: int


class ChannelReadiness(BaseModel):
    ready: bool
    missing: list[str]


class ProductReadiness(BaseModel):
    """Whether a product can be listed on each channel: an accepted main image plus its fields."""

    product_id: str
    accepted_main_images: int
    channels: dict[str, ChannelReadiness]
