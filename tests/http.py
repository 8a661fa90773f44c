"""HTTP calls to the local API as a client makes them (real requests to Chalice's local server)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def get_json(url: str, token: str | None = None) -> tuple[int, Any]:
    """(status, JSON body) of a GET, with a bearer token when given; error statuses are returned."""
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
