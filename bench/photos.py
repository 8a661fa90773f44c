"""Catalogue photo benchmark: one 12 MP phone-like JPEG through (a) a naive Pillow baseline,
(b) Haat's pipeline and (c) the decode floor, each in its own process so peak RSS is its own.

Prints wall ms, CPU ms (medians) and peak RSS per variant, the ratios, and as its last line one
JSON object for tracking. Targets: Haat >= 4x faster than naive, <= 1.5x the floor, <= 250 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

RENDITIONS = (
    (2000, "JPEG", {"quality": 85}),
    (800, "JPEG", {"quality": 82}),
    (320, "WEBP", {"quality": 78, "method": 1}),
)
RUNS = 9


def phone_jpeg(path: Path) -> None:
    """4032x3024 (12 MP), textured product on a light backdrop with sensor noise, EXIF orientation 6
    and GPS, quality 92 (a phone's file size: 4-5 MB)."""
    rnd = random.Random(12)
    width, height = 4032, 3024
    sensor_noise = Image.effect_noise((width, height), 30).convert("RGB")
    photo = Image.blend(Image.new("RGB", (width, height), (246, 244, 240)), sensor_noise, 0.2)
    texture = Image.effect_noise((2400, 1900), 40).convert("RGB")
    product = Image.blend(texture, Image.new("RGB", texture.size, (150, 60, 40)), 0.6)
    draw = ImageDraw.Draw(product)
    for _ in range(400):
        x, y = rnd.randrange(2400), rnd.randrange(1900)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        draw.line((x, y, x + rnd.randrange(-300, 300), y + rnd.randrange(-300, 300)), fill=colour, width=6)
    photo.paste(product, (800, 560))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (34.0, 5.0, 24.0), 3: "E", 4: (74.0, 47.0, 53.0)}
    photo.save(path, "JPEG", quality=92, exif=exif)


def _square(image: Image.Image) -> Image.Image:
    side = max(image.size)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas


