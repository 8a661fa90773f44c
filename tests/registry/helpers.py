"""Registry files as districts send them, and the API calls a coordinator makes with them."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from typing import Any

from chalice import Chalice
from chalice.test import Client

from chalicelib.auth import Role, issue_local_token
from haat_tools.local import runner

SHG_HEADERS = [
    "SHG Code",
    "SHG Name",
    "State",
    "District",
    "Block",
    "Gram Panchayat",
    "Village",
    "VO Name",
    "CLF Name",
    "Formation Date",
]
MEMBER_HEADERS = [
    "Member Code",
    "SHG Code",
    "Member Name",
    "Mobile No",
    "Designation",
    "Gender",
    "Social Category",
    "PVTG",
]
PRODUCT_HEADERS = [
    "SHG Code",
    "SKU",
    "Title",
    "Short Name (Hindi)",
    "Craft",
    "Price (Rs)",
    "Stock",
    "GI Tag",
    "Maker Member Codes",
    "Flipkart SKU",
]


def table(headers: list[str], rows: list[list[str]], *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def shg(code: str, district: str = "Srinagar", **overrides: str) -> list[str]:
    values = {
        "code": code,
        "name": f"Mahila SHG {code}",
        "state": "Jammu and Kashmir",
        "district": district,
        "block": "Harwan",
        "gp": "Dara",
        "village": "Dara",
        "vo": "Dara VO",
        "clf": "Harwan CLF",
        "formed": "12-03-2019",
    }
    values.update(overrides)
    return list(values.values())


def member(code: str, shg_code: str, mobile: str = "", **overrides: str) -> list[str]:
    values = {
        "code": code,
        "shg": shg_code,
        "name": f"Member {code}",
        "mobile": mobile or "98" + str(abs(hash(code)) % 10**8).zfill(8),
        "role": "Member",
        "gender": "Female",
        "category": "ST",
        "pvtg": "No",
    }
    values.update(overrides)
    return list(values.values())


def product(sku: str, shg_code: str, **overrides: str) -> list[str]:
    values = {
        "shg": shg_code,
        "sku": sku,
        "title": f"Papier-mache box {sku}",
        "short_hi": "पेपर माशी डिब्बा",
        "craft": "Papier mache",
        "price": "1,800",
        "stock": "10",
        "gi": "Papier-mache",
        "makers": "",
        "flipkart": f"FK-{sku}",
    }
    values.update(overrides)
    return list(values.values())


def token(role: Role = Role.MISSION_ADMIN, district: str = "", subject: str = "mis-officer") -> str:
    return issue_local_token(subject, role, district=district)


def headers(bearer: str, content_type: str = "application/json") -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer}", "Content-Type": content_type}


def upload(client: Client, content: bytes, file_name: str, bearer: str) -> str:
    """POST /imports/registry/uploads, then PUT the file to the presigned URL (as curl would)."""
    response = client.http.post(
        "/imports/registry/uploads", headers=headers(bearer), body=json.dumps({"file_name": file_name})
    )
    assert response.status_code == 201, response.body
    target = response.json_body
    request = urllib.request.Request(target["upload_url"], data=content, method="PUT")
    request.add_header("Content-Type", "application/octet-stream")
    with urllib.request.urlopen(request, timeout=30) as put:
        assert put.status == 200
    return str(target["key"])


def run_import(
    client: Client,
    app: Chalice,
    content: bytes,
    file_name: str,
    *,
    bearer: str | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Upload, start, let the consumer apply it, and GET the report, as a coordinator's tool would."""
    bearer = bearer or token()
    key = upload(client, content, file_name, bearer)
    body: dict[str, Any] = {"key": key, "file_name": file_name}
    if kind:
        body["kind"] = kind
    started = client.http.post("/imports/registry", headers=headers(bearer), body=json.dumps(body))
    assert started.status_code == 202, started.body
    import_id = started.json_body["import_id"]
    runner.drain(app, runner.binding("on_registry_import"))
    report = client.http.get(f"/imports/registry/{import_id}", headers=headers(bearer))
    assert report.status_code == 200, report.body
    result: dict[str, Any] = report.json_body
    return result


def notes(report: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    """row -> [(column, reason)] of the report's errors."""
    found: dict[int, list[tuple[str, str]]] = {}
    for error in report["errors"]:
        found.setdefault(error["row"], []).append((error["column"], error["reason"]))
    return found
