"""moto's server, plus the one S3 behaviour a browser upload needs that moto 5 lacks, and three costs
of moto's DynamoDB taken out.

S3 answers a POST to a bucket (a presigned-POST upload) with the bucket's CORS headers when the
request's Origin matches a rule; moto applies bucket CORS to preflights and object requests but not
to that answer, so a browser would drop it and report a failed upload. This wraps moto's WSGI app
and adds exactly those headers, from the bucket's own CORS configuration (nothing when no rule
matches, as on AWS). Started by `stack.start_server` as `python -m haat_tools.local.moto_server`.

moto backs up a table before a TransactWriteItems (to roll back if a condition fails) by deep-copying
it once for every item of the transaction that touches it, so every transaction cost time in
proportion to the tables it touched: an order's transaction (order, history, stock, outbox, a dozen
report counters) copied the orders, registry, outbox and reports tables, and the suite and the
benches slowed as tables grew (the order-to-SMS bench fell behind its 4 orders/s within minutes).
Here a transaction backs up only the items it names, and a cancelled one puts exactly those back:
all or nothing as before, at a cost that does not grow with the table (as on DynamoDB).

moto also keeps every instance of every model it ever created, for its dashboard (`/moto-api/data.json`):
every DynamoDB item, overwritten or not, and every item of every table copy above, so the server grew
by megabytes per order (4.5 GB after 500 orders with SMS) and each dump walked all of it. DynamoDB's
models are not kept here (nothing reads them from the dashboard: tests read SNS and SES there); the
tables themselves are moto's as before.

moto answers a Query by sorting every item of the table and keeping the partition's: a read of a
two-item partition of a 70,000-item table took 0.7 s. Here a Query of a table starts from its
partition's items (sorted as moto sorts them), and a Query of an index from the items whose index
key matches (moto sorts those); what it returns is moto's.
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


class _TablesUncopied:
    """`copy` as moto's DynamoDB models see it: inside a transaction (on this thread) a table's
    "backup" is the table itself, since the transaction backs up the items it names instead."""

    def __init__(self) -> None:
        self.local = threading.local()

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(self.local, "in_transaction", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


ItemBackup = list[tuple[str, dict[str, Any], dict[str, Any] | None]]


def _backup(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> ItemBackup:
    """(table, key, attributes or None) of every item the transaction names, as they are now."""
    backup: ItemBackup = []
    for entry in transact_items:
        _, operation = next(iter(entry.items()))
        table_name = operation.get("TableName", "")
        if table_name not in backend.tables:
            continue
        table = backend.tables[table_name]
        if "Key" in operation:
            key = dict(operation["Key"])
        else:
            names = [name for name in (table.hash_key_attr, table.range_key_attr) if name]
            key = {name: operation.get("Item", {}).get(name) for name in names}
        if any(value is None for value in key.values()):
            continue  # moto refuses the transaction before writing anything
        current = backend.get_item(table_name, key)
        backup.append((table_name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
    return backup


def _restore(backend: DynamoDBBackend, backup: ItemBackup) -> None:
    for table_name, key, attributes in reversed(backup):
        if attributes is None:
            if backend.get_item(table_name, key) is not None:
                backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, attributes)


def _item_level_rollback(transact: Callable[..., None], tables: _TablesUncopied) -> Callable[..., None]:
    @functools.wraps(transact)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        backup = _backup(self, transact_items)
        tables.local.in_transaction = True
        try:
            transact(self, transact_items)
        except Exception:
            _restore(self, backup)
            raise
        finally:
            tables.local.in_transaction = False

    return transact_write_items


def back_up_items_not_tables() -> None:
    tables = _TablesUncopied()
    dynamodb_models.copy = tables  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _item_level_rollback(  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items, tables
    )


class _Untracked(list[Any]):
    """A model's list of instances for moto's dashboard that keeps none of them."""

    def append(self, instance: Any) -> None:
        return


def track_no_dynamodb_instances() -> None:
    for model in model_data["dynamodb"].values():
        model.instances_tracked = _Untracked()  # type: ignore[attr-defined]


_querying = threading.local()  # what a Query on this thread reads: a table's partition or an index's


def _partition_items(all_items: Callable[[Table], list[Any]]) -> Callable[[Table], list[Any]]:
    @functools.wraps(all_items)
    def items(self: Table) -> list[Any]:
        partition = getattr(_querying, "partition", None)
        if partition is not None and self.range_key_attr:
            return sorted(self.items.get(partition, {}).values(), key=lambda item: item.range_key)
        index_keys: list[tuple[str, Any]] | None = getattr(_querying, "index_keys", None)
        if index_keys and self.range_key_attr:  # moto sorts what an index Query keeps itself
            return [
                item
                for partition_items in self.items.values()
                for item in partition_items.values()
                if all(name in item.attrs and item.attrs[name] == value for name, value in index_keys)
            ]
        return all_items(self)

    return items


def _query_one_partition(query: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(query)
    def query_table(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        if index_name is None:
            _querying.partition = hash_key
        else:
            _querying.index_keys = kwargs.get("hash_key_conditions")
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _querying.partition = _querying.index_keys = None

    return query_table


def query_partitions_only() -> None:
    Table.all_items = _partition_items(Table.all_items)  # type: ignore[method-assign,assignment]
    Table.query = _query_one_partition(Table.query)  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    back_up_items_not_tables()
    track_no_dynamodb_instances()
    query_partitions_only()
    app = PresignedPostCors(DomainDispatcherApplication(create_backend_app))
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
