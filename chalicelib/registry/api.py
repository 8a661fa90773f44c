"""REST glue for the registry: imports in (presigned upload, then import by key), reports out,
and the scoped edits of one member or product.

Who may (chalicelib/access.py): importing is for mission admins and coordinators, each row within the
importer's area (rows outside it are refused one by one, when applied, with a reason); an import's
report is for whoever holds the importer's area; edits and history are for anyone whose area holds the
member's or product's group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalice import Chalice, Response
from pydantic import BaseModel, ValidationError

from chalicelib import access
from chalicelib.api import principal_of, query_param, raw_body
from chalicelib.auth import Principal
from chalicelib.imports import ImportRejected
from chalicelib.registry import edits, repository
from chalicelib.registry.imports import service
from chalicelib.registry.imports.columns import Kind
from chalicelib.registry.imports.models import ImportRecord, Report
from chalicelib.registry.models import Member, Product

REPORTED_NOTES = 1000
E = TypeVar("E", bound=edits.Edit)
M = TypeVar("M", Member, Product)


class ImportRequest(BaseModel):
    key: str
    kind: Kind | None = None
    file_name: str = ""


class UploadRequest(BaseModel):
    file_name: str = "registry.csv"


def _error(status: int, message: str) -> Response:
    return Response(body={"error": message}, status_code=status)


def _invalid(error: ValidationError) -> Response:
    reasons = [
        f"{'.'.join(str(p) for p in d['loc']) or 'body'}: {str(d['msg']).removeprefix('Value error, ')}"
        for d in error.errors()
    ]
    return Response(body={"error": "; ".join(reasons)}, status_code=400)


# --- imports -----------------------------------------------------------------------------------


def upload_target(app: Chalice) -> Response:
    access.require(principal_of(app), "imports:registry")
    try:
        request = UploadRequest.model_validate_json(raw_body(app) or b"{}")
    except ValidationError as error:
        return _invalid(error)
    return Response(body=service.upload_target(request.file_name), status_code=201)


def start_import(app: Chalice) -> Response:
    """202 with the import's record: it runs on the queue; GET its report for progress."""
    principal = principal_of(app)
    access.require(principal, "imports:registry")
    request = app.current_request
    assert request is not None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "text/csv":
            body = raw_body(app)
            if not body.strip():
                return _error(400, "the CSV body is empty")
            name = query_param(app, "file_name") or "registry.csv"
            kind = query_param(app, "kind")
            key = service.store_file(body, name)
            record = service.start(key, principal, kind=Kind(kind) if kind else None, file_name=name)
        else:
            started = ImportRequest.model_validate_json(raw_body(app) or b"{}")
            record = service.start(started.key, principal, kind=started.kind, file_name=started.file_name)
    except ValidationError as error:
        return _invalid(error)
    except ValueError as error:
        return _error(400, str(error))
    except ImportRejected as error:
        return _error(400, str(error))
    return Response(body=record.model_dump(mode="json"), status_code=202)


def _visible(principal: Principal, record: ImportRecord) -> bool:
    """The importer's own imports, and those of an area the caller holds (a mission admin's
    imports are the whole mission's)."""
    area = access.area_of(record.importer)
    return record.created_by == principal.subject or access.may(principal, "imports:registry", area)


def _report_for(app: Chalice, import_id: str, limit: int) -> Report | None:
    """The import's report if the caller may see it (None: not found, or not the caller's to see)."""
    principal = principal_of(app)
    access.require(principal, "imports:registry")
    report = service.report(import_id, limit)
    return report if report is not None and _visible(principal, report.record) else None


def import_report(app: Chalice, import_id: str) -> Response:
    report = _report_for(app, import_id, REPORTED_NOTES)
    if report is None:
        return _error(404, f"no import {import_id}")
    return Response(body=report.model_dump(mode="json"), status_code=200)


def import_report_csv(app: Chalice, import_id: str) -> Response:
    if _report_for(app, import_id, 0) is None:
        return _error(404, f"no import {import_id}")
    return Response(
        body=service.report_csv(import_id).decode(),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="import-{import_id}-report.csv"',
        },
    )


def imports(app: Chalice) -> dict[str, Any]:
    principal = principal_of(app)
    access.require(principal, "imports:registry")
    records = [r for r in service.recent() if _visible(principal, r)]
    return {
        "imports": [
            r.model_dump(mode="json", exclude={"columns", "ignored_columns", "notes"}) for r in records
        ]
    }


# --- edits -------------------------------------------------------------------------------------


def _group_resource(shg_id: str) -> access.Resource:
    """The places of a member's or product's group (the mission as a whole if it is unknown)."""
    group = repository.get_shg(shg_id)
    return access.Resource.of(group.district, group.block, group.shg_id) if group else access.MISSION


def _change(
    app: Chalice,
    body: type[E],
    current: Callable[[], M],
    action: str,
    apply: Callable[[M, E, str], dict[str, Any]],
) -> Response:
    """Find the member or product, check the caller's area, parse the body, apply: 200 with the
    change record, or 404 / 403 / 400 with the reason (nobody learns more of a member or product
    outside their area than that it exists)."""
    principal = principal_of(app)
    try:
        found = current()
    except edits.NotFound as error:
        return _error(404, str(error))
    access.require(principal, action, _group_resource(found.shg_id))
    try:
        request = body.model_validate_json(raw_body(app) or b"{}")
    except ValidationError as error:
        return _invalid(error)
    return Response(body=apply(found, request, principal.subject), status_code=200)


def edit_member(app: Chalice, member_id: str) -> Response:
    return _change(
        app,
        edits.MemberEdit,
        lambda: edits.member(member_id),
        "members:edit",
        lambda member, edit, by: edits.edit_member(member, edit, by=by, via="api"),
    )


def edit_product(app: Chalice, product_id: str) -> Response:
    return _change(
        app,
        edits.ProductEdit,
        lambda: edits.product(product_id),
        "products:edit",
        lambda product, edit, by: edits.edit_product(product, edit, by=by, via="api"),
    )


def restock(app: Chalice, product_id: str) -> Response:
    return _change(
        app,
        edits.Restock,
        lambda: edits.product(product_id),
        "products:edit",
        lambda product, request, by: edits.restock(product, request.quantity, by=by, via="api"),
    )


def history(app: Chalice, entity: str, entity_id: str) -> Response:
    principal = principal_of(app)
    try:
        shg_id = edits.member(entity_id).shg_id if entity == "MEMBER" else edits.product(entity_id).shg_id
    except edits.NotFound as error:
        return _error(404, str(error))
    access.require(principal, "registry:history", _group_resource(shg_id))
    return Response(body={"history": repository.history(entity, entity_id)}, status_code=200)
