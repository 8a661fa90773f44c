"""Cold starts are user-visible: importing the app loads no imaging stack and no local-only tooling."""

from __future__ import annotations

import json
import subprocess
import sys

from haat_tools.local.stack import PROJECT_DIR

HEAVY_OR_LOCAL_ONLY = ("PIL", "pi_heif", "pillow_heif", "numpy", "moto", "yaml", "click", "aws_xray_sdk")


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
