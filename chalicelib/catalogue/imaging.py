"""Decode, normalise, measure and render one photo. The only module that imports the imaging stack
(Pillow + pi-heif); the handler imports it on the photo path only, to keep cold starts short.

Speed comes from doing each expensive thing once, at the smallest size that still serves every
rendition: JPEGs decode straight to the main image's size (libjpeg-turbo DCT scaling, Pillow's
draft mode), every smaller image is resampled from the previous one (integer box `reduce` first,
then a short bilinear step the eye cannot tell from Lanczos at these ratios), and the quality
measurements run on the listing and thumbnail images that exist anyway. And the memory of one photo
is reused by the next (`_keep_freed_memory`), instead of being handed back to the kernel and faulted
in again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import math
import warnings
from dataclasses import dataclass

from pi_heif import register_heif_opener
from PIL import Image, ImageCms, ImageFilter, ImageStat, UnidentifiedImageError

from chalicelib.catalogue.quality import THRESHOLDS, Code, Measurements, Thresholds

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 128 * 1024 * 1024


def _keep_freed_memory() -> None:
    """Keep freed image memory in the heap for the next photo.

    A photo allocates and frees ~35 MB of image buffers (decode, crop, rotate, canvases); glibc
    serves blocks that large with mmap and gives them back on free, so every warm invocation paid
    ~8,700 page faults to get the same memory again: ~15-20 ms of CPU, a fifth of the photo path.
    Blocks up to 32 MB (glibc's highest mmap threshold; Pillow allocates images in blocks of at most
    16 MB) now come from the heap and the heap keeps up to 128 MB free: the function's resident
    memory stays near its peak (~90 MB of 1,769). A C library without mallopt is left as it is.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        return


_keep_freed_memory()
register_heif_opener()
Image.MAX_IMAGE_PIXELS = THRESHOLDS.max_pixels
warnings.simplefilter("ignore", Image.DecompressionBombWarning)

WHITE = (255, 255, 255)
MAIN_SIDE = 2000
LISTING_SIDE = 800
THUMB_SIDE = 320

# File extension -> the format its bytes must be.
EXTENSION_FORMATS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "jpe": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "heic": "HEIF",
    "heif": "HEIF",
    "gif": "GIF",
}
SUPPORTED_FORMATS = frozenset(EXTENSION_FORMATS.values())
# Phones write JPEGs with a second (depth/preview) image appended; Pillow calls those MPO.
_FORMAT_ALIASES = {"MPO": "JPEG"}
# Magic numbers of the supported formats: bytes that start like one but do not decode are damaged.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF")
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftypheif", b"ftyphevc")

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)
_SRGB = ImageCms.createProfile("sRGB")


class ImageRejected(Exception):
    """The bytes cannot become a photo; `code` says why (a result, not a failure)."""

    def __init__(self, code: Code) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True)
class RenditionSpec:
    name: str
    side: int
    format: str
    extension: str
    content_type: str
    options: tuple[tuple[str, int], ...]


RENDITIONS = (
    RenditionSpec("main", MAIN_SIDE, "JPEG", "jpg", "image/jpeg", (("quality", 85),)),
    RenditionSpec("listing", LISTING_SIDE, "JPEG", "jpg", "image/jpeg", (("quality", 82),)),
    RenditionSpec("thumb", THUMB_SIDE, "WEBP", "webp", "image/webp", (("quality", 78), ("method", 1))),
)


@dataclass(frozen=True)
class Encoded:
    spec: RenditionSpec
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Decoded:
    """A photo, oriented and in 8-bit sRGB, at the three rendition sizes (not yet padded)."""

    source_format: str
    source_width: int
    source_height: int
    images: dict[str, Image.Image]
    measurements: Measurements
    phash: str


