"""Photos from a phone, through the API: `POST /uploads` signs one photo for S3, the listing routes
show what a caller may work on, and the page and its assets are served small and cacheable.

Uploads go to the local S3 exactly as the page sends them (the presigned POST's form), and the
verdict is read back through `GET /products/{id}/photos?key=` as the page polls it.
"""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import yaml
from chalice import Chalice

from chalicelib.auth import Role, issue_local_token
from chalicelib.catalogue.uploads import safe_name
from chalicelib.config import settings
from haat_tools.local import runner, stack
from tests import photo_corpus
from tests.area import resource_person, seed_two_districts
from tests.http import get_json, post_form, post_json

PHOTOS = runner.binding("on_photo_uploaded")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PAGE_BUDGET_BYTES = 100 * 1024


@pytest.fixture
def area(local_aws: object, unique: str) -> dict[str, str]:
    return seed_two_districts(unique)


def photo_request(product_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "file_name": "stole.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
    } | (overrides)


def _policy(target: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(target["fields"]["policy"])))


def test_the_server_fixes_key_type_size_uploader_and_a_short_expiry(
    api_url: str, area: dict[str, str]
) -> None:
    request = photo_request(area["product"], file_name="DCIM/शॉल फोटो 1.JPG")
    status, target = post_json(f"{api_url}/uploads", request, resource_person(area["shg"]))
    assert status == 201, target
    assert re.fullmatch(rf"uploads/{area['shg']}/{area['product']}/{UUID}-शॉल-फोटो-1\.jpg", target["key"])
    assert target["max_bytes"] == settings().MAX_UPLOAD_BYTES
    assert target["url"].rstrip("/").endswith(settings().UPLOADS_BUCKET)
    policy = _policy(target)
    conditions = policy["conditions"]
    assert {"key": target["key"]} in conditions
    assert {"bucket": settings().UPLOADS_BUCKET} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"x-amz-meta-uploaded-by": "rp-sub-1"} in conditions
    assert ["content-length-range", 1, settings().MAX_UPLOAD_BYTES] in conditions
    expires = time.mktime(time.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
        time.gmtime()
    )
    assert 0 < expires <= 600
    assert target["fields"]["Content-Type"] == "image/jpeg"

    again = post_json(f"{api_url}/uploads", request, resource_person(area["shg"]))[1]
    assert again["key"] != target["key"], "two photos with the same name never overwrite each other"


@pytest.mark.parametrize(
    ("file_name", "content_type", "expected"),
    [
        ("IMG_20240101_101010.jpg", "image/jpeg", "IMG_20240101_101010.jpg"),
        ("शॉल फोटो 1.jpg", "image/jpeg", "शॉल-फोटो-1.jpg"),
        ("کانی شال.jpeg", "image/jpeg", "کانی-شال.jpeg"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\rp\\Pictures\\box.PNG", "image/png", "box.png"),
        ("IMG_0001.HEIC", "image/heic", "IMG_0001.heic"),
        ("1000012345", "image/webp", "1000012345.webp"),
        ("report.exe", "image/jpeg", "report.jpg"),
        ("....", "image/jpeg", "photo.jpg"),
        ("evil\u202egpj.exe", "image/jpeg", "evil-gpj.jpg"),
        ("a\x00b?c#d%e&f+g.jpg", "image/jpeg", "a-b-c-d-e-f-g.jpg"),
        ("x" * 300 + ".jpg", "image/jpeg", "x" * 60 + ".jpg"),
    ],
)
def test_safe_names_keep_any_script_and_nothing_that_could_escape_a_key_segment(
    file_name: str, content_type: str, expected: str
) -> None:
    assert safe_name(file_name, content_type) == expected


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"content_type": "application/pdf", "file_name": "bill.pdf"}, 415, "not_an_image_type"),
        ({"content_type": "image/bmp"}, 415, "not_an_image_type"),
        ({"content_type": "image/svg+xml"}, 415, "not_an_image_type"),
        ({"content_type": ""}, 415, "not_an_image_type"),
        ({"size": 25 * 1024 * 1024 + 1}, 413, "too_large"),
        ({"size": 0}, 400, "invalid_request"),
        ({"file_name": ""}, 400, "invalid_request"),
        ({"size": "big"}, 400, "invalid_request"),
    ],
)
def test_a_photo_that_cannot_be_accepted_is_refused_before_it_is_sent(
    api_url: str, area: dict[str, str], overrides: dict[str, Any], status: int, error: str
) -> None:
    answer = post_json(
        f"{api_url}/uploads", photo_request(area["product"], **overrides), resource_person(area["shg"])
    )
    assert answer[0] == status, answer
    assert answer[1]["error"] == error
    assert answer[1]["message"]


