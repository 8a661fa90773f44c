"""REST glue for settlement imports: mission admins import any report; coordinators import their
area's, each order checked against it (`importer`)."""

from __future__ import annotations

from chalice import Chalice, Response

from chalicelib import access
from chalicelib.api import principal_of
from chalicelib.connectors.settlements import formats, importer
from chalicelib.imports import ImportRejected, received_file, response_body


def import_report(app: Chalice, report: str) -> Response:
    principal = principal_of(app)
    access.require(principal, "settlements:import")
    if report not in formats.REPORTS:
        return Response(
            body={"error": f"unknown report: one of {', '.join(formats.FORMATS)}"}, status_code=404
        )
    try:
        content, source = received_file(app, importer.read_uploaded, importer.UPLOAD_PREFIX)
        result = importer.import_settlements(content, report=report, source=source, importer=principal)
    except ImportRejected as error:
        return Response(body={"error": str(error)}, status_code=error.status)
    return Response(body=response_body(result), status_code=200 if result.accepted else 422)


def upload_target(app: Chalice, report: str) -> Response:
    access.require(principal_of(app), "settlements:import")
    if report not in formats.REPORTS:
        return Response(
            body={"error": f"unknown report: one of {', '.join(formats.FORMATS)}"}, status_code=404
        )
    return Response(body=importer.upload_target(report), status_code=201)
