"""Powertools logger, metrics and tracer, one of each per container, and the middleware that
binds them to every invocation (Chalice event handlers take one event object, so Powertools'
handler decorators do not fit; a Chalice middleware does)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
# The namespace defaults to config.json's so a module imported before the stage environment is set
# (tests, the CLI) still flushes valid EMF.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Haat"))
tracer = Tracer()


def _lambda_context(event: Any) -> Any:
    return getattr(event, "context", None) or getattr(event, "lambda_context", None)


def invocation_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Tag logs with the function and request ids, trace the call and flush EMF metrics."""
    context = _lambda_context(event)
    function_name = getattr(context, "function_name", "api")
    logger.append_keys(function=function_name, request_id=getattr(context, "aws_request_id", None))
    try:
        with tracer.provider.in_subsegment(f"## {function_name}"):
            return get_response(event)
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
        logger.remove_keys(["function", "request_id", "correlation_id"])