def decode(data: bytes, file_name: str, limits: Thresholds = THRESHOLDS) -> Decoded:
    """Open, check and normalise `data`; ImageRejected with a specific code for anything unusable."""
    if not data:
        raise ImageRejected(Code.EMPTY_FILE)
    image = _open(data)
    source_format = _FORMAT_ALIASES.get(str(image.format), str(image.format))
    expected = EXTENSION_FORMATS.get(file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else None
    if source_format not in SUPPORTED_FORMATS:
        raise ImageRejected(Code.UNSUPPORTED_FORMAT)
    if expected and expected != source_format:
        raise ImageRejected(Code.FORMAT_MISMATCH)
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageRejected(Code.TOO_MANY_PIXELS)
    orientation = _orientation(image)
    animated = source_format != "JPEG" and bool(getattr(image, "is_animated", False))
    main_side = min(MAIN_SIDE, max(width, height))
    if source_format == "JPEG":
        scale = main_side / max(width, height)
        image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    try:
        image.load()
        rgb = _to_srgb(image)
    except Exception as error:  # decoders raise anything on hostile bytes
        raise ImageRejected(Code.CORRUPT_FILE) from error
    main = _shrink(rgb, main_side)
    if orientation in _TRANSPOSE:
        main = main.transpose(_TRANSPOSE[orientation])
    listing = _shrink(main, LISTING_SIDE)
    thumb = _shrink(listing, THUMB_SIDE)
    oriented_w, oriented_h = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    return Decoded(
        source_format=source_format,
        source_width=oriented_w,
        source_height=oriented_h,
        images={"main": main, "listing": listing, "thumb": thumb},
        measurements=_measure(listing, thumb, oriented_w, oriented_h, animated),
        phash=_dhash(thumb),
    )


def encode(decoded: Decoded) -> list[Encoded]:
    """Every rendition, squared on pure white, with no metadata (fresh canvases carry none)."""
    encoded = []
    for spec in RENDITIONS:
        image = decoded.images[spec.name]
        side = max(image.size)
        canvas = Image.new("RGB", (side, side), WHITE)
        canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
        buffer = io.BytesIO()
        canvas.save(buffer, spec.format, **dict(spec.options))
        encoded.append(Encoded(spec=spec, width=side, height=side, data=buffer.getvalue()))
    return encoded


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise ImageRejected(Code.TOO_MANY_PIXELS) from error
    except UnidentifiedImageError as error:
        raise ImageRejected(Code.CORRUPT_FILE if _looks_like_image(data) else Code.NOT_AN_IMAGE) from error
    except Exception as error:  # header parsers raise anything on hostile bytes
        raise ImageRejected(Code.CORRUPT_FILE) from error


def _looks_like_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or data[4:12] in _HEIF_BRANDS


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block only costs the orientation
        return 1


def _to_srgb(image: Image.Image) -> Image.Image:
    """8-bit sRGB: embedded ICC profiles converted, 16-bit scaled, alpha flattened on white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _from_profile(image, icc)
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("RGB", "L") and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _from_profile(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode != "CMYK" and "srgb" in ImageCms.getProfileDescription(profile).lower():
            return image
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _shrink(image: Image.Image, longest: int) -> Image.Image:
    """`image` with its longest side at most `longest`: box-reduce by an integer, then bilinear.

    A decode that overshoots by at most 1% (a 4032 px phone photo drafts to 2016) is trimmed at
    its edges instead: resampling 3 MP for 16 px costs more than the whole JPEG encode.
    """
    current = max(image.size)
    if current <= longest:
        return image
    if current - longest <= longest // 100:
        trim_x = max(0, image.width - longest) // 2
        trim_y = max(0, image.height - longest) // 2
        return image.crop(
            (trim_x, trim_y, trim_x + min(image.width, longest), trim_y + min(image.height, longest))
        )
    factor = current // longest
    if factor >= 2:
        image = image.reduce(factor)
    if max(image.size) > longest:
        scale = longest / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return image


def _measure(
    listing: Image.Image, thumb: Image.Image, width: int, height: int, animated: bool
) -> Measurements:
    return Measurements(
        width=width,
        height=height,
        sharpness=ImageStat.Stat(listing.convert("L").filter(_LAPLACIAN)).var[0],
        mean_brightness=ImageStat.Stat(thumb.convert("L")).mean[0],
        border_whiteness=_border_whiteness(thumb),
        animated=animated,
    )


def _border_whiteness(image: Image.Image) -> float:
    """Mean of the darkest channel on a strip around the edge (a white backdrop scores ~255)."""
    strip = max(1, min(image.size) // 25)
    w, h = image.size
    boxes = [(0, 0, w, strip), (0, h - strip, w, h), (0, 0, strip, h), (w - strip, 0, w, h)]
    sums = [0.0, 0.0, 0.0]
    count = 0
    for box in boxes:
        stat = ImageStat.Stat(image.crop(box))
        for channel in range(3):
            sums[channel] += stat.sum[channel]
        count += stat.count[0]
    return min(sums) / count


def _dhash(image: Image.Image) -> str:
    """64-bit difference hash: robust to re-encoding and resizing, cheap on the thumbnail."""
    small = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] < pixels[row * 9 + col + 1])
    return f"{bits:016x}"
