"""`make package` / `make deploy`: one CloudFormation stack per stage, resources merged in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click

from haat_tools import package as bundle
from haat_tools.deploy import deploy_stack, stack_name
from haat_tools.local import stack
from haat_tools.local.stack import PROJECT_DIR, TEMPLATE_PATH

MISSING_DEPENDENCIES = "Could not install dependencies"


def parameter_overrides(stage: str) -> dict[str, str]:
    """Template parameters named by the stage's environment in .chalice/config.json."""
    return stack.parameter_overrides(stack.stage_environment(stage))


def _chalice_bin() -> str:
    return str(Path(sys.executable).with_name("chalice"))


@click.command(help="chalice package with infra/resources.yaml merged in, then cfn-lint.")
@click.option("--stage", default="dev", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def package(stage: str, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run(
        [
            _chalice_bin(),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(TEMPLATE_PATH),
            "--template-format",
            "yaml",
            str(out),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    click.echo(result.stdout + result.stderr, nl=False)
    if result.returncode != 0 or MISSING_DEPENDENCIES in result.stdout + result.stderr:
        raise click.ClickException("chalice package failed: every runtime dependency must package for Lambda")
    zip_path = out / "deployment.zip"
    if compiled := bundle.built_from_source(zip_path):
        raise click.ClickException(
            f"{', '.join(compiled)} had no wheel for Lambda's glibc 2.26 (manylinux2014) and was compiled "
            "here, against this machine's libraries: pin a version that ships a manylinux2014 wheel"
        )
    removed = bundle.prune(zip_path)
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(out / "sam.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    if lint.returncode != 0:
        raise click.ClickException(f"cfn-lint found problems:\n{lint.stdout}{lint.stderr}")
    (out / "parameters.json").write_text(json.dumps(parameter_overrides(stage), indent=2))
    size_mb = bundle.unzipped_bytes(zip_path) / 1e6
    click.echo(
        f"packaged {stage}: {out / 'sam.yaml'}, {zip_path} ({size_mb:.1f} MB unzipped, "
        f"{len(removed)} files Haat never loads left out); cfn-lint clean"
    )


@click.command(help="Deploy a packaged stage with CloudFormation (create or update). Needs AWS credentials.")
@click.option("--stage", default="dev", show_default=True)
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True)
@click.option("--artifacts-bucket", envvar="HAAT_ARTIFACTS_BUCKET", help="S3 bucket for the deployment zip.")
@click.option("--dry-run", is_flag=True, help="Print the plan without calling AWS.")
def deploy(stage: str, template: Path, artifacts_bucket: str | None, dry_run: bool) -> None:
    parameters = parameter_overrides(stage)
    plan = {
        "stack": stack_name(stage),
        "template": str(template),
        "parameters": parameters,
        "artifacts_bucket": artifacts_bucket,
    }
    if dry_run:
        click.echo(json.dumps(plan, indent=2))
        return
    if not artifacts_bucket:
        raise click.ClickException("--artifacts-bucket (or HAAT_ARTIFACTS_BUCKET) is required to deploy")
    deploy_stack(stack_name(stage), template, artifacts_bucket, parameters)
    click.echo(f"deployed {stack_name(stage)}")
