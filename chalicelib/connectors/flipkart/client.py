"""A small Flipkart Seller API v3 client on the standard library's urllib.

- OAuth2 client credentials (scope Seller_Api): the token is cached per container until shortly
  before it expires, and fetched again once if the API answers 401 (revoked or expired early).
- 429 and 5xx (and network errors) are retried with exponential backoff and full jitter, honouring
  Retry-After; every wait must end before the caller's deadline, so a run's time stays bounded.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr

from chalicelib.connectors.flipkart.models import (
    DeliveryAddress,
    SearchShipmentRequest,
    SearchShipmentResponse,
    ShipmentDetailsResponse,
    TokenResponse,
)

TOKEN_PATH = "/oauth-service/oauth/token"  # noqa: S105 - a URL path, not a secret
API_PREFIX = "/sellers"
SEARCH_PATH = "/v3/shipments/filter/"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 6
MAX_BACKOFF_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 20.0


class SellerCredentials(BaseModel):
    """One seller account's API application, as stored in Secrets Manager."""

    client_id: str
    client_secret: SecretStr


class FlipkartError(Exception):
    """The Seller API refused a request, or kept failing until the run's deadline."""


class FlipkartHttpError(FlipkartError):
    def __init__(self, status: int, path: str) -> None:
        super().__init__(f"HTTP {status} from {path}")
        self.status = status


class RetriesExhausted(FlipkartError):
    """Still throttled or failing when the attempts or the run's time ran out."""


@dataclass
class _CachedToken:
    value: str
    expires_at: float


_tokens: dict[tuple[str, str], _CachedToken] = {}
_tokens_lock = threading.Lock()


def _refresh_margin(expires_in: int) -> float:
    """Refresh a token this long before it expires (a minute, or a tenth of a short lifetime)."""
    return float(min(60, expires_in // 10))


class FlipkartClient:
    """Calls for one seller account; `deadline` is a time.monotonic() value no wait may pass."""

    def __init__(
        self,
        base_url: str,
        credentials: SellerCredentials,
        *,
        deadline: float,
        retry_base_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._deadline = deadline
        self._retry_base = retry_base_seconds
        self._sleep = sleep
        self.retries = 0

    # --- the API ------------------------------------------------------------------------------

    def search(self, request: SearchShipmentRequest) -> SearchShipmentResponse:
        """POST /sellers/v3/shipments/filter/: the first page of a search."""
        body = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        data = self._call("POST", f"{API_PREFIX}{SEARCH_PATH}", body)
        return SearchShipmentResponse.model_validate(data)

    def next_page(self, next_page_url: str) -> SearchShipmentResponse:
        """GET the `nextPageUrl` of the previous page (relative to /sellers)."""
        data = self._call("GET", f"{API_PREFIX}{next_page_url}")
        return SearchShipmentResponse.model_validate(data)

    def delivery_addresses(self, shipment_ids: Iterable[str]) -> dict[str, DeliveryAddress]:
        """GET /sellers/v3/shipments/{ids}: city, state and pincode of each shipment (nothing more)."""
        ids = ",".join(urllib.parse.quote(i, safe="") for i in shipment_ids)
        if not ids:
            return {}
        data = ShipmentDetailsResponse.model_validate(self._call("GET", f"{API_PREFIX}/v3/shipments/{ids}"))
        return {d.shipment_id: d.delivery_address for d in data.shipments if d.delivery_address}

    # --- plumbing -----------------------------------------------------------------------------

    def _token(self) -> str:
        key = (self._base_url, self._credentials.client_id)
        with _tokens_lock:
            cached = _tokens.get(key)
        if cached and time.monotonic() < cached.expires_at:
            return cached.value
        basic = base64.b64encode(
            f"{self._credentials.client_id}:{self._credentials.client_secret.get_secret_value()}".encode()
        ).decode()
        query = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "Seller_Api"})
        data = self._send_with_retries("GET", f"{TOKEN_PATH}?{query}", None, f"Basic {basic}")
        token = TokenResponse.model_validate(data)
        expires_at = time.monotonic() + token.expires_in - _refresh_margin(token.expires_in)
        with _tokens_lock:
            _tokens[key] = _CachedToken(token.access_token, expires_at)
        return token.access_token

    def _forget_token(self) -> None:
        with _tokens_lock:
            _tokens.pop((self._base_url, self._credentials.client_id), None)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            return self._send_with_retries(method, path, body, f"Bearer {self._token()}")
        except FlipkartHttpError as error:
            if error.status != 401:
                raise
        self._forget_token()
        return self._send_with_retries(method, path, body, f"Bearer {self._token()}")

    def _send_with_retries(
        self, method: str, path: str, body: dict[str, Any] | None, authorization: str
    ) -> Any:
        attempt = 0
        while True:
            try:
                return self._send(method, path, body, authorization)
            except urllib.error.HTTPError as error:
                if error.code not in RETRYABLE_STATUSES:
                    raise FlipkartHttpError(error.code, path.split("?", 1)[0]) from error
                wait = self._backoff(attempt, error.headers.get("Retry-After"))
                reason = f"HTTP {error.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                wait = self._backoff(attempt, None)
                reason = type(error).__name__
            attempt += 1
            if attempt >= MAX_ATTEMPTS or time.monotonic() + wait > self._deadline:
                raise RetriesExhausted(f"{reason} from {path.split('?', 1)[0]} after {attempt} attempts")
            self.retries += 1
            self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, base * 2^attempt], capped;
        a numeric Retry-After is a floor."""
        ceiling = min(MAX_BACKOFF_SECONDS, self._retry_base * 2**attempt)
        wait = random.uniform(0, ceiling)
        if retry_after and retry_after.strip().isdigit():
            wait = max(wait, min(MAX_BACKOFF_SECONDS, float(retry_after)))
        return wait

    def _send(self, method: str, path: str, body: dict[str, Any] | None, authorization: str) -> Any:
        request = urllib.request.Request(
            f"{self._base_url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": authorization,
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if body is not None else {}),
            },
        )
        timeout = max(1.0, min(REQUEST_TIMEOUT_SECONDS, self._deadline - time.monotonic()))
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
