"""Cold-start benchmark: `import app` from the prod package, as Lambda imports it, in fresh processes.

Builds the package with the project's own command (`make package STAGE=prod`), unzips it as Lambda
unzips it into /var/task, and runs a Python 3.11 that holds only what the Lambda runtime provides
(boto3/botocore at the versions requirements-dev.txt pins). Every Chalice function imports the same
`app` module, so this is every function's cold start before its handler runs.

Baseline, measured in the same run with the same interpreter: what any Chalice + Powertools +
pydantic Lambda imports (boto3, Powertools Logger and Metrics, pydantic, chalice). Medians of 7 fresh
processes each. Target: ratio <= 1.3.

Each function imports its capability on its first call (app.py), so the bench also times, per
Lambda function, `import app` plus what that first call imports: the imports in the function's body
in app.py (read from its syntax tree, so the two cannot drift) and, where it asks the API glue for
the caller, the token and access modules (the authorizer: with PyJWT's crypto), and for the
order-events consumer the order-change hooks it builds on its first order change. The API handler
serves many routes: they are timed in groups by the capability module they import.

Last line: one JSON object {"app_import_ms", "base_import_ms", "ratio", "package_unzipped_mb",
"first_call_import_ms": {function: ms}}.
"""

from __future__ import annotations

import ast
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
# What chalicelib/api.py imports on the calls app.py makes of it (its own imports are lazy too).
API_GLUE_IMPORTS = {
    "authorize": "from chalicelib import auth\nimport jwt",
    "principal_of": "from chalicelib import auth",
    "whoami": "from chalicelib import access",
}
# What a function's first call builds beyond its imports: the order-change hooks (wiring.py), on the
# first order change, which only the order-events consumer makes.
FIRST_CALL_BUILDS = {"on_order_events": "from chalicelib.orders import hooks\nhooks.connected()"}


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


def first_call_imports(app_source: str) -> dict[str, str]:
    """Lambda function -> the import statements its first call runs after `import app`.

    The API handler's routes are grouped by the capability module they import (the glue's own
    imports added when any route of the group needs them); routes importing nothing are left out.
    """
    by_function: dict[str, str] = {}
    route_groups: dict[str, dict[str, None]] = {}
    route_counts: dict[str, int] = {}
    for node in ast.parse(app_source).body:
        if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
            continue
        decorator = node.decorator_list[0]
        is_route = isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "app.route"
        imports = [ast.unparse(n) for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
        glue_calls = sorted(
            {
                n.func.attr
                for n in ast.walk(node)
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and ast.unparse(n.func.value) == "api"
                and n.func.attr in API_GLUE_IMPORTS
            }
        )
        if not is_route:
            builds = [FIRST_CALL_BUILDS[node.name]] if node.name in FIRST_CALL_BUILDS else []
            glue = [API_GLUE_IMPORTS[call] for call in glue_calls]
            by_function[node.name] = "\n".join(imports + glue + builds)
        elif imports:
            group = route_groups.setdefault(imports[0], {})
            group.update(dict.fromkeys(imports + [API_GLUE_IMPORTS[call] for call in glue_calls]))
            route_counts[imports[0]] = route_counts.get(imports[0], 0) + 1
    for first, statements in route_groups.items():
        module = first.split(" as ")[0].replace("from ", "").replace(" import ", ".")
        by_function[f"api_handler: {module} ({route_counts[first]} routes)"] = "\n".join(statements)
    return by_function


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
        first_call_ms = {
            function: median_import_ms(python, task_root, f"{APP_IMPORT}\n{statements}")
            for function, statements in first_call_imports((task_root / "app.py").read_text()).items()
        }
    ratio = app_ms / base_ms
    print(f"prod package: {unzipped_mb:.1f} MB unzipped; fresh processes, medians of {RUNS}")
    print(f"import app: {app_ms:.0f} ms; baseline (boto3, Powertools Logger/Metrics, pydantic, chalice):")
    print(f"{base_ms:.0f} ms; ratio {ratio:.2f} (target <= 1.3)")
    print("first call of each function, `import app` + what the call imports (ms, x baseline):")
    for function, ms in sorted(first_call_ms.items(), key=lambda item: item[1]):
        print(f"  {ms:6.0f}  {ms / base_ms:4.2f}x  {function}")
    print(
        json.dumps(
            {
                "app_import_ms": round(app_ms, 1),
                "base_import_ms": round(base_ms, 1),
                "ratio": round(ratio, 3),
                "package_unzipped_mb": round(unzipped_mb, 1),
                "first_call_import_ms": {function: round(ms, 1) for function, ms in first_call_ms.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
