"""Cold-start benchmark: `import app` from the prod package, as Lambda imports it, in fresh processes.

Builds the package with the project's own command (`make package STAGE=prod`), unzips it as Lambda
unzips it into /var/task, and runs a Python 3.11 that holds only what the Lambda runtime provides
(boto3/botocore at the versions requirements-dev.txt pins). Every Chalice function imports the same
`app` module, so this is every function's cold start before its handler runs.

Baseline, measured in the same run with the same interpreter: what any Chalice + Powertools +
pydantic Lambda imports (boto3, Powertools Logger and Metrics, pydantic, chalice). Medians of 7 fresh
processes each. Target: ratio <= 1.3.

Last line: one JSON object {"app_import_ms", "base_import_ms", "ratio", "package_unzipped_mb"}.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
RUNS = 7
APP_IMPORT = "import app"
BASE_IMPORT = (
    "import boto3, pydantic, chalice\n"
    "from aws_lambda_powertools import Logger, Metrics\n"
    "Logger(service='base'); Metrics(namespace='base')"
)
TIMED = "import time\nstarted = time.perf_counter()\n{body}\nprint((time.perf_counter() - started) * 1000)"


def _pin(name: str) -> str:
    """The version requirements-dev.txt pins for `name` (boto3 is pinned there as the runtime's)."""
    for line in (PROJECT_DIR / "requirements-dev.txt").read_text().splitlines():
        if line.split("==")[0].strip() == name:
            return line.strip()
    return f"{name}=={metadata.version(name)}"


def build_package(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "haat_tools.cli", "package", "--stage", "prod", "--out", str(out)],
        cwd=PROJECT_DIR,
        check=True,
        env={"AWS_DEFAULT_REGION": "ap-south-1", **os.environ},
    )
    return out / "deployment.zip"


def lambda_python(where: Path) -> Path:
    """A Python 3.11 with only the runtime's boto3 and botocore in it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            *("-m", "pip", "--python", str(python), "install", "--quiet", "--disable-pip-version-check"),
            _pin("boto3"),
            f"botocore=={metadata.version('botocore')}",
        ],
        check=True,
    )
    return python


def median_import_ms(python: Path, task_root: Path, body: str) -> float:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(task_root),
        "AWS_DEFAULT_REGION": "ap-south-1",
        "AWS_REGION": "ap-south-1",
        "AWS_LAMBDA_FUNCTION_NAME": "haat-coldstart",
        "POWERTOOLS_METRICS_NAMESPACE": "Haat",
    }
    timings = []
    for _ in range(RUNS):
        output = subprocess.run(
            [str(python), "-c", TIMED.format(body=body)],
            cwd=task_root,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode:
            raise SystemExit(f"{body!r} failed in the Lambda runtime:\n{output.stderr}")
        timings.append(float(output.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = build_package(Path(tmp) / "prod")
        task_root = Path(tmp) / "var-task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task_root)
            unzipped_mb = sum(info.file_size for info in archive.infolist()) / 1024 / 1024
        python = lambda_python(Path(tmp) / "runtime")
        median_import_ms(python, task_root, APP_IMPORT)  # warm the page cache, as a warm disk would be
        base_ms = median_import_ms(python, task_root, BASE_IMPORT)
        app_ms = median_import_ms(python, task_root, APP_IMPORT)
    ratio = app_ms / base_ms
    print(f"prod package: {unzipped_mb:.1f} MB unzipped; fresh processes, medians of {RUNS}")
    print(f"import app: {app_ms:.0f} ms; baseline (boto3, Powertools Logger/Metrics, pydantic, chalice):")
    print(f"{base_ms:.0f} ms; ratio {ratio:.2f} (target <= 1.3)")
    print(
        json.dumps(
            {
                "app_import_ms": round(app_ms, 1),
                "base_import_ms": round(base_ms, 1),
                "ratio": round(ratio, 3),
                "package_unzipped_mb": round(unzipped_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
