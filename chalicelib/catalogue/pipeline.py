"""One upload, start to finish: fetch, judge, render, record, tell the uploader, refresh readiness.

Idempotent per object version: a version that already has a record is not processed again, and
every side effect (content-addressed renditions, deterministic notification ids, a conditional
record write, readiness written only when it changes) repeats as a no-op.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.catalogue import readiness, repository, storage
from chalicelib.catalogue.models import PhotoOutcome, PhotoRecord, Rendition, Upload
from chalicelib.catalogue.quality import (
    SHORT_MESSAGES,
    THRESHOLDS,
    Code,
    Severity,
    Verdict,
    assess,
    finding,
    hamming,
    verdict_of,
)
from chalicelib.config import settings
from chalicelib.notify.models import Notification, PhotoRejectedVariables, Template, Words
from chalicelib.notify.outbox import enqueue
from chalicelib.notify.templates import whole_tail
from chalicelib.observability import logger, metrics
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Language, MemberRole
from chalicelib.reports import aggregates

if TYPE_CHECKING:
    from chalicelib.catalogue.imaging import Encoded


def process_upload(upload: Upload) -> PhotoRecord:
    """The record of this object version, processing it first if it has none yet."""
    lookups = registry.RegistryCache()  # each registry item is read once per photo
    existing = repository.get_photo(upload.product_id, upload.file_id, upload.revision)
    if existing is not None:
        logger.info("photo version already processed", extra={"verdict": existing.verdict})
        _tally_verdict(existing, lookups)  # a no-op, unless the run that stored it stopped before counting
        refresh_readiness(upload.product_id, lookups)
        return existing
    outcome = _judge_and_render(upload, lookups)
    record = PhotoRecord(
        product_id=upload.product_id,
        shg_id=upload.shg_id,
        key=upload.key,
        file_name=upload.file_name,
        version_id=upload.revision,
        file_id=upload.file_id,
        verdict=verdict_of(outcome.findings),
        codes=[f.code for f in outcome.findings],
        **dict(outcome),
        event_time=upload.event_time,
        sequencer=upload.sequencer,
        processed_at=int(time.time()),
    )
    if record.verdict is Verdict.REJECTED:
        _notify_rejection(record, lookups)
    if repository.put_photo(record):
        metrics.add_metric(name=f"Photo_{record.verdict.value}", unit=MetricUnit.Count, value=1)
    _tally_verdict(record, lookups)  # once per version, whichever run gets here first
    logger.info("photo processed", extra={"verdict": record.verdict, "codes": record.codes})
    refresh_readiness(upload.product_id, lookups)
    return record


def refresh_readiness(product_id: str, lookups: registry.RegistryCache) -> None:
    """Recompute readiness; a channel that becomes ready counts as a new listing in the digest.

    New listings are counted (idempotently) before the readiness is stored, so a failure in between
    is repaired by the retry, which still sees the old readiness.
    """
    product = lookups.product(product_id)
    before = repository.get_readiness(product_id)
    after = readiness.readiness(product_id, product, repository.photos_of(product_id))
    if after == before:
        return
    if product is not None:
        district = _district_of(product.shg_id, lookups)
        for channel in readiness.newly_ready(before, after):
            aggregates.record_new_listing(
                product.shg_id,
                district,
                product.craft.value,
                datetime.now(UTC),
                dedupe_key=f"{product_id}#{channel}",
                lookups=lookups,
            )
    repository.put_readiness(after)


def _district_of(shg_id: str, lookups: registry.RegistryCache) -> str:
    shg = lookups.shg(shg_id)
    return shg.district if shg else ""


def _tally_verdict(record: PhotoRecord, lookups: registry.RegistryCache) -> None:
    """Feed the daily digest's photo counters (rejection rate, top reasons) once per version."""
    product = lookups.product(record.product_id)
    checked_at = datetime.fromtimestamp(record.processed_at, UTC)
    aggregates.record_photo_verdict(
        record.shg_id,
        _district_of(record.shg_id, lookups),
        record.verdict.value,
        record.codes,
        checked_at,
        craft=product.craft.value if product else "",
        dedupe_key=f"{record.key}#{record.version_id}",
        lookups=lookups,
    )


def _not_theirs(upload: Upload, lookups: registry.RegistryCache) -> Code | None:
    """Why the key's SHG may not file a photo under the key's product (its bytes are then not read):
    a photo filed under another SHG's product must never make that product ready."""
    product = lookups.product(upload.product_id)
    if product is None:
        return Code.UNKNOWN_PRODUCT
    return Code.ANOTHER_SHGS_PRODUCT if product.shg_id != upload.shg_id else None