def test_upload_targets_only_for_products_the_caller_may_touch(api_url: str, area: dict[str, str]) -> None:
    def status(token: str | None, product_id: str) -> int:
        return post_json(f"{api_url}/uploads", photo_request(product_id), token)[0]

    own = resource_person(area["shg"])
    assert status(own, area["product"]) == 201
    assert status(own, area["product_elsewhere"]) == 403
    assert status(resource_person(area["shg_same_district"]), area["product"]) == 403
    coordinator = issue_local_token("dc", Role.DISTRICT_COORDINATOR, district=area["district"])
    assert status(coordinator, area["product"]) == 201
    assert status(coordinator, area["product_elsewhere"]) == 403
    assert status(issue_local_token("admin", Role.MISSION_ADMIN), area["product_elsewhere"]) == 201
    assert status(own, "P-does-not-exist") == 403, "a scoped caller learns nothing of unknown products"
    assert status(issue_local_token("admin", Role.MISSION_ADMIN), "P-does-not-exist") == 404
    both = resource_person(area["shg"], area["shg_elsewhere"])
    assert status(both, area["product_elsewhere"]) == 201, "a resource person of several SHGs"
    block = issue_local_token("bc", Role.BLOCK_COORDINATOR, district=area["district"], block="Block")
    assert status(block, area["product"]) == 201
    other_block = issue_local_token("bc", Role.BLOCK_COORDINATOR, district=area["district"], block="Other")
    assert status(other_block, area["product"]) == 403
    assert status(None, area["product"]) == 401
    assert status("forged", area["product"]) == 401
    assert post_json(f"{api_url}/uploads", ["not", "an", "object"], own)[0] == 400


def test_a_presigned_post_lands_the_photo_and_its_verdict_is_read_back_by_key(
    app: Chalice, api_url: str, area: dict[str, str]
) -> None:
    token = resource_person(area["shg"])
    keys = {}
    for name, data in (
        ("good", photo_corpus.encode(photo_corpus.product_photo(seed=21), quality=90)),
        ("blurred", photo_corpus.blurred_photo()),
    ):
        _, target = post_json(
            f"{api_url}/uploads", photo_request(area["product"], file_name=f"{name}.jpg"), token
        )
        status, _ = post_form(target["url"], target["fields"], f"{name}.jpg", data)
        assert status == 204
        keys[name] = target["key"]
    assert runner.drain(app, PHOTOS).failed == 0

    for name, verdict, codes in (("good", "accepted", []), ("blurred", "rejected", ["blurry"])):
        status, body = get_json(f"{api_url}/products/{area['product']}/photos?key={keys[name]}", token)
        assert status == 200
        (photo,) = body["photos"]
        assert (photo["key"], photo["verdict"], photo["codes"]) == (keys[name], verdict, codes)
    assert body["readiness"]["channels"]["flipkart"] == {"ready": True, "missing": []}


