"""Powertools logger and metrics, one of each per container, an X-Ray tracer only where tracing is
on, and the middleware that binds them to every invocation (Chalice event handlers take one event
object, so Powertools' handler decorators do not fit; a Chalice middleware does).

Tracing is off unless the stage sets TRACING=active: the X-Ray SDK is then imported on the first
invocation (it costs ~175 ms of cold start and is not in requirements.txt; see README "Tracing").
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

# Indian mobile numbers, with or without +91/0 prefixes and separators, and any E.164 number.
_PHONE = re.compile(r"(?<!\w)(?:\+?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}(?!\d)|\+[1-9]\d{7,14}(?!\d)")
REDACTED_PHONE = "<phone>"


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Defence in depth: whatever a log line carries, phone numbers never leave the function.

    (Names, addresses and bank details are kept out of log calls by the code itself.)
    """

    def serialize(self, log: Any) -> str:
        return _PHONE.sub(REDACTED_PHONE, super().serialize(log))


# Defaults match .chalice/config.json, for processes (tests, the CLI) that import this module
# before the stage environment is applied. The service is every metric's one dimension, which the
# alarms in infra/resources.yaml name.
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "haat-backbone")
logger = Logger(service=SERVICE, logger_formatter=RedactingFormatter())
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Haat"), service=SERVICE)
TRACING_ACTIVE = "active"


def tracing_enabled() -> bool:
    """The stage asked for X-Ray tracing (TRACING=active; `off` is the default)."""
    return os.environ.get("TRACING", "off").lower() == TRACING_ACTIVE


@functools.cache
def tracer() -> Tracer | None:
    """The container's X-Ray tracer, built on first use, or None where tracing is off."""
    if not tracing_enabled():
        return None
    from aws_lambda_powertools import Tracer

    return Tracer()


def _lambda_context(event: Any) -> Any:
    return getattr(event, "context", None) or getattr(event, "lambda_context", None)


def invocation_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Tag logs with the function and request ids, trace the call and flush EMF metrics."""
    context = _lambda_context(event)
    function_name = getattr(context, "function_name", "api")
    logger.append_keys(function=function_name, request_id=getattr(context, "aws_request_id", None))
    active = tracer()
    try:
        if active is None:
            return get_response(event)
        with active.provider.in_subsegment(f"## {function_name}"):
            return get_response(event)
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
            # With POWERTOOLS_METRICS_DISABLED (the CLI, benches) Powertools keeps the set instead of
            # printing it, then prints it anyway once 100 values pile up: forget it per invocation.
            metrics.clear_metrics()
        logger.remove_keys(["function", "request_id", "correlation_id"])
