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
    images: list[str] = Field(
        default_factory=list,
        description="the 'main' rendition keys of the accepted current photos, first uploaded first "
        "(what a listing shows; empty in readiness stored before Haat kept them)",
    )


class ListingState(StrEnum):
    """Where a ready product stands on a channel: ready is not listed until the channel says so."""

    EXPORTED = "exported"  # in a listing file or feed the mission took to the channel
    LIVE = "live"  # the channel lists it (its listing id kept)
    REJECTED = "rejected"  # the channel refused it (its reason kept, in the channel's words)


class ListingRecord(BaseModel):
    """A product's listing on one channel (pk=PRODUCT#{product_id}, sk=LISTING#{channel})."""

    product_id: str
    channel: str
    channel_sku: str
    shg_id: str
    state: ListingState
    export_id: str = ""
    exported_at: str = ""
    exported_by: str = ""
    listing_id: str = Field(default="", max_length=120, description="the channel's id: catalog id, FSN, ASIN")
    reason: str = Field(default="", max_length=500, description="the channel's reason for a rejection")
    updated_at: str
    updated_by: str
