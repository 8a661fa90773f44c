"""Registry commands against any stage: import MIS exports and district sheets, follow an import,
and change one member or product (each change recorded with who and when)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from chalicelib.registry import edits, repository
from chalicelib.registry.imports import service
from chalicelib.registry.imports.columns import Kind
from chalicelib.registry.imports.models import Report
from haat_tools import registry as registry_files
from haat_tools.cli.ops import stage_option
from haat_tools.local import runner, session


@contextmanager
def _stage(stage: str) -> Iterator[Callable[[], object] | None]:
    """The stage's settings; and, for a private local stack, how to run its import consumer."""
    with session.stage_session(stage) as local:
        if local is None or local.shared:
            yield None
        else:
            yield lambda: runner.drain(local.app, runner.binding("on_registry_import")).invocations


def _summary(report: Report) -> dict[str, Any]:
    record = report.record
    return {
        "import_id": record.import_id,
        "file": record.file_name,
        "kind": record.kind,
        "status": record.status,
        "message": record.message,
        "rows": record.rows,
        "created": record.created,
        "updated": record.updated,
        "unchanged": record.unchanged,
        "invalid": record.invalid,
        "rejected": record.rejected,
        "chunks_done": record.chunks_done,
        "chunks_total": record.chunks_total,
        "ignored_columns": record.ignored_columns,
        "notes": record.notes,
        "errors": [e.model_dump() for e in report.errors],
        "warnings": [w.model_dump() for w in report.warnings],
        "more_notes": report.more,
    }


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=str, indent=2))


@click.group(help="The SHG registry: import MIS exports and sheets, edit one member or product.")
def registry() -> None:
    pass


@registry.command(
    "import",
    help="Import SHG, artisan, member and product files (CSV, XLSX, XLS, ODS; any order: SHGs go first). "
    "Prints each import's report: rows created, updated, unchanged, and each bad row with its reason.",
)
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--kind", type=click.Choice([k.value for k in Kind]), help="What the file is (default: from its header)."
)
@click.option(
    "--report-csv", type=click.Path(dir_okay=False, path_type=Path), help="Write every bad row to this CSV."
)
@stage_option
def import_files(paths: tuple[Path, ...], kind: str | None, report_csv: Path | None, stage: str) -> None:
    rejected = []
    with _stage(stage) as process:
        importer = registry_files.operator(stage)
        ordered = list(paths) if kind else registry_files.in_order(paths)
        for path in ordered:
            report = registry_files.import_file(
                path,
                importer,
                kind=Kind(kind) if kind else None,
                process=process,
                on_progress=lambda r: click.echo(
                    f"{r.record.file_name}: {r.record.status.value} "
                    f"({r.record.applied_rows + r.record.invalid}/{r.record.rows or '?'} rows)",
                    err=True,
                ),
            )
            _echo(_summary(report))
            if report_csv is not None:
                target = (
                    report_csv
                    if len(ordered) == 1
                    else report_csv.with_name(f"{path.stem}-{report_csv.name}")
                )
                target.write_bytes(service.report_csv(report.record.import_id))
            if report.record.status.value == "rejected":
                rejected.append(f"{path.name}: {report.record.message}")
    if rejected:
        raise click.ClickException("; ".join(rejected))


def _edit(stage: str, change: Callable[[str], dict[str, Any]]) -> None:
    with _stage(stage):
        by = registry_files.operator(stage).subject
        try:
            _echo(change(by))
        except ValidationError as error:
            raise click.ClickException(
                "; ".join(str(d["msg"]).removeprefix("Value error, ") for d in error.errors())
            ) from error
        except edits.NotFound as error:
            raise click.ClickException(str(error)) from error


