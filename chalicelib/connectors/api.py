"""REST glue for connector routes: who may import, and how the file arrives.

An export comes either as the request body (`Content-Type: text/csv`, up to API Gateway's 10 MB and
Lambda's 6 MB request limits) or, for any size, as `{"key": ...}` naming a file the caller first
PUT to the presigned URL from POST /imports/orders/meesho/uploads.
"""

from __future__ import annotations

from collections.abc import Collection

from chalice import Chalice, Response

from chalicelib import access
from chalicelib.api import principal_of
from chalicelib.auth import Principal
from chalicelib.connectors.meesho import importer
from chalicelib.imports import ImportRejected, received_file, response_body
from chalicelib.registry import repository as registry


def _error(status: int, message: str) -> Response:
    return Response(body={"error": message}, status_code=status)


def import_meesho(app: Chalice) -> Response:
    principal = principal_of(app)
    access.require(principal, "imports:orders")
    try:
        content, source = received_file(app, importer.read_uploaded, importer.UPLOAD_PREFIX)
        result = importer.import_orders(
            content, source=source, imported_by=principal.subject, scope=_area_of(principal)
        )
    except ImportRejected as error:
        return _error(error.status, str(error))
    return Response(body=response_body(result), status_code=200 if result.accepted else 422)


def _area_of(principal: Principal) -> importer.Scope | None:
    """The import's row check: SKUs whose SHG is outside the caller's area are refused, each with
    the reason (none for a caller whose area is the whole mission)."""
    if access.may(principal, "imports:orders", access.MISSION):
        return None

    def refusals(skus: Collection[str]) -> dict[str, str]:
        pointers = registry.sku_pointers(importer.CHANNEL, skus)
        refused = {}
        for sku in skus:
            pointer = pointers.get(sku)
            if pointer is None:
                refused[sku] = f"SKU {sku} is not listed for Meesho in the registry (in no one's area)"
                continue
            place = access.Resource.of(pointer["district"], pointer["block"], pointer["shg_id"])
            if not access.may(principal, "imports:orders", place):
                refused[sku] = f"SKU {sku} is outside your area ({access.scope_of(principal)})"
        return refused

    return refusals


def meesho_upload_target(app: Chalice) -> Response:
    access.require(principal_of(app), "imports:orders")
    return Response(body=importer.upload_target(), status_code=201)
