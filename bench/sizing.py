"""Sizing benchmark: each Lambda function cold, then warm, in its own process, on representative input.

Backs the memory sizes in `.chalice/config.json`: for every function a cold and then a warm
invocation's wall and CPU time (the cold one includes the imports of the function's first call:
app.py imports each capability there), the AWS requests the warm one makes, and the process's peak RSS
(what the function's memory must hold), on the local stack. Inputs: a 12 MP phone photo, a batch of 10
order events, a signed webhook through the REST API, the authorizer with a local token, the three
other schedules on a seeded registry with orders due, `poll_channels` against the Seller API
stand-in serving the sample search page, and `on_registry_import`'s heaviest step: the read step of a
1-lakh-row XLSX member export (parse and check every row, queue 200 chunk steps). Then the cost per
1,000 orders and per 1,000 photos at the sizes configured (Lambda x86 price in ap-south-1 per
GB-second and per request, stated below) from each warm invocation's billed duration, estimated as its
CPU time plus AWS_CALL_MS per AWS request: nearly every invocation is a warm one.

CPU time is the figure to size by on this shared 2-core machine; wall time here is moto's and the
machine's. The cold invocation creates clients and makes the first SSM reads; a schedule's second run
finds less to do (reminders sent, nothing due), so its warm figure is a lower bound. `import ms` is
the local runner's (the dev venv with chalice's CLI; the package's cold start is `coldstart.py`'s),
and the peak RSS includes that runner's imports, which the deployed function lacks.
Last line: one JSON object, per function {memory_mb, import_ms, invoke_ms, invoke_cpu_ms,
warm_invoke_ms, warm_cpu_ms, warm_aws_calls, billed_ms_estimate, peak_rss_mb} and the cost figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

# Lambda, x86, ap-south-1 (Mumbai): USD per GB-second and per request.
PRICE_GB_SECOND = 0.0000166667
PRICE_REQUEST = 0.0000002
# Assumed duration of one AWS request from a Lambda in its region (DynamoDB, SQS, SNS, S3, SSM): the
# function waits for it and is billed for the wait; moto's answers here are slower and say nothing of AWS.
AWS_CALL_MS = 10.0
# The Lambda service's SQS poller makes these, not the function; the local runner makes them here.
RUNNER_OPERATIONS = frozenset({"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch"})
FUNCTIONS = (
    "on_photo_uploaded",
    "on_order_events",
    "api_handler",
    "bearer_token",
    "dispatch_sweep",
    "daily_digest",
    "deliver_notifications",
    "poll_channels",
    "on_registry_import",
)
PHOTO_SHG, PHOTO_PRODUCT = "JK-SGR-0001", "P-SGR-PM-02"
PHOTO, MEMBERS_WORKBOOK = "phone.jpg", "members.xlsx"
MEMBER_ROWS = 100_000


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _prepare(function: str, inputs: Path) -> Any:
    """Put the function's input in place (untimed); returns what `_invoke` needs."""
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.orders import identity

    if function == "on_photo_uploaded":
        key = f"uploads/{PHOTO_SHG}/{PHOTO_PRODUCT}/{uuid.uuid4().hex[:8]}-phone.jpg"
        body = (inputs / PHOTO).read_bytes()
        aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=body)
    elif function == "on_order_events":
        import orders as order_bench

        url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
        for index in range(10):
            body = order_bench._haat(f"S-{uuid.uuid4().hex[:8]}", "accepted", "2026-11-20T06:00:00Z", "")
            body["items"][0]["sku"] = order_bench.SKUS["haat"][index % 4]
            aws.client("sqs").send_message(
                QueueUrl=url,
                MessageBody=json.dumps(body),
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in identity.message_attributes(
                        "haat", body["outlet_id"], "2026-11-20T06:00:00+00:00"
                    ).items()
                },
            )
    elif function == "on_registry_import":
        from chalicelib.registry.imports import service
        from haat_tools import registry as registry_files

        # Only this file's read step on the queue: not the previous run's chunk steps.
        sqs, url = aws.client("sqs"), aws.queue_url(settings().REGISTRY_IMPORTS_QUEUE)
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
        key = service.store_file((inputs / MEMBERS_WORKBOOK).read_bytes(), MEMBERS_WORKBOOK)
        service.start(key, registry_files.operator("local"), file_name=MEMBERS_WORKBOOK)
    return None


def _invoke(app: Any, function: str) -> None:
    from chalicelib.auth import Role, issue_local_token
    from haat_tools.local import runner

    if function in ("on_photo_uploaded", "on_order_events", "on_registry_import"):
        result = runner.drain(app, runner.binding(function), max_invocations=1)
        assert result.invocations == 1, result
        assert not result.failed, result
    elif function == "api_handler":
        import orders as order_bench

        from haat_tools import webhook_client

        with runner.serve_api(app) as api_url:
            payload = order_bench._haat(f"W-{uuid.uuid4().hex[:8]}", "accepted", "2026-11-20T06:00:00Z", "")
            payload["items"][0]["sku"] = order_bench.SKUS["haat"][0]
            body = json.dumps(payload).encode()
            status, _ = webhook_client.post(
                api_url, "haat", body, webhook_client.signed_headers("haat", body, payload)
            )
            assert status == 202, status
    elif function == "bearer_token":
        token = issue_local_token("sizing", Role.MISSION_ADMIN)
        runner.invoke(
            app,
            "bearer_token",
            {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {token}",
                "methodArn": "arn:aws:execute-api:ap-south-1:123456789012:api/api/GET/whoami",
            },
        )
    else:
        runner.fire(app, function)


def _count_aws_calls() -> Counter[str]:
    """Count the AWS requests made in this process from here on (botocore `before-call` events)."""
    import boto3

    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-call", count)
    return calls


