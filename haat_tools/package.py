"""What goes into deployment.zip beyond what `chalice package` puts there, and what must not.

Chalice vendors every file of every wheel in requirements.txt. Some of those files are code Haat
never loads; they cost cold-start download and unzip time (the budget is 40 MB unzipped, see
README "Package"). They are left out here, each with the reason it is safe; the package test
then imports and invokes every function from the pruned zip, and checks that every native library
left in it finds what it links against.
"""

from __future__ import annotations

import fnmatch
import zipfile
from pathlib import Path

# Glob over paths in deployment.zip -> why Haat never loads it.
PRUNED: dict[str, str] = {
    "PIL/_avif.*": "AVIF codec: phones upload JPEG, HEIC, WebP or PNG; an AVIF file is refused as unreadable",
    "pillow.libs/libavif-*": "linked only by PIL/_avif",
    "PIL/_imagingft.*": "FreeType text drawing (ImageFont): Haat draws no text on photos",
    "pillow.libs/libfreetype-*": "linked only by PIL/_imagingft (and HarfBuzz)",
    "pillow.libs/libharfbuzz-*": "linked only by PIL/_imagingft",
    "pillow.libs/libpng16-*": "linked only by FreeType (Pillow's PNG plugin is its own code)",
    "pillow.libs/libbrotli*": "linked only by FreeType (WOFF2 fonts)",
    "PIL/_imagingtk.*": "Tk bridge: no display in Lambda",
    "aws_lambda_powertools/event_handler/openapi/swagger_ui/*": "Swagger UI assets of Powertools' "
    "event handler: Haat's routes are Chalice's",
    "pydantic/v1/*": "pydantic's v1 layer: reached only for v1-style types; Haat has none",
    "pydantic/mypy.py": "pydantic's mypy plugin: type checking only",
    "cffi/*": "cffi's Python API compiles bindings; cryptography loads only the compiled _cffi_backend",
    "pycparser/*": "C parser for cffi's compiler, not used at run time",
    "*.dist-info/RECORD": "pip's install record",
    "*.dist-info/licenses/*": "licence texts (kept in the wheels and on PyPI)",
    "*.dist-info/LICENSE*": "licence texts (kept in the wheels and on PyPI)",
    "*.dist-info/sboms/*": "software bills of materials for auditors of the wheel, not run",
}


def pruned(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PRUNED)


def prune(zip_path: Path) -> list[str]:
    """Rewrite the zip without the PRUNED entries (dates, permissions and compression kept)."""
    kept = zip_path.with_suffix(".pruning")
    removed = []
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if pruned(info.filename):
                removed.append(info.filename)
            else:
                target.writestr(info, source.read(info), compress_type=info.compress_type)
    kept.replace(zip_path)
    return removed


def built_from_source(zip_path: Path) -> list[str]:
    """Distributions whose native code was compiled on this machine (no manylinux wheel fit Lambda's
    glibc 2.26): they link this machine's libraries, which Lambda does not have."""
    found = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if not name.endswith(".dist-info/WHEEL"):
                continue
            wheel = archive.read(name).decode()
            tags = [line.split(":", 1)[1].strip() for line in wheel.splitlines() if line.startswith("Tag:")]
            if "Root-Is-Purelib: false" in wheel and not any("manylinux" in tag for tag in tags):
                found.append(name.split("/", 1)[0].removesuffix(".dist-info"))
    return found


def unzipped_bytes(zip_path: Path) -> int:
    with zipfile.ZipFile(zip_path) as archive:
        return sum(info.file_size for info in archive.infolist())
