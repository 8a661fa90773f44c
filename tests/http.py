"""HTTP calls to the local API as a client makes them (real requests to Chalice's local server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any


def _json_call(request: urllib.request.Request, token: str | None) -> tuple[int, Any]:
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get_json(url: str, token: str | None = None) -> tuple[int, Any]:
    """(status, JSON body) of a GET, with a bearer token when given; error statuses are returned."""
    return _json_call(urllib.request.Request(url), token)


def post_json(url: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    """(status, JSON body) of a POST with a JSON body, as a client sends it."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    return _json_call(request, token)


def post_form(
    url: str, fields: dict[str, str], file_name: str, data: bytes, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    """POST a multipart/form-data form with one file last, as a browser sends an S3 presigned POST;
    (status, response headers)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(url, data=b"".join(parts), method="POST", headers=headers or {})
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
