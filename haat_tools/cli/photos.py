"""`haat photos DIR`: mission IT tries a folder of photos through the real pipeline before a drive."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from chalicelib import aws
from chalicelib.catalogue import repository
from chalicelib.catalogue.models import PhotoRecord, Upload
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, CraftCategory, Product
from haat_tools.local import runner, session


def _wait_for(product_id: str, file_ids: set[str], timeout_s: float) -> dict[str, PhotoRecord]:
    deadline = time.monotonic() + timeout_s
    while True:
        records = {r.file_id: r for r in repository.photos_of(product_id) if r.file_id in file_ids}
        if len(records) == len(file_ids) or time.monotonic() > deadline:
            return records
        time.sleep(1)


def _filed_under(product: str | None, local: bool) -> tuple[str, str]:
    """(product id, SHG id) to upload under: photos are filed only under a product of the key's SHG."""
    if product is None:
        if not local:
            raise click.ClickException("name a registered product with --product on a deployed stage")
        product = time.strftime("TRIAL-%Y%m%d-%H%M%S")
        register_trial(product)
    found = registry.get_product(product)
    if found is None:
        raise click.ClickException(f"no product {product} in the registry")
    return found.product_id, found.shg_id


def register_trial(product_id: str) -> None:
    """A trial SHG and product in the local registry, to file a folder of photos under."""
    group = SHG(shg_id="TRIAL", name="Trial", district="Trial", block="Trial", village="-")
    registry.put_shg(group)
    registry.put_product(
        Product(
            product_id=product_id,
            shg_id=group.shg_id,
            sku=product_id,
            craft=CraftCategory.OTHER,
            title="Trial photos",
            price_paise=100,
        ),
        group,
    )


def _save(record: PhotoRecord, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = record.file_name.rsplit(".", 1)[0]
    for rendition in record.renditions:
        body = aws.client("s3").get_object(Bucket=settings().MEDIA_BUCKET, Key=rendition.key)["Body"]
        extension = rendition.key.rsplit(".", 1)[-1]
        (folder / f"{stem}.{rendition.name}.{extension}").write_bytes(body.read())


@click.command(
    help="Upload every file of DIR through the photo pipeline and print one JSON verdict per file."
)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--save", type=click.Path(file_okay=False, path_type=Path), help="Write the renditions here.")
@click.option(
    "--product",
    help="Registered product to file the photos under (its SHG is looked up); locally a trial one if none.",
)
@click.option(
    "--stage", default="local", show_default=True, help="`local` (embedded stack) or a deployed stage."
)
@click.option("--timeout", default=300, show_default=True, help="Seconds to wait for the verdicts.")
def photos(folder: Path, *, save: Path | None, product: str | None, stage: str, timeout: int) -> None:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    with session.stage_session(stage) as local:
        product_id, shg = _filed_under(product, local is not None)
        uploads = {}
        for path in files:
            key = f"uploads/{shg}/{product_id}/{path.name}"
            aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=path.read_bytes())
            uploads[path.name] = Upload(bucket=settings().UPLOADS_BUCKET, key=key)
        if local and not local.shared:
            runner.drain(local.app, runner.binding("on_photo_uploaded"))
        records = _wait_for(product_id, {u.file_id for u in uploads.values()}, timeout)
        missing = []
        for name, upload in uploads.items():
            record = records.get(upload.file_id)
            if record is None:
                missing.append(name)
                continue
            if save and record.renditions:
                _save(record, save)
            line = {
                "file": name,
                "verdict": record.verdict.value,
                "codes": [code.value for code in record.codes],
                "renditions": [r.key for r in record.renditions],
                "reasons": [f.messages["en"] for f in record.findings],
            }
            click.echo(json.dumps(line, ensure_ascii=False))
    if missing:
        raise click.ClickException(f"no verdict within {timeout}s for: {', '.join(missing)} (see the DLQ)")
