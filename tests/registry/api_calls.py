"""Registry routes called over HTTP as a coordinator's browser or script would (real requests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from chalicelib.auth import Role, issue_local_token


def call(url: str, method: str = "GET", body: Any = None, *, data: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        method=method,
        data=data if data is not None else (json.dumps(body).encode() if body is not None else None),
    )
    request.add_header("Authorization", f"Bearer {issue_local_token('iam-test', Role.MISSION_ADMIN)}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def import_through_api(api_url: str, path: Path) -> str:
    """Presigned upload, PUT, then POST /imports/registry; the import id."""
    status, target = call(f"{api_url}/imports/registry/uploads", "POST", {"file_name": path.name})
    assert status == 201, target
    put = urllib.request.Request(target["upload_url"], data=path.read_bytes(), method="PUT")
    put.add_header("Content-Type", "text/csv")  # urllib's default (a form) would reach S3 as no body
    with urllib.request.urlopen(put, timeout=30) as response:
        assert response.status == 200
    status, record = call(f"{api_url}/imports/registry", "POST", {"key": target["key"]})
    assert status == 202, record
    return str(record["import_id"])


def read_and_edit_through_api(api_url: str, import_id: str) -> None:
    """Every registry read and edit route once."""
    for url in (f"{api_url}/imports/registry/{import_id}", f"{api_url}/imports/registry"):
        assert call(url)[0] == 200
    edits = (
        ("PATCH", "/members/JK-SGR-0001-M01", {"language": "ur"}),
        ("PATCH", "/products/P-SGR-PM-02", {"price": "1800"}),
        ("POST", "/products/P-SGR-PM-02/restock", {"quantity": 1}),
    )
    for method, path, body in edits:
        status, answer = call(f"{api_url}{path}", method, body)
        assert status == 200, answer
    assert call(f"{api_url}/products/P-SGR-PM-02/history")[0] == 200