@registry.command(
    help="Change a member's mobile, SMS language or SMS opt-out (with the consent's date and source)."
)
@click.argument("member_id")
@click.option("--mobile")
@click.option("--language", type=click.Choice(["hi", "ur", "en"]))
@click.option("--sms-opt-out/--sms-opt-in", default=None, help="She asked to stop (or to get SMS again).")
@click.option("--consent-date", help="When she said so (DD-MM-YYYY or YYYY-MM-DD).")
@click.option("--consent-source", help="How: 'written form', 'phone call to the block office', ...")
@stage_option
def member(
    *,
    member_id: str,
    mobile: str | None,
    language: str | None,
    sms_opt_out: bool | None,
    consent_date: str | None,
    consent_source: str | None,
    stage: str,
) -> None:
    fields = {
        "mobile": mobile,
        "language": language,
        "sms_opt_out": sms_opt_out,
        "consent_date": consent_date,
        "consent_source": consent_source,
    }

    def change(by: str) -> dict[str, Any]:
        edit = edits.MemberEdit.model_validate({k: v for k, v in fields.items() if v is not None})
        return edits.edit_member(edits.member(member_id), edit, by=by, via="cli")

    _edit(stage, change)


@registry.command(help="Change a product's price (rupees), short names (--short-name hi=...) or stock count.")
@click.argument("product_id")
@click.option("--price", help="Rupees, e.g. 1250 or 1,250.50")
@click.option(
    "--short-name", "short_names", multiple=True, help="LANG=NAME, at most 30 characters, e.g. hi=अखरोट ट्रे"
)
@click.option("--stock", type=int, help="Pieces in stock after a count.")
@stage_option
def product(
    product_id: str, price: str | None, short_names: tuple[str, ...], stock: int | None, stage: str
) -> None:
    fields: dict[str, Any] = {"price": price, "stock": stock}
    if short_names:
        fields["short_name"] = dict(name.split("=", 1) for name in short_names if "=" in name)

    def change(by: str) -> dict[str, Any]:
        edit = edits.ProductEdit.model_validate({k: v for k, v in fields.items() if v is not None})
        return edits.edit_product(edits.product(product_id), edit, by=by, via="cli")

    _edit(stage, change)


@registry.command(help="Add pieces to a product's stock (a restock; orders may sell meanwhile).")
@click.argument("product_id")
@click.argument("quantity", type=int)
@stage_option
def restock(product_id: str, quantity: int, stage: str) -> None:
    def change(by: str) -> dict[str, Any]:
        request = edits.Restock(quantity=quantity)
        return edits.restock(edits.product(product_id), request.quantity, by=by, via="cli")

    _edit(stage, change)


@registry.command(help="Every recorded change of a member or product: what, from, to, who, when.")
@click.argument("entity", type=click.Choice(["member", "product"]))
@click.argument("entity_id")
@stage_option
def history(entity: str, entity_id: str, stage: str) -> None:
    with _stage(stage):
        _echo(repository.history(entity.upper(), entity_id))


@click.group(help="Registry imports: follow one (progress, bad rows) or list the latest.")
def imports() -> None:
    pass


@imports.command(help="An import's progress and report; --csv writes every bad row to a file.")
@click.argument("import_id")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path))
@stage_option
def show(import_id: str, csv_path: Path | None, stage: str) -> None:
    with _stage(stage) as process:
        if process is not None:
            process()
        report = service.report(import_id)
        if report is None:
            raise click.ClickException(f"no import {import_id}")
        _echo(_summary(report))
        if csv_path is not None:
            csv_path.write_bytes(service.report_csv(import_id))


@imports.command("list", help="The latest registry imports, newest first.")
@click.option("--limit", default=20, show_default=True)
@stage_option
def list_imports(limit: int, stage: str) -> None:
    with _stage(stage):
        for record in service.recent(limit):
            click.echo(
                json.dumps(
                    record.model_dump(
                        mode="json",
                        include={
                            "import_id",
                            "file_name",
                            "kind",
                            "status",
                            "created_at",
                            "created_by",
                            "rows",
                            "created",
                            "updated",
                            "unchanged",
                            "invalid",
                            "rejected",
                        },
                    ),
                    ensure_ascii=False,
                )
            )
