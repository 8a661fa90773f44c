"""What the Lambda python3.11 runtime does with a function, run by a bare interpreter (stdlib only).

Usage: python -I lambda_bootstrap.py TASK_ROOT HANDLER TIMEOUT_S RESULTS_FILE < events.json

Like Lambda's bootstrap: the task root goes first on sys.path (the runtime's own boto3 comes after
it), the handler's module is imported once (the cold start), then the handler is called with each
event in turn (warm invocations) and a context object of the same shape as Lambda's. The results
(or the init / invocation error, with its traceback) are written as JSON to RESULTS_FILE, so that
whatever the function prints (logs, EMF metrics) stays on stdout as in CloudWatch.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LambdaContext:
    """The attributes and method of the runtime's context object that handlers use."""

    def __init__(self, timeout_s: int) -> None:
        region = os.environ["AWS_REGION"]
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{self.function_name}"
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _RuntimeEncoder(json.JSONEncoder):
    """The runtime serialises a response with JSON plus Decimal (what DynamoDB reads return)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def _marshal(response: Any) -> dict[str, Any]:
    try:
        return {"response": json.loads(json.dumps(response, cls=_RuntimeEncoder))}
    except (TypeError, ValueError) as error:
        return {"error": {"errorType": "Runtime.MarshalError", "errorMessage": str(error), "stackTrace": []}}


def _error(error: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


def main() -> None:
    task_root, handler_name, timeout_s, results_file = sys.argv[1:5]
    events = json.load(sys.stdin)
    sys.path.insert(0, task_root)
    os.chdir(task_root)
    module_name, function_name = handler_name.rsplit(".", 1)
    report: dict[str, Any] = {"results": []}
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except BaseException as error:  # noqa: BLE001 - Lambda reports any init failure as Runtime.ImportModuleError
        report["init_error"] = _error(error)
        handler = None
    report["init_ms"] = round((time.perf_counter() - started) * 1000)
    report["modules"] = sorted({name.split(".")[0] for name in sys.modules})
    for event in events if handler else []:
        try:
            report["results"].append(_marshal(handler(event, LambdaContext(int(timeout_s)))))
        except BaseException as error:  # noqa: BLE001 - Lambda reports a raised error as the invocation's result
            report["results"].append({"error": _error(error)})
    sys.stdout.flush()
    with open(results_file, "w", encoding="utf-8") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main()