def _timed_invocation(app: Any, function: str, inputs: Path, calls: Counter[str]) -> tuple[float, float, int]:
    """Prepare fresh input (untimed), invoke once: (wall ms, CPU ms, AWS requests the function made)."""
    _prepare(function, inputs)
    before = sum(n for name, n in calls.items() if name not in RUNNER_OPERATIONS)
    wall, cpu = time.perf_counter(), time.process_time()
    _invoke(app, function)
    elapsed, cpu_ms = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    made = sum(n for name, n in calls.items() if name not in RUNNER_OPERATIONS) - before
    return elapsed, cpu_ms, made


def measure(function: str, inputs: Path) -> dict[str, float]:
    """In this (fresh) process: import app, then a cold and a warm invocation; times and peak RSS."""
    started = time.perf_counter()
    from haat_tools.local import runner

    app = runner.load_app()
    import_ms = (time.perf_counter() - started) * 1000
    with ExitStack() as context:
        if function == "poll_channels":
            from haat_tools.local import connectors_demo

            context.enter_context(connectors_demo.sample_flipkart_stand_in(datetime.now(UTC)))
        calls = _count_aws_calls()
        cold_ms, cold_cpu_ms, _ = _timed_invocation(app, function, inputs, calls)
        warm_ms, warm_cpu_ms, warm_calls = _timed_invocation(app, function, inputs, calls)
    return {
        "import_ms": round(import_ms, 1),
        "invoke_ms": round(cold_ms, 1),
        "invoke_cpu_ms": round(cold_cpu_ms, 1),
        "warm_invoke_ms": round(warm_ms, 1),
        "warm_cpu_ms": round(warm_cpu_ms, 1),
        "warm_aws_calls": warm_calls,
        "billed_ms_estimate": round(warm_cpu_ms + warm_calls * AWS_CALL_MS, 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _memory_sizes() -> dict[str, int]:
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]
    default = int(prod.get("lambda_memory_size", config.get("lambda_memory_size", 128)))
    functions = prod.get("lambda_functions", {})
    return {name: int(functions.get(name, {}).get("lambda_memory_size", default)) for name in FUNCTIONS}


def _cost(memory_mb: int, seconds: float, invocations: float) -> float:
    return invocations * (memory_mb / 1024 * max(seconds, 0.001) * PRICE_GB_SECOND + PRICE_REQUEST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--function", choices=FUNCTIONS)
    parser.add_argument("--inputs", type=Path, help="the folder main() writes the inputs to")
    args = parser.parse_args()
    if args.function:
        print(json.dumps(measure(args.function, args.inputs)))
        return
    import photos as photo_bench
    import registry_import as registry_bench

    from haat_tools.local import demo, stack

    sizes = _memory_sizes()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, stack.running():
        inputs = Path(tmp)
        photo_bench.phone_jpeg(inputs / PHOTO)
        members = registry_bench.member_rows(MEMBER_ROWS)
        (inputs / MEMBERS_WORKBOOK).write_bytes(registry_bench.xlsx(registry_bench.MEMBER_HEADERS, members))
        demo.seed_registry()
        for function in FUNCTIONS:
            run = subprocess.run(
                [sys.executable, __file__, "--function", function, "--inputs", str(inputs)],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"},
            )
            if run.returncode:
                sys.exit(f"{function} failed:\n{run.stderr[-3000:]}")
            figures = json.loads(run.stdout.strip().splitlines()[-1])
            results[function] = {"memory_mb": sizes[function], **figures}
    header = (
        "function",
        "memory MB",
        "import ms",
        "cold ms",
        "cold cpu",
        "warm ms",
        "warm cpu",
        "AWS calls",
        "billed ms",
        "peak RSS",
    )
    print(f"{header[0]:<22} " + " ".join(f"{column:>9}" for column in header[1:]))
    for function, figures in results.items():
        columns = (
            "memory_mb",
            "import_ms",
            "invoke_ms",
            "invoke_cpu_ms",
            "warm_invoke_ms",
            "warm_cpu_ms",
            "warm_aws_calls",
            "billed_ms_estimate",
            "peak_rss_mb",
        )
        print(f"{function:<22} " + " ".join(f"{figures[column]:>9}" for column in columns))
    photo_fn, order_fn, api_fn = (results[f] for f in ("on_photo_uploaded", "on_order_events", "api_handler"))
    # Billed for a warm invocation's duration, as nearly all are: its CPU time here (wall time on this
    # shared machine is noise) plus AWS_CALL_MS for each AWS request it waits on. One order = one
    # webhook + 1/10 of a batch of the order consumer (which also sends the SMS).
    per_1000_photos = _cost(photo_fn["memory_mb"], photo_fn["billed_ms_estimate"] / 1000, 1000)
    per_1000_orders = _cost(api_fn["memory_mb"], api_fn["billed_ms_estimate"] / 1000, 1000) + _cost(
        order_fn["memory_mb"], order_fn["billed_ms_estimate"] / 1000, 100
    )
    print(f"Lambda cost (USD) per 1,000 photos {per_1000_photos:.5f}; per 1,000 orders {per_1000_orders:.5f}")
    over = [f for f, r in results.items() if r["peak_rss_mb"] > 0.8 * r["memory_mb"]]
    print(f"functions whose peak RSS is over 80% of their memory: {over or 'none'}")
    print(
        json.dumps(
            {
                "functions": results,
                "usd_per_1000_photos": round(per_1000_photos, 6),
                "usd_per_1000_orders": round(per_1000_orders, 6),
                "over_80_percent_memory": over,
            }
        )
    )


if __name__ == "__main__":
    main()
