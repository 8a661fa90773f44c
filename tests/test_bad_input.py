"""Whatever a caller puts in a path, a query or a header, the API answers 4xx, never 500."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from chalicelib.auth import Role, issue_local_token

ODD_VALUES = ["x" * 3000, "\u00b2", "😀" * 50, "..%2F..%2Fetc", "a b", "=HYPERLINK(1)", "%00"]
CALLS = [
    ("GET", "/orders/amazon/{value}"),
    ("GET", "/orders/{value}/408-1"),
    ("GET", "/products/{value}/photos"),
    ("GET", "/products/P-SGR-SOZ-01/photos?key={value}"),
    ("GET", "/shgs/{value}/products"),
    ("GET", "/shgs?district={value}"),
    ("GET", "/upload/{value}"),
    ("GET", "/imports/registry/{value}"),
    ("GET", "/imports/registry/{value}/report.csv"),
    ("GET", "/members/{value}/history"),
    ("GET", "/products/{value}/history"),
    ("PATCH", "/members/{value}"),
    ("PATCH", "/products/{value}"),
    ("POST", "/products/{value}/restock"),
]


def _status(url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("call", CALLS, ids=" ".join)
@pytest.mark.parametrize("role", [Role.MISSION_ADMIN, Role.DISTRICT_COORDINATOR], ids=lambda r: r.value)
def test_odd_path_values_get_a_4xx(api_url: str, call: tuple[str, str], role: Role) -> None:
    method, path = call
    token = issue_local_token("odd", role, district="Srinagar")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = None if method == "GET" else b'{"quantity": 1, "price": "10"}'
    for value in ODD_VALUES:
        url = api_url + path.format(value=urllib.parse.quote(value, safe="%"))
        status = _status(url, headers, method, body)
        assert status < 500, (path, value[:20], status)


@pytest.mark.parametrize(
    "header", ["Authorization", "X-Haat-Outlet", "X-Haat-Timestamp", "X-Haat-Signature", "Content-Type"]
)
def test_odd_webhook_headers_get_a_4xx(api_url: str, header: str) -> None:
    for value in [
        "\u00b2",
        "x" * 8000,
        "Signature " + "a=" * 500,
        'Signature keyId="a|b|ed25519",created="1"',
    ]:
        headers = {"Content-Type": "application/json", header: value}
        for channel in ("haat", "ondc"):
            status = _status(f"{api_url}/webhooks/{channel}", headers, "POST", b'{"a": 1}')
            assert status < 500, (header, value[:20], status)
