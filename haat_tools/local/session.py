"""Find the running local stack (`haat local up`), or start one for the length of a command."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chalice import Chalice

from haat_tools.deploy import deployed_settings
from haat_tools.local import runner, stack


def state_path() -> Path:
    """Where `haat local up` says where it runs (HAAT_LOCAL_STATE overrides, e.g. in tests)."""
    return Path(os.environ.get("HAAT_LOCAL_STATE", stack.PROJECT_DIR / ".haat" / "local-stack.json"))


@dataclass(frozen=True)
class Session:
    app: Chalice
    api_url: str
    endpoint: str
    shared: bool  # True when attached to a long-running `haat local up`


def _running_stack() -> dict[str, str] | None:
    try:
        state: dict[str, str] = json.loads(state_path().read_text())
        urllib.request.urlopen(f"{state['endpoint']}/moto-api/", timeout=1).close()
        return state
    except (OSError, ValueError, KeyError):
        return None


def write_state(endpoint: str, api_url: str) -> None:
    state_path().parent.mkdir(exist_ok=True)
    state_path().write_text(json.dumps({"endpoint": endpoint, "api_url": api_url, "pid": os.getpid()}))


def clear_state() -> None:
    state_path().unlink(missing_ok=True)


@contextmanager
def local_session() -> Iterator[Session]:
    """Attach to `haat local up` if it runs; otherwise start a private stack and API."""
    state = _running_stack()
    if state:
        stack.activate(stack.local_environment(state["endpoint"]))
        yield Session(runner.load_app(), state["api_url"], state["endpoint"], shared=True)
        return
    with stack.running() as local_aws:
        app = runner.load_app()
        with runner.serve_api(app) as api_url:
            yield Session(app, api_url, local_aws.endpoint, shared=False)


@contextmanager
def stage_session(stage: str) -> Iterator[Session | None]:
    """The local stack (a Session, whose queues a command may drain itself) or, for a deployed
    stage (dev, prod), its settings and what its stack assigned, with AWS's own endpoints and
    credentials (None)."""
    if stage == "local":
        with local_session() as current:
            yield current
        return
    environment = stack.stage_environment(stage)
    stack.activate(environment)
    stack.activate({**environment, **deployed_settings(stage)})
    yield None
