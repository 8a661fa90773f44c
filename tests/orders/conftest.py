"""Order tests share the session's stack; every order id is unique per test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from chalice import Chalice

from haat_tools.local import demo, runner, stack
from tests.orders.helpers import ORDERS


@pytest.fixture(scope="session")
def seeded(local_aws: stack.LocalAws) -> None:
    demo.seed_registry()


@pytest.fixture
def drain(app: Chalice) -> Callable[[], runner.DrainResult]:
    return lambda: runner.drain(app, ORDERS)