def test_shgs_and_products_in_the_callers_scope_with_readiness_per_channel(
    api_url: str, area: dict[str, str]
) -> None:
    own = resource_person(area["shg"])
    assert get_json(f"{api_url}/shgs", own) == (
        200,
        {
            "shgs": [
                {
                    "shg_id": area["shg"],
                    "name": "Zainab SHG",
                    "district": area["district"],
                    "block": "Block",
                    "village": "Village",
                }
            ]
        },
    )
    status, body = get_json(f"{api_url}/shgs", resource_person(area["shg"], area["shg_elsewhere"]))
    assert [s["name"] for s in body["shgs"]] == ["Kupwara SHG", "Zainab SHG"]
    block = issue_local_token("bc", Role.BLOCK_COORDINATOR, district=area["district"], block="Other")
    assert get_json(f"{api_url}/shgs", block) == (200, {"shgs": []})
    coordinator = issue_local_token("dc", Role.DISTRICT_COORDINATOR, district=area["district"])
    status, body = get_json(f"{api_url}/shgs", coordinator)
    assert [s["name"] for s in body["shgs"]] == ["Arshi SHG", "Zainab SHG"]
    assert get_json(f"{api_url}/shgs?district={area['other_district']}", coordinator)[0] == 403
    admin = issue_local_token("admin", Role.MISSION_ADMIN)
    assert get_json(f"{api_url}/shgs", admin)[0] == 400
    status, body = get_json(f"{api_url}/shgs?district={area['other_district']}", admin)
    assert [s["shg_id"] for s in body["shgs"]] == [area["shg_elsewhere"]]

    status, body = get_json(f"{api_url}/shgs/{area['shg']}/products", own)
    assert status == 200
    assert [p["title"] for p in body["products"]] == ["Aari cushion cover", "Sozani stole"]
    stole = body["products"][1]
    assert stole["readiness"]["channels"]["flipkart"] == {"ready": False, "missing": ["accepted_main_image"]}
    assert stole["readiness"]["channels"]["meesho"] == {
        "ready": False,
        "missing": ["accepted_main_image", "channel_listing"],
    }
    assert set(stole["readiness"]["channels"]) == {"haat", "ondc", "amazon", "flipkart", "meesho"}
    assert get_json(f"{api_url}/shgs/{area['shg_elsewhere']}/products", own)[0] == 403
    assert get_json(f"{api_url}/shgs/{area['shg_elsewhere']}/products", coordinator)[0] == 403
    assert get_json(f"{api_url}/shgs/SHG-missing/products", coordinator)[0] == 403, "nothing said of it"
    assert get_json(f"{api_url}/shgs/SHG-missing/products", admin)[0] == 404
    assert get_json(f"{api_url}/shgs", None)[0] == 401


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_the_page_and_its_assets_are_small_cacheable_and_locked_down(api_url: str) -> None:
    status, headers, html = _get(f"{api_url}/upload")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "connect-src 'self' http://127.0.0.1:" in csp  # the local S3 of this run, for the uploads
    config = json.loads(
        re.search(rb'<script type="application/json" id="config">(.*?)</script>', html, re.S)[1]
    )
    assert config == {
        "hosted_ui": "",
        "client_id": "",
        "max_bytes": settings().MAX_UPLOAD_BYTES,
    }
    links = re.findall(rb'(?:href|src)="(upload/[\w.]+\?v=\w+)"', html)
    assert len(links) == 3  # its CSS and script, and the sign-in script the pages share
    total = len(html)
    for link in links:
        status, headers, body = _get(f"{api_url}/{link.decode()}")
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        total += len(body)
    assert total < PAGE_BUDGET_BYTES
    _, headers, _ = _get(f"{api_url}/upload/upload.js?v=stale")
    assert headers["Cache-Control"] == "no-cache"
    assert get_json(f"{api_url}/upload/app.py")[0] == 404


def _preflight(url: str, origin: str, method: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, method="OPTIONS")
    request.add_header("Origin", origin)
    request.add_header("Access-Control-Request-Method", method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_only_the_uploads_bucket_answers_a_browser_and_only_its_posts(
    local_aws: stack.LocalAws, api_url: str, area: dict[str, str]
) -> None:
    """The bucket's CORS rule from infra/resources.yaml, as the local S3 applies it to a browser."""
    uploads = f"{local_aws.endpoint}/{settings().UPLOADS_BUCKET}"
    status, headers = _preflight(uploads, api_url, "POST")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == api_url
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "PUT" not in _preflight(uploads, api_url, "PUT")[1].get("Access-Control-Allow-Methods", "")
    media = f"{local_aws.endpoint}/{settings().MEDIA_BUCKET}"
    assert "Access-Control-Allow-Origin" not in _preflight(media, api_url, "POST")[1]

    token = resource_person(area["shg"])
    _, target = post_json(f"{api_url}/uploads", photo_request(area["product"]), token)
    data = photo_corpus.encode(photo_corpus.product_photo(seed=5))
    status, headers = post_form(target["url"], target["fields"], "stole.jpg", data, {"Origin": api_url})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == api_url


def test_the_bucket_answers_the_pages_origin_once_the_page_is_known() -> None:
    """The CORS rule as CloudFormation decides it (the local stack applies it with the same rules)."""
    template = yaml.safe_load(stack.TEMPLATE_PATH.read_text())
    (rule,) = template["Resources"]["UploadsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    page = "https://abc123.execute-api.ap-south-1.amazonaws.com/api/upload"
    origins = stack._decided(rule["AllowedOrigins"], {"UploadPageUrl": page}, template["Conditions"])
    assert origins == ["https://abc123.execute-api.ap-south-1.amazonaws.com"]
    assert stack._decided(rule["AllowedOrigins"], {"UploadPageUrl": ""}, template["Conditions"]) == ["*"]
