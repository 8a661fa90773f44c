"""`POST /uploads`: where one phone photo may go, decided by the server, signed for S3.

The browser never names the key: it is `uploads/{shg_id}/{product_id}/{uuid}-{safe name}`, so a
photo lands on the product the caller chose and was allowed to touch, and two photos with the same
name never overwrite each other. The presigned POST fixes key, content type (images only), size
(1 byte to MAX_UPLOAD_BYTES) and uploader, and expires soon; S3 enforces all of it.
"""

from __future__ import annotations

import unicodedata
import uuid
from enum import StrEnum
from pathlib import PurePosixPath

from pydantic import BaseModel, Field

from chalicelib.catalogue import storage
from chalicelib.config import settings
from chalicelib.registry.models import Product

# Long enough to start a 25 MB upload on a slow link (S3 checks the expiry when the upload
# starts); short enough that a leaked form is soon useless. A retry asks for a fresh one.
EXPIRES_S = 600
UPLOAD_PREFIX = "uploads/"
# What phones' cameras and galleries produce and the pipeline reads (extension for a bare name).
CONTENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/gif": "gif",
}
MAX_STEM_CHARS = 60


class UploadProblem(StrEnum):
    """Why a photo may not be uploaded (the page shows each in the uploader's language)."""

    NOT_AN_IMAGE_TYPE = "not_an_image_type"
    TOO_LARGE = "too_large"


class UploadRefused(Exception):
    def __init__(self, problem: UploadProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


class UploadRequest(BaseModel):
    """What the page knows of a chosen photo before sending it."""

    product_id: str = Field(min_length=1, max_length=60)
    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=1, description="bytes, as the phone reports the file")


class UploadTarget(BaseModel):
    """A presigned POST: send `fields` and then the file as multipart/form-data to `url`."""

    key: str
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


def _keep(char: str) -> bool:
    """Letters (with their vowel signs and marks), digits, '-' and '_' of any script."""
    return unicodedata.category(char)[0] in "LMN" or char in "-_"


def safe_name(file_name: str, content_type: str) -> str:
    """A file name that is one key segment, readable in any script, with an image extension."""
    name = unicodedata.normalize("NFC", PurePosixPath(file_name.replace("\\", "/")).name)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    cleaned = "".join(char if _keep(char) else "-" for char in stem)
    stem = "-".join(part for part in cleaned.split("-") if part)[:MAX_STEM_CHARS] or "photo"
    extension = "".join(char for char in extension.lower() if char.isascii() and char.isalnum())
    if extension not in CONTENT_TYPES.values() and extension not in {"jpeg", "jpe"}:
        extension = CONTENT_TYPES[content_type]
    return f"{stem}.{extension}"


def upload_key(product: Product, file_name: str, content_type: str) -> str:
    name = safe_name(file_name, content_type)
    return f"{UPLOAD_PREFIX}{product.shg_id}/{product.product_id}/{uuid.uuid4()}-{name}"


def check(request: UploadRequest, max_bytes: int) -> str:
    """The content type to sign for, or UploadRefused with the reason the uploader can act on."""
    content_type = request.content_type.split(";")[0].strip().lower()
    if content_type == "image/jpg":
        content_type = "image/jpeg"
    if content_type not in CONTENT_TYPES:
        raise UploadRefused(
            UploadProblem.NOT_AN_IMAGE_TYPE,
            f"only photos can be uploaded ({', '.join(CONTENT_TYPES)}), not {content_type or 'this file'}",
        )
    if request.size > max_bytes:
        raise UploadRefused(
            UploadProblem.TOO_LARGE, f"the photo has {request.size} bytes; at most {max_bytes} are accepted"
        )
    return content_type


def target(product: Product, request: UploadRequest, uploader: str) -> UploadTarget:
    """Where and how the browser sends this one photo of `product`."""
    max_bytes = settings().MAX_UPLOAD_BYTES
    content_type = check(request, max_bytes)
    key = upload_key(product, request.file_name, content_type)
    post = storage.presigned_upload(key, content_type, max_bytes, EXPIRES_S, {"uploaded-by": uploader})
    return UploadTarget(
        key=key, url=post["url"], fields=post["fields"], expires_in=EXPIRES_S, max_bytes=max_bytes
    )
