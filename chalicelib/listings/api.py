"""REST glue for listings: export a channel's file for an area, read the area's listing states,
and import what the channel then said (its listing status report)."""

from __future__ import annotations

from chalice import Chalice, Response
from pydantic import BaseModel, Field, ValidationError

from chalicelib import access, imports
from chalicelib.api import principal_of, query_param, raw_body
from chalicelib.imports import ImportRejected, received_file
from chalicelib.listings import service, status
from chalicelib.listings.service import Include

UPLOAD_PREFIX = "imports/listings/"
MAX_FILE_BYTES = 5 * 1024 * 1024


class ExportRequest(BaseModel):
    district: str = Field(default="", max_length=80)
    block: str = Field(default="", max_length=80)
    include: Include = Include.NEW


def _error(status_code: int, message: str) -> Response:
    return Response(body={"error": message}, status_code=status_code)


def export(app: Chalice, channel: str) -> Response:
    """The listing file itself (CSV or JSON), named for the area; its counts in X-Haat-* headers."""
    principal = principal_of(app)
    try:
        asked = ExportRequest.model_validate_json(raw_body(app) or b"{}")
        made = service.export(
            principal,
            service.channel_of(channel),
            district=asked.district,
            block=asked.block,
            include=asked.include,
        )
    except ValidationError as error:
        return _error(400, "; ".join(str(d["msg"]) for d in error.errors()))
    except service.Refused as error:
        return _error(error.status, str(error))
    result = made.result
    return Response(
        body=made.content.decode(),
        status_code=200,
        headers={
            "Content-Type": result.content_type,
            "Content-Disposition": f'attachment; filename="{result.file_name}"',
            "X-Haat-Export-Id": result.export_id,
            "X-Haat-Products": str(result.products),
            "X-Haat-Not-Ready": str(result.not_ready),
            "X-Haat-Left-Out": str(result.left_out),
        },
    )


def listing_states(app: Chalice, channel: str) -> Response:
    """Each product of the area with a SKU on the channel: not ready, ready, exported, live or rejected."""
    principal = principal_of(app)
    try:
        on = service.channel_of(channel)
    except service.Refused as error:
        return _error(error.status, str(error))
    groups = service.area(
        principal, "listings:read", query_param(app, "district") or "", query_param(app, "block") or ""
    )
    found = [entry.view() for entry in service.entries(on, groups)]
    counts: dict[str, int] = {}
    for entry in found:
        counts[str(entry["state"])] = counts.get(str(entry["state"]), 0) + 1
    return Response(body={"channel": on.value, "counts": counts, "products": found}, status_code=200)


def status_report(app: Chalice, channel: str) -> Response:
    """What the channel said per SKU (its report as the body, or `{"key"}` of an upload)."""
    principal = principal_of(app)
    access.require(principal, "listings:mark")
    try:
        on = service.channel_of(channel)
        content, _ = received_file(app, read_uploaded, UPLOAD_PREFIX)
        result = service.new_mark(on)
        service.mark(principal, on, status.read(content, result), result)
    except service.Refused as error:
        return _error(error.status, str(error))
    except ImportRejected as error:
        return _error(error.status, str(error))
    return Response(body=result.model_dump(mode="json"), status_code=200)


def read_uploaded(key: str) -> bytes:
    return imports.read_uploaded(key, UPLOAD_PREFIX, MAX_FILE_BYTES)


def upload_target(app: Chalice, channel: str) -> Response:
    access.require(principal_of(app), "listings:mark")
    try:
        on = service.channel_of(channel)
    except service.Refused as error:
        return _error(error.status, str(error))
    return Response(body=imports.upload_target(UPLOAD_PREFIX, f"{on.value}-listing-status"), status_code=201)
