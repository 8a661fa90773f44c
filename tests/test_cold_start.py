"""Cold starts are user-visible: importing the app loads no imaging stack, no JWT crypto, no X-Ray, no
AppConfig provider and no local-only tooling (each loads on the path that needs it)."""

from __future__ import annotations

import json
import subprocess
import sys

from haat_tools.local.stack import PROJECT_DIR

HEAVY_OR_LOCAL_ONLY = (
    *("PIL", "pi_heif", "pillow_heif", "numpy"),  # imaging: the photo path only
    *("jwt", "cryptography.x509"),  # id-token checks: the authorizer only
    "aws_lambda_powertools.utilities.parameters.appconfig",
    "aws_xray_sdk",  # tracing: only where a stage turns it on
    *("moto", "yaml", "click"),  # local tooling: never in Lambda
    *("defusedxml", "openpyxl"),  # workbooks: read on a registry import's read step, written by tests
)


def test_importing_app_loads_no_imaging_stack_nor_local_tooling() -> None:
    probe = (
        "import json, sys, app; print(json.dumps(sorted(set(sys.modules) & set(json.loads(sys.argv[1])))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(HEAVY_OR_LOCAL_ONLY)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(loaded) == []
