"""Cold starts are user-visible: importing the app (every function's cold start: Chalice gives them
one module) loads no capability, no AWS SDK, no pydantic models, no imaging stack, no JWT crypto, no
X-Ray and no local-only tooling; each function loads its own path on its first call."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from haat_tools.local.stack import PROJECT_DIR

HEAVY_OR_LOCAL_ONLY = (
    *("PIL", "pi_heif", "pillow_heif", "numpy"),  # imaging: the photo path only
    *("jwt", "cryptography.x509"),  # id-token checks: the authorizer only
    "aws_lambda_powertools.utilities.parameters.appconfig",
    "aws_xray_sdk",  # tracing: only where a stage turns it on
    *("moto", "yaml", "click"),  # local tooling: never in Lambda
    *("defusedxml", "openpyxl"),  # workbooks: read on a registry import's read step, written by tests
    *("boto3", "botocore.session", "s3transfer"),  # AWS clients: built on a path's first call
    "pydantic",  # every capability's models: built by the path that uses them
    *("aws_lambda_powertools.utilities.batch", "aws_lambda_powertools.utilities.data_classes"),
)
# What a plain `import app` may load of Haat itself: the routes' glue, logging and the hook wiring.
APP_IMPORT_ALLOWED = {
    "chalicelib",
    "chalicelib.api",
    "chalicelib.observability",
    "chalicelib.wiring",
    "chalicelib.orders",
    "chalicelib.orders.hooks",
}


@pytest.fixture(scope="module")
def loaded_by_import_app() -> set[str]:
    """Every module a fresh interpreter holds after `import app`."""
    probe = "import json, sys, app; print(json.dumps(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(loaded))


def test_importing_app_loads_no_heavy_library_nor_local_tooling(loaded_by_import_app: set[str]) -> None:
    assert sorted(name for name in HEAVY_OR_LOCAL_ONLY if name in loaded_by_import_app) == []


def test_the_order_consumer_loads_no_parser_models_and_only_the_adapters_of_channels_it_sees() -> None:
    probe = (
        "import json, sys\n"
        "from chalicelib.connectors import order_events\n"
        "from chalicelib.connectors.adapters import adapter_for\n"
        "adapter_for('haat')\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        ).stdout
    )
    adapters = [name for name in loaded if name.startswith("chalicelib.connectors.adapters.")]
    assert adapters == ["chalicelib.connectors.adapters.base", "chalicelib.connectors.adapters.haat"]
    powertools_models = ("aws_lambda_powertools.utilities.batch", "aws_lambda_powertools.utilities.parser")
    assert [name for name in powertools_models if name in loaded] == []


def test_importing_app_loads_no_capability_of_haat(loaded_by_import_app: set[str]) -> None:
    haat_modules = {name for name in loaded_by_import_app if name.split(".")[0] == "chalicelib"}
    assert sorted(haat_modules) == sorted(APP_IMPORT_ALLOWED)
