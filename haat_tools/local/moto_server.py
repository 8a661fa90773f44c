"""moto's server, plus the one S3 behaviour a browser upload needs that moto 5 lacks, and one cost of
moto's DynamoDB taken out.

S3 answers a POST to a bucket (a presigned-POST upload) with the bucket's CORS headers when the
request's Origin matches a rule; moto applies bucket CORS to preflights and object requests but not
to that answer, so a browser would drop it and report a failed upload. This wraps moto's WSGI app
and adds exactly those headers, from the bucket's own CORS configuration (nothing when no rule
matches, as on AWS). Started by `stack.start_server` as `python -m haat_tools.local.moto_server`.

moto backs up a table before a TransactWriteItems (to roll back if a condition fails) by deep-copying
it once for every item of the transaction that touches it: an order's transaction (order, history,
stock, outbox, a dozen report counters) copied the reports table a dozen times, so the suite slowed
as tables grew. Here each table is copied once per transaction; what the transaction does, and its
rollback, are moto's own.

moto also keeps every instance of every model it ever created, for its dashboard (`/moto-api/data.json`):
every DynamoDB item, overwritten or not, and every item of every table copy above, so the server grew
by megabytes per order (4.5 GB after 500 orders with SMS) and each dump walked all of it. DynamoDB's
models are not kept here (nothing reads them from the dashboard: tests read SNS and SES there); the
tables themselves are moto's as before.
"""

from __future__ import annotations

import argparse
import copy
import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.model_instances import model_data
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.s3.utils import cors_matches_origin
from werkzeug.serving import run_simple

StartResponse = Callable[..., Any]


def post_cors_headers(bucket_name: str, origin: str) -> list[tuple[str, str]]:
    """The headers S3 adds to a POST answer for `origin` under the bucket's CORS rules."""
    try:
        bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_bucket(bucket_name)
    except MissingBucket:
        return []
    for rule in bucket.cors:
        if "POST" in (rule.allowed_methods or []) and cors_matches_origin(origin, rule.allowed_origins or []):
            headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            if rule.exposed_headers:
                headers.append(("Access-Control-Expose-Headers", ", ".join(rule.exposed_headers)))
            return headers
    return []


class PresignedPostCors:
    """WSGI middleware: bucket CORS headers on the answer to a browser's POST to a bucket."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        segments = str(environ.get("PATH_INFO", "")).strip("/").split("/")
        if environ.get("REQUEST_METHOD") != "POST" or not origin or len(segments) != 1 or not segments[0]:
            return self.app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "access-control-allow-origin" for name, _ in headers):
                headers = [*headers, *post_cors_headers(segments[0], origin)]
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class _TableCopies:
    """`copy` as moto's DynamoDB models see it: inside a transaction (on this thread), a table is
    deep-copied once and its copy reused; everything else is copied as usual."""

    def __init__(self) -> None:
        self.local = threading.local()

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        tables: dict[int, Table] | None = getattr(self.local, "tables", None)
        if tables is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in tables:
            tables[id(value)] = copy.deepcopy(value, memo)
        return tables[id(value)]


def _one_copy_per_table(transact: Callable[..., None], copies: _TableCopies) -> Callable[..., None]:
    @functools.wraps(transact)
    def transact_write_items(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> None:
        copies.local.tables = {}
        try:
            transact(self, *args, **kwargs)
        finally:
            copies.local.tables = None

    return transact_write_items


def copy_each_table_once() -> None:
    copies = _TableCopies()
    dynamodb_models.copy = copies  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _one_copy_per_table(  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items, copies
    )


class _Untracked(list[Any]):
    """A model's list of instances for moto's dashboard that keeps none of them."""

    def append(self, instance: Any) -> None:
        return


def track_no_dynamodb_instances() -> None:
    for model in model_data["dynamodb"].values():
        model.instances_tracked = _Untracked()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    copy_each_table_once()
    track_no_dynamodb_instances()
    app = PresignedPostCors(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
