"""One embedded moto server per test session; handlers are the real Chalice functions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from chalice import Chalice
from chalice.test import Client
from click.testing import CliRunner, Result

from chalicelib import aws
from chalicelib.notify import sender
from haat_tools.cli import main
from haat_tools.local import runner, session, stack
from tests.reports.helpers import subscribe_to_digests


@pytest.fixture(scope="session")
def local_aws() -> Iterator[stack.LocalAws]:
    with stack.running() as running:
        yield running


@pytest.fixture(scope="session")
def app(local_aws: stack.LocalAws) -> Chalice:
    return runner.load_app()


@pytest.fixture(scope="session")
def client(app: Chalice) -> Iterator[Client]:
    with Client(app, stage_name="local", project_dir=str(stack.PROJECT_DIR)) as test_client:
        runner.as_api_gateway(test_client.http._local_gateway)
        yield test_client


@pytest.fixture(scope="session")
def api_url(app: Chalice) -> Iterator[str]:
    with runner.serve_api(app) as url:
        yield url


@pytest.fixture(autouse=True)
def sms_delivery_not_paused() -> Iterator[None]:
    """A test that makes SNS fail pauses SMS delivery in this process (the container); not the next test."""
    yield
    sender.end_pause()


@pytest.fixture
def unique() -> str:
    """A short id so tests sharing the session's stack never see each other's records."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def cli_result(
    local_aws: stack.LocalAws, api_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """The operator CLI attached to this session's stack, as to a running `haat local up`; the
    result whatever its exit code."""
    monkeypatch.setenv("HAAT_LOCAL_STATE", str(tmp_path / "local-stack.json"))
    session.write_state(local_aws.endpoint, api_url)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def cli(cli_result: Callable[..., Result]) -> Callable[..., Result]:
    """The operator CLI attached to this session's stack; the command must succeed."""

    def run(*args: str) -> Result:
        result = cli_result(*args)
        assert result.exit_code == 0, result.output
        return result

    return run


@pytest.fixture
def digest_subscriber(local_aws: stack.LocalAws) -> Iterator[str]:
    """An SQS queue subscribed to the digest topic, as a mission mailbox would be."""
    url, subscription = subscribe_to_digests()
    yield url
    aws.client("sns").unsubscribe(SubscriptionArn=subscription)
    aws.client("sqs").delete_queue(QueueUrl=url)
