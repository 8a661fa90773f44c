"""A photo test corpus generated on the fly (no binaries in the repo): each case is the kind of file
resource persons really upload, built with Pillow (and pillow-heif's encoder for HEIC)."""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description/></rdf:RDF></x:xmpmeta>'
GPS_IFD = 0x8825
RED = (220, 20, 20)


def product_photo(width: int = 1600, height: int = 1200, seed: int = 1) -> Image.Image:
    """A textured 'product' (embroidery-like strokes over noise) centred on a white backdrop."""
    rnd = random.Random(seed)
    photo = Image.new("RGB", (width, height), (255, 255, 255))
    pw, ph = int(width * 0.55), int(height * 0.6)
    noise = Image.effect_noise((pw, ph), 60).convert("RGB")
    tint = Image.new(
        "RGB", (pw, ph), (rnd.randrange(60, 200), rnd.randrange(40, 160), rnd.randrange(30, 120))
    )
    product = Image.blend(noise, tint, 0.55)
    draw = ImageDraw.Draw(product)
    for _ in range(60):
        x, y = rnd.randrange(pw), rnd.randrange(ph)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        end = (x + rnd.randrange(-pw // 4, pw // 4), y + rnd.randrange(-ph // 4, ph // 4))
        draw.line((x, y, *end), fill=colour, width=max(2, width // 400))
    photo.paste(product, ((width - pw) // 2, (height - ph) // 2))
    return photo


def encode(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneCo"
    exif[0x0110] = "Model 7"
    exif[GPS_IFD] = {1: "N", 2: (34.0, 5.0, 24.0), 3: "E", 4: (74.0, 47.0, 53.0)}
    return exif


def blurred_photo(photo: Image.Image | None = None) -> bytes:
    """A product photo out of focus (the gate rejects it as blurry)."""
    return encode((photo or product_photo()).filter(ImageFilter.GaussianBlur(10)))


def rotated_photo() -> bytes:
    """Stored landscape with a red marker top-left; EXIF orientation 6 says 'rotate 90 deg clockwise'."""
    photo = product_photo()
    ImageDraw.Draw(photo).rectangle((0, 0, 160, 120), fill=RED)
    return encode(photo, quality=90, exif=gps_exif(orientation=6))


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _tag(kind: bytes, body: bytes) -> bytes:
    data = kind + b"\0\0\0\0" + body
    return data + b"\0" * (-len(data) % 4)


def linear_rgb_profile() -> bytes:
    """A minimal ICC v2 display profile: sRGB primaries but linear (gamma 1.0) tone curves.

    Pixels tagged with it must come out brighter in sRGB (linear 0.5 is sRGB ~188), which shows
    that the pipeline converts embedded profiles instead of ignoring them.
    """
    description = b"Linear RGB (test)\0"
    curve = _tag(b"curv", struct.pack(">IH", 1, 0x0100))
    tags = [
        (b"desc", _tag(b"desc", struct.pack(">I", len(description)) + description + b"\0" * 79)),
        (b"wtpt", _tag(b"XYZ ", _s15(0.9642) + _s15(1.0) + _s15(0.8249))),
        (b"rXYZ", _tag(b"XYZ ", _s15(0.4361) + _s15(0.2225) + _s15(0.0139))),
        (b"gXYZ", _tag(b"XYZ ", _s15(0.3851) + _s15(0.7169) + _s15(0.0971))),
        (b"bXYZ", _tag(b"XYZ ", _s15(0.1431) + _s15(0.0606) + _s15(0.7141))),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", _tag(b"text", b"none\0")),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
    )
    return header + b"\0" * (128 - len(header)) + table + body


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb(side: int = 40000) -> bytes:
    """A valid PNG header declaring side x side pixels (1.6 G for 40000) in a small file."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    row = b"\x00" * (side + 1)
    idat = zlib.compress(row * 200, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


def sixteen_bit_png() -> bytes:
    grey = product_photo().convert("L").convert("I").point(lambda value: value * 257)
    return encode(grey.convert("I;16"), "PNG")


def transparent_png() -> bytes:
    photo = product_photo().convert("RGBA")
    alpha = Image.new("L", photo.size, 0)
    ImageDraw.Draw(alpha).rectangle((360, 240, 1240, 960), fill=255)
    photo.putalpha(alpha)
    transparent_black = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    return encode(Image.alpha_composite(transparent_black, photo), "PNG")


def animated_gif() -> bytes:
    frames = [
        product_photo(1200, 1000, seed=s).convert("P", palette=Image.Palette.ADAPTIVE) for s in (1, 2, 3)
    ]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)


def mpo(photo: Image.Image) -> bytes:
    """A JPEG with a second picture appended (multi-picture format), as portrait modes write."""
    return encode(photo, "MPO", save_all=True, append_images=[photo.resize((800, 600))], quality=90)


def heic() -> bytes:
    """An iPhone-style HEIC, encoded with pillow-heif (dev only; the Lambda decodes with pi-heif)."""
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(product_photo()).save(buffer, quality=80)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    file_name: str
    data: bytes
    verdict: str
    codes: tuple[str, ...] = ()


def corpus() -> list[Case]:
    good = product_photo()
    good_jpeg = encode(good, quality=90)
    return [
        Case("good", "shawl.jpg", good_jpeg, "accepted"),
        Case("exif_orientation_6", "sideways.jpg", rotated_photo(), "accepted"),
        Case("gps_tagged", "gps.jpg", encode(good, quality=90, exif=gps_exif(), xmp=XMP), "accepted"),
        Case("truncated", "cut.jpg", good_jpeg[: len(good_jpeg) // 2], "rejected", ("corrupt_file",)),
        Case("not_an_image", "notes.jpg", b"shopping list: wool, dye\n" * 20, "rejected", ("not_an_image",)),
        Case("zero_bytes", "empty.jpg", b"", "rejected", ("empty_file",)),
        Case("decompression_bomb", "bomb.png", decompression_bomb(), "rejected", ("too_many_pixels",)),
        Case("tiny", "tiny.jpg", encode(good.resize((400, 300))), "rejected", ("too_small",)),
        Case(
            "below_zoom",
            "small.jpg",
            encode(good.resize((800, 600))),
            "accepted_with_warnings",
            ("below_zoom_size",),
        ),
        Case("blurred", "blur.jpg", blurred_photo(good), "rejected", ("blurry",)),
        Case(
            "dark",
            "dark.jpg",
            encode(ImageEnhance.Brightness(good).enhance(0.12)),
            "rejected",
            ("too_dark",),
        ),
        Case(
            "grey_backdrop",
            "grey.jpg",
            encode(Image.blend(good, Image.new("RGB", good.size, (120, 110, 100)), 0.5)),
            "accepted_with_warnings",
            ("background_not_white",),
        ),
        Case("panorama", "pano.jpg", encode(product_photo(3000, 600)), "rejected", ("extreme_aspect_ratio",)),
        Case(
            "icc_linear_rgb",
            "icc.jpg",
            encode(good, quality=90, icc_profile=linear_rgb_profile()),
            "accepted",
        ),
        Case("phone_mpo", "portrait.jpg", mpo(good), "accepted"),
        Case("cmyk", "cmyk.jpg", encode(good.convert("CMYK"), quality=90), "accepted"),
        Case("png_16_bit", "grey16.png", sixteen_bit_png(), "accepted"),
        Case(
            "animated_gif", "spin.gif", animated_gif(), "accepted_with_warnings", ("animation_first_frame",)
        ),
        Case("transparent_png", "cutout.png", transparent_png(), "accepted"),
        Case("webp", "shawl.webp", encode(good, "WEBP", quality=85), "accepted"),
        Case("heic", "IMG_0001.HEIC", heic(), "accepted"),
        Case("devanagari_name", "शॉल फोटो 1.jpg", good_jpeg, "accepted"),
        Case("png_named_jpg", "shawl2.jpg", encode(good, "PNG"), "rejected", ("format_mismatch",)),
        Case("bmp", "scan.bmp", encode(good.resize((800, 600)), "BMP"), "rejected", ("unsupported_format",)),
    ]
