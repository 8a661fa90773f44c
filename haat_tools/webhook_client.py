"""Send order events the way a channel does: signed webhook requests (the CLI, demo and tests use it).

Secrets come from the stage's SSM parameters, as the API reads them: an outlet's HMAC secret, and
for ONDC the signer identity `{SECRETS_PREFIX}/ondc/signer` (JSON: subscriber_id, unique_key_id,
private_key) - generated per run by the local stack, a test buyer app's key on a deployed stage.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.orders import signing

ONDC_SIGNER_PARAMETER = "ondc/signer"


def _secure_parameter(name: str) -> str:
    """The parameter's value, or "" when the stage has none (the request then goes unsigned: 401)."""
    try:
        return str(aws.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
    except aws.client("ssm").exceptions.ParameterNotFound:
        return ""


def signed_headers(
    channel: str, body: bytes, payload: dict[str, Any], now: float | None = None
) -> dict[str, str]:
    """The headers a genuine sender would put on `body`."""
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json"}
    if channel == "haat":
        outlet = str(payload.get("outlet_id", ""))
        secret = _secure_parameter(settings().haat_outlet_secret_parameter(outlet))
        if not secret:
            return headers
        timestamp = str(int(now))
        headers[signing.HAAT_OUTLET_HEADER] = outlet
        headers[signing.HAAT_TIMESTAMP_HEADER] = timestamp
        headers[signing.HAAT_SIGNATURE_HEADER] = signing.haat_signature(secret, timestamp, body)
    elif channel == "ondc":
        raw_signer = _secure_parameter(f"{settings().SECRETS_PREFIX}/{ONDC_SIGNER_PARAMETER}")
        if not raw_signer:
            return headers
        signer = json.loads(raw_signer)
        headers["Authorization"] = signing.ondc_authorization(
            signer["private_key"], signer["subscriber_id"], signer["unique_key_id"], body, created=int(now)
        )
    return headers


def post(api_url: str, channel: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST /webhooks/{channel}; (HTTP status, JSON answer)."""
    request = urllib.request.Request(
        f"{api_url}/webhooks/{channel}", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"{}")
        except ValueError:
            return error.code, {"message": raw.decode(errors="replace")}