def _judge_and_render(upload: Upload, lookups: registry.RegistryCache) -> PhotoOutcome:
    started = time.perf_counter()
    outcome = PhotoOutcome(source_bytes=upload.size)
    refusal = _not_theirs(upload, lookups)
    if refusal is not None:
        outcome.findings = [finding(refusal)]
        return outcome
    max_bytes = settings().MAX_UPLOAD_BYTES
    if upload.size > max_bytes:
        outcome.findings = [finding(Code.FILE_TOO_LARGE)]
        return outcome
    try:
        data = storage.fetch_upload(upload, max_bytes)
    except storage.UploadGone:
        outcome.findings = [finding(Code.UPLOAD_GONE)]
        return outcome
    except storage.UploadTooLarge:
        outcome.findings = [finding(Code.FILE_TOO_LARGE)]
        return outcome
    outcome.source_bytes = len(data)
    outcome.sha256 = hashlib.sha256(data).hexdigest()
    outcome.timings_ms["fetch"] = _ms_since(started)

    from chalicelib.catalogue import imaging  # the imaging stack loads on the photo path only

    try:
        decoded = imaging.decode(data, upload.file_name)
    except imaging.ImageRejected as rejected:
        outcome.findings = [finding(rejected.code)]
        outcome.timings_ms["total"] = _ms_since(started)
        return outcome
    outcome.timings_ms["decode"] = _ms_since(started) - outcome.timings_ms["fetch"]
    outcome.source_format = decoded.source_format
    outcome.source_width, outcome.source_height = decoded.source_width, decoded.source_height
    outcome.phash = decoded.phash
    outcome.findings = assess(decoded.measurements, THRESHOLDS)
    if all(f.severity is Severity.WARN for f in outcome.findings):
        twin = _near_duplicate_of(upload, decoded.phash)
        if twin:
            outcome.duplicate_of = twin
            outcome.findings.append(finding(Code.NEAR_DUPLICATE))
        encode_started = time.perf_counter()
        outcome.renditions = _store(imaging.encode(decoded))
        outcome.timings_ms["render"] = _ms_since(encode_started)
    outcome.timings_ms["total"] = _ms_since(started)
    return outcome


def _store(renditions_encoded: list[Encoded]) -> list[Rendition]:
    """Store every rendition under its content address."""
    renditions = []
    for encoded in renditions_encoded:
        key = storage.rendition_key(encoded.spec.name, encoded.data, encoded.spec.extension)
        storage.put_rendition(key, encoded.data, encoded.spec.content_type)
        renditions.append(
            Rendition(
                name=encoded.spec.name,
                key=key,
                content_type=encoded.spec.content_type,
                width=encoded.width,
                height=encoded.height,
                bytes=len(encoded.data),
            )
        )
    return renditions


def _near_duplicate_of(upload: Upload, phash: str) -> str:
    """File name of an accepted photo of the same product that looks the same, or ''."""
    for other in readiness.current_versions(repository.photos_of(upload.product_id)):
        if other.file_id == upload.file_id or other.verdict not in readiness.ACCEPTED or not other.phash:
            continue
        if hamming(phash, other.phash) <= THRESHOLDS.max_duplicate_distance:
            return other.file_name
    return ""


def _notify_rejection(record: PhotoRecord, lookups: registry.RegistryCache) -> None:
    """Queue one photo_rejected message per resource person of the SHG: which photo of which
    product, and the short reason that says what to do, in her language."""
    reason = next(f for f in record.findings if f.severity is Severity.REJECT)
    product = lookups.product(record.product_id)
    variables = PhotoRejectedVariables(
        photo=whole_tail(record.file_name),
        product=Words(
            **{
                language.value: product.short_name_in(language) if product else whole_tail(record.product_id)
                for language in Language
            }
        ),
        reason=Words(**SHORT_MESSAGES[reason.code]),
    )
    for member in lookups.members_of(record.shg_id).values():
        if member.role is not MemberRole.RESOURCE_PERSON:
            continue
        enqueue(
            Notification(
                notification_id=f"photo_rejected:{record.file_id}:{record.version_id}:{member.member_id}",
                template=Template.PHOTO_REJECTED,
                member_id=member.member_id,
                shg_id=record.shg_id,
                variables=variables,
            )
        )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
