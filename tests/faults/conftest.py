"""The fault suite runs the real handlers against moto through a fault proxy (tests/faults/proxy.py)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from aws_lambda_powertools.utilities import parameters
from chalice import Chalice
from click.testing import Result

from chalicelib import aws
from haat_tools.local import fault_proxy as proxy
from haat_tools.local import session, stack

# Short enough to stall SNS past it in a test; the deployed default is 5 s.
SMS_READ_TIMEOUT_SECONDS = "1"


@pytest.fixture(scope="package")
def fault_proxy(local_aws: stack.LocalAws) -> Iterator[proxy.FaultProxy]:
    """A moto server of this package's own (small tables keep moto's transactions fast, and the
    session's server is left as the other tests expect it), which every boto3 client of this process
    reaches through the proxy while the package runs."""
    with stack.running() as own_aws, proxy.running(own_aws.endpoint) as running:
        stack.activate(
            {
                **own_aws.environment,
                "AWS_ENDPOINT_URL": running.url,
                "SMS_READ_TIMEOUT_SECONDS": SMS_READ_TIMEOUT_SECONDS,
            }
        )
        try:
            yield running
        finally:
            os.environ.pop("SMS_READ_TIMEOUT_SECONDS", None)
            stack.activate(own_aws.environment)


@pytest.fixture
def plan(fault_proxy: proxy.FaultProxy) -> Iterator[proxy.FaultPlan]:
    """A fresh plan and fresh clients (a fresh retry quota) per scenario, with botocore's waits between
    retries scaled down (a throttled call still makes its six attempts)."""
    aws.reset()
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    fault_proxy.plan.reset()
    with proxy.fast_retries():
        yield fault_proxy.plan
    fault_proxy.plan.reset()


@dataclass(frozen=True)
class Scenario:
    """What every fault scenario works with."""

    app: Chalice
    sms: Counter[tuple[str, str]]  # every SMS SNS took: (phone, text) -> times
    plan: proxy.FaultPlan
    unique: str


@pytest.fixture
def scenario(app: Chalice, fault_proxy: proxy.FaultProxy, plan: proxy.FaultPlan, unique: str) -> Scenario:
    return Scenario(app, fault_proxy.sms, plan, unique)


@pytest.fixture
def operator_cli(
    cli: Callable[..., Result], fault_proxy: proxy.FaultProxy, api_url: str
) -> Callable[..., Result]:
    """The operator CLI attached to the local stack as this package sees it: through the proxy."""
    session.write_state(fault_proxy.url, api_url)
    return cli
