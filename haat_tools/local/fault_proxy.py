"""A fault proxy between the real boto3 clients and the local moto server (the fault suite in
tests/faults/ and bench/faults.py).

Faults are keyed by service, operation and attempt number, or drawn at random at a rate. A botocore
`before-send` hook (on every session: boto3's default one and Powertools' private ones) numbers each
attempt per (service, operation) - retries included, so `times=6` outlasts botocore's five retries -
and marks the attempts a fault hits with a header. The proxy, a loopback HTTP server, then does the
fault on the wire:

- throttle: answers the service's throttling error (ProvisionedThroughputExceeded, SlowDown,
  Throttling) without forwarding - a definite no;
- error: answers 500 InternalError without forwarding - a definite no;
- drop: forwards, lets moto do the work, then closes the connection unanswered (done, answer lost);
- reset: closes the connection unanswered without forwarding (the request left, nobody did it);
- latency: waits `seconds`, then forwards (past a client's read timeout: a stall);
- connect: no connection at all, raised by the hook as botocore's EndpointConnectionError, where
  botocore raises it (nothing was written).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from aws_lambda_powertools.utilities import parameters
from botocore import handlers
from botocore.exceptions import EndpointConnectionError
from botocore.retries.standard import ExponentialBackoff

from chalicelib import aws

FAULT_HEADER = "x-haat-fault"
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "expect", "proxy-connection", "content-length", "te"}
)


class Kind(StrEnum):
    THROTTLE = "throttle"
    ERROR = "error"
    DROP = "drop"
    RESET = "reset"
    LATENCY = "latency"
    CONNECT = "connect"


@dataclass(frozen=True)
class Fault:
    """Hit attempts `at` .. `at + times - 1` of `service`.`operation` ("*": any of the service's)."""

    service: str  # botocore's hyphenated service id: dynamodb, s3, sqs, sns, secrets-manager
    operation: str
    kind: Kind
    at: int = 1
    times: int = 1
    seconds: float = 0.0

    def hits(self, service: str, operation: str, counts: Counter[tuple[str, str]]) -> bool:
        if service != self.service or self.operation not in ("*", operation):
            return False
        return self.at <= counts[(service, self.operation)] < self.at + self.times


@dataclass
class Injected:
    service: str
    operation: str
    attempt: int
    kind: Kind


# The Lambda event source's own calls (receiving and deleting a function's batches): AWS's, not the
# function's, which never makes them.
EVENT_SOURCE_CALLS = frozenset(
    ("sqs", operation)
    for operation in (
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    )
)
BURSTS = (6, 12)  # attempts in a row: past botocore's five retries, and past a second call's too


@dataclass
class RandomFaults:
    """A fault at `rate` of the attempts (seeded, so a run repeats): mostly one attempt, a share of
    them a burst of consecutive attempts of the same operation, which outlasts botocore's retries."""

    rate: float
    seed: int = 7
    burst_share: float = 0.1
    latency_seconds: float = 0.05
    kinds: tuple[Kind, ...] = tuple(Kind)
    exempt: frozenset[tuple[str, str]] = EVENT_SOURCE_CALLS
    _rng: random.Random = field(init=False)
    _bursts: dict[tuple[str, str], tuple[Kind, int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, service: str, operation: str) -> Fault | None:
        key = (service, operation)
        if key in self.exempt:
            return None
        if key in self._bursts:
            kind, left = self._bursts.pop(key)
            if left > 1:
                self._bursts[key] = (kind, left - 1)
            return Fault(service, operation, kind, seconds=self.latency_seconds)
        if self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        if kind is not Kind.LATENCY and self._rng.random() < self.burst_share:
            self._bursts[key] = (kind, self._rng.choice(BURSTS) - 1)
        return Fault(service, operation, kind, seconds=self.latency_seconds)


@dataclass
class FaultPlan:
    """The faults of one scenario, and what was done."""

    faults: list[Fault] = field(default_factory=list)
    random: RandomFaults | None = None
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    injected: list[Injected] = field(default_factory=list)
    _suspended: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear(self) -> None:
        """The outage is over: later calls go through."""
        with self._lock:
            self.faults.clear()
            self.random = None

    def reset(self) -> None:
        """A new scenario: no faults, attempts counted from 1 again."""
        with self._lock:
            self.faults.clear()
            self.random = None
            self.counts.clear()
            self.injected.clear()

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Calls made meanwhile (AWS's own, e.g. Lambda's SQS poller) are neither counted nor faulted."""
        self._suspended += 1
        try:
            yield
        finally:
            self._suspended -= 1

    def attempts(self, service: str, operation: str = "*") -> int:
        return self.counts[(service, operation)]

    def before_send(self, request: Any, event_name: str, **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        if self._suspended:
            return
        with self._lock:
            self.counts[(service, operation)] += 1
            self.counts[(service, "*")] += 1
            fault = next((f for f in self.faults if f.hits(service, operation, self.counts)), None)
            if fault is None and self.random is not None:
                fault = self.random.draw(service, operation)
            if fault is None:
                return
            self.injected.append(Injected(service, operation, self.counts[(service, operation)], fault.kind))
        if fault.kind is Kind.CONNECT:
            raise EndpointConnectionError(endpoint_url=request.url)
        request.headers[FAULT_HEADER] = f"{fault.kind.value};{service};{fault.seconds}"


def _error_answer(kind: Kind, service: str, json_protocol: bool) -> tuple[int, str, bytes]:
    """(status, content type, body) of the service's own throttling or internal error."""
    throttle = kind is Kind.THROTTLE
    if json_protocol:
        code = "ProvisionedThroughputExceededException" if service == "dynamodb" else "ThrottlingException"
        body = {"__type": code if throttle else "InternalServerError", "message": "injected fault"}
        return (400 if throttle else 500), "application/x-amz-json-1.0", json.dumps(body).encode()
    if service == "s3":
        code, status = ("SlowDown", 503) if throttle else ("InternalError", 500)
        xml = f"<Error><Code>{code}</Code><Message>injected fault</Message></Error>"
        return status, "application/xml", xml.encode()
    code, status, party = ("Throttling", 400, "Sender") if throttle else ("InternalError", 500, "Receiver")
    xml = (
        f"<ErrorResponse><Error><Type>{party}</Type><Code>{code}</Code><Message>injected fault</Message>"
        "</Error><RequestId>injected</RequestId></ErrorResponse>"
    )
    return status, "text/xml", xml.encode()


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._relay()

    do_PUT = do_POST = do_HEAD = do_DELETE = do_GET

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _relay(self) -> None:
        body = self._body()
        kind_name, service, seconds = (self.headers.get(FAULT_HEADER) or ";;0").split(";")
        kind = Kind(kind_name) if kind_name else None
        if kind is Kind.RESET:
            self.close_connection = True
            return
        if kind in (Kind.THROTTLE, Kind.ERROR):
            assert kind is not None
            status, content_type, payload = _error_answer(kind, service, "X-Amz-Target" in self.headers)
            self._answer(status, [("Content-Type", content_type)], payload)
            return
        if kind is Kind.LATENCY:
            time.sleep(float(seconds))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP | {FAULT_HEADER}}
        status, answer_headers, payload = self.server.forward(self.command, self.path, headers, body)
        self.server.record_sms(body, status)
        if kind is Kind.DROP:
            self.close_connection = True
            return
        self._answer(status, answer_headers, payload)

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response_only(status)
        length = str(len(payload))
        for name, value in headers:
            lowered = name.lower()
            if lowered == "content-length" and self.command == "HEAD":
                length = value
            elif lowered not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a stalled answer closed its end: nothing to report."""

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.sms: Counter[tuple[str, str]] = Counter()
        self._sms_lock = threading.Lock()

    def record_sms(self, body: bytes, status: int) -> None:
        """Count an SMS SNS took (a Publish to a phone number it answered 200), answer lost or not."""
        if status != 200 or b"Action=Publish" not in body or b"PhoneNumber=" not in body:
            return
        form = parse_qs(body.decode())
        with self._sms_lock:
            self.sms[(form["PhoneNumber"][0], form["Message"][0])] += 1

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


@dataclass(frozen=True)
class FaultProxy:
    url: str
    plan: FaultPlan
    sms: Counter[tuple[str, str]]  # (phone, text) -> times SNS took it


@contextmanager
def fast_retries(scale: float = 0.004) -> Iterator[None]:
    """botocore's waits between retries scaled down - not their number, nor what is retried - so a
    throttled call's six attempts take milliseconds instead of up to half a minute."""
    saved = (ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, ExponentialBackoff._SERVICE_BACKOFF_CONFIG)
    ExponentialBackoff._DEFAULT_BACKOFF_CONFIG = {
        "throttling_base_scale": scale,
        "non_throttling_base_scale": scale / 4,
    }
    ExponentialBackoff._SERVICE_BACKOFF_CONFIG = {}
    try:
        yield
    finally:
        ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, ExponentialBackoff._SERVICE_BACKOFF_CONFIG = saved


def _forget_clients() -> None:
    """Clients copy their session's handlers when built: rebuild them so a new hook is seen."""
    aws.reset()
    parameters.base.DEFAULT_PROVIDERS.clear()  # type: ignore[attr-defined]


@contextmanager
def hooked(event: str, handler: Callable[..., Any]) -> Iterator[None]:
    """`handler` on botocore `event` for every session, boto3's default one and Powertools' included."""
    entry = (event, handler)
    handlers.BUILTIN_HANDLERS.append(entry)
    default_session = boto3.DEFAULT_SESSION
    if default_session is not None:
        default_session._session.register(event, handler)
    _forget_clients()
    try:
        yield
    finally:
        handlers.BUILTIN_HANDLERS.remove(entry)
        if default_session is not None:
            default_session._session.unregister(event, handler)
        _forget_clients()


@contextmanager
def running(upstream: str) -> Iterator[FaultProxy]:
    """A fault proxy in front of `upstream`, with its plan hooked into every botocore session."""
    server = _ProxyServer(upstream)
    thread = threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True)
    thread.start()
    plan = FaultPlan()
    try:
        with hooked("before-send", plan.before_send):
            yield FaultProxy(f"http://127.0.0.1:{server.server_address[1]}", plan, server.sms)
    finally:
        server.shutdown()
        server.server_close()