def naive(data: bytes) -> None:
    """The textbook way: full decode, exif_transpose, LANCZOS from full size for every rendition."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    for side, fmt, options in RENDITIONS:
        scale = side / max(image.size)
        resized = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
        _square(resized).save(io.BytesIO(), fmt, **options)


def haat(data: bytes) -> None:
    """What `on_photo_uploaded` does between download and upload (checksum, decode, gate, encode)."""
    from chalicelib.catalogue import imaging
    from chalicelib.catalogue.quality import assess

    hashlib.sha256(data).hexdigest()
    decoded = imaging.decode(data, "phone.jpg")
    assess(decoded.measurements)
    imaging.encode(decoded)


def pyvips_peer(data: bytes) -> None:
    """The strongest peer: libvips' thumbnail with shrink-on-load (auto-rotates from EXIF), the same
    cascade, squaring and encodes (a dev-only dependency; libvips is told to use one thread, as a
    Lambda below 1769 MB has less than one vCPU)."""
    import pyvips

    main = pyvips.Image.thumbnail_buffer(data, RENDITIONS[0][0], size="down")
    previous = main
    for side, fmt, options in RENDITIONS:
        image = previous if max(previous.width, previous.height) <= side else previous.thumbnail_image(side)
        previous = image
        square = max(image.width, image.height)
        canvas = image.gravity("centre", square, square, extend="white")
        if fmt == "JPEG":
            canvas.jpegsave_buffer(Q=options["quality"], strip=True)
        else:
            canvas.webpsave_buffer(Q=options["quality"], effort=options["method"], strip=True)


def floor(data: bytes) -> None:
    """Decoding at the largest size any rendition needs (DCT-scaled) and nothing else."""
    image = Image.open(io.BytesIO(data))
    scale = 2000 / max(image.size)
    image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
    image.load()


VARIANTS: dict[str, Callable[[bytes], None]] = {
    "naive": naive,
    "pyvips": pyvips_peer,
    "haat": haat,
    "floor": floor,
}


def steps(data: bytes) -> dict[str, float]:
    """Haat's photo path cut into its steps (CPU ms each, medians): what the time after the floor buys."""
    from chalicelib.catalogue import imaging
    from chalicelib.catalogue.quality import assess

    def once() -> dict[str, float]:
        marks: dict[str, float] = {}
        clock = time.process_time()

        def mark(name: str) -> None:
            nonlocal clock
            now = time.process_time()
            marks[name] = (now - clock) * 1000
            clock = now

        hashlib.sha256(data).hexdigest()
        mark("sha256 of the upload")
        image = Image.open(io.BytesIO(data))
        scale = imaging.MAIN_SIDE / max(image.size)
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        image.load()
        mark("decode at 1/2 scale (the floor)")
        main = imaging._shrink(imaging._to_srgb(image), imaging.MAIN_SIDE).transpose(
            Image.Transpose.ROTATE_270
        )
        mark("orient (EXIF 6: rotate 3 MP)")
        listing = imaging._shrink(main, imaging.LISTING_SIDE)
        thumb = imaging._shrink(listing, imaging.THUMB_SIDE)
        mark("resample 2000 -> 800 -> 320")
        measurements = imaging._measure(listing, thumb, 3024, 4032, animated=False)
        imaging._dhash(thumb)
        assess(measurements)
        mark("measure (sharpness, light, backdrop, dHash)")
        for spec, rendition in zip(imaging.RENDITIONS, (main, listing, thumb), strict=True):
            side = max(rendition.size)
            canvas = Image.new("RGB", (side, side), imaging.WHITE)
            canvas.paste(rendition, ((side - rendition.width) // 2, (side - rendition.height) // 2))
            canvas.save(io.BytesIO(), spec.format, **dict(spec.options))
            mark(f"square + encode {spec.name} ({side} px {spec.format})")
        return marks

    once()
    runs = [once() for _ in range(RUNS)]
    return {name: round(statistics.median(run[name] for run in runs), 1) for name in runs[0]}


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM; ru_maxrss would include the parent's from fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(variant: str, path: Path) -> dict[str, float]:
    """Run one variant RUNS times after a warm-up, in this process."""
    data = path.read_bytes()
    work = VARIANTS[variant]
    work(data)
    walls, cpus = [], []
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        work(data)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return {
        "wall_ms": round(statistics.median(walls), 1),
        "cpu_ms": round(statistics.median(cpus), 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def _run(arguments: list[str]) -> dict[str, float]:
    """This script in a fresh process (its own peak RSS; libvips on one thread, like a small Lambda).

    Every variant runs with the allocator settings Haat's photo path gives itself (imaging.py keeps
    freed image memory in the heap), so the peers are not charged page faults Haat avoids."""
    from chalicelib.catalogue import imaging

    allocator = {
        "MALLOC_MMAP_THRESHOLD_": str(imaging.MMAP_THRESHOLD_BYTES),
        "MALLOC_TRIM_THRESHOLD_": str(imaging.TRIM_THRESHOLD_BYTES),
    }
    output = subprocess.run(
        [sys.executable, __file__, *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "VIPS_CONCURRENCY": "1", **allocator},
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=sorted(VARIANTS))
    parser.add_argument("--input", type=Path)
    parser.add_argument("--steps", action="store_true")
    args = parser.parse_args()
    if args.steps:
        print(json.dumps(steps(args.input.read_bytes())))
        return
    if args.variant:
        print(json.dumps(measure(args.variant, args.input)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "phone.jpg"
        phone_jpeg(path)
        results = {variant: _run(["--variant", variant, "--input", str(path)]) for variant in VARIANTS}
        breakdown = _run(["--steps", "--input", str(path)])
    naive_ms, pyvips_ms, haat_ms, floor_ms = (
        results[v]["wall_ms"] for v in ("naive", "pyvips", "haat", "floor")
    )
    print(f"one 12 MP JPEG (4032x3024, EXIF orientation 6), medians of {RUNS} runs, one process per variant")
    print(f"{'variant':<8} {'wall ms':>8} {'cpu ms':>8} {'peak RSS MB':>12}")
    for variant, figures in results.items():
        print(f"{variant:<8} {figures['wall_ms']:>8} {figures['cpu_ms']:>8} {figures['peak_rss_mb']:>12}")
    speedup, over_floor = naive_ms / haat_ms, haat_ms / floor_ms
    rss = results["haat"]["peak_rss_mb"]
    cpu = {v: results[v]["cpu_ms"] for v in results}
    cpu_speedup, cpu_over_floor = cpu["naive"] / cpu["haat"], cpu["haat"] / cpu["floor"]
    print(f"haat vs naive: {speedup:.2f}x faster (target >= 4x); CPU time {cpu_speedup:.2f}x")
    print(
        f"haat vs pyvips: {pyvips_ms / haat_ms:.2f}x faster (target > 1x); "
        f"CPU time {cpu['pyvips'] / cpu['haat']:.2f}x"
    )
    print(f"haat vs floor: {over_floor:.2f}x the floor (target <= 1.5x); CPU time {cpu_over_floor:.2f}x")
    print(f"haat peak RSS: {rss} MB (target <= 250 MB)")
    print("haat step by step, CPU ms (medians, one process):")
    for step, ms in breakdown.items():
        print(f"  {step:<44} {ms:>6}")
    print(f"  {'sum':<44} {round(sum(breakdown.values()), 1):>6}")
    summary = {
        "naive_ms": naive_ms,
        "haat_ms": haat_ms,
        "floor_ms": floor_ms,
        "haat_peak_rss_mb": rss,
        "pyvips_ms": pyvips_ms,
        "pyvips_cpu_ms": results["pyvips"]["cpu_ms"],
        "speedup_vs_pyvips": round(pyvips_ms / haat_ms, 2),
        "cpu_speedup_vs_pyvips": round(cpu["pyvips"] / cpu["haat"], 2),
        "steps_cpu_ms": breakdown,
        "naive_cpu_ms": results["naive"]["cpu_ms"],
        "haat_cpu_ms": results["haat"]["cpu_ms"],
        "floor_cpu_ms": results["floor"]["cpu_ms"],
        "speedup_vs_naive": round(speedup, 2),
        "ratio_vs_floor": round(over_floor, 2),
        "cpu_speedup_vs_naive": round(cpu_speedup, 2),
        "cpu_ratio_vs_floor": round(cpu_over_floor, 2),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
