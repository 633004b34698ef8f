"""Build the served copy of static/: content-hashed names, precompressed, with a manifest."""

import hashlib
import json
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
HASH_LENGTH = 12
COMPRESSED_SUFFIXES = (".gz", ".br")


def source_files(source: Path) -> list[Path]:
    return sorted(path for path in source.rglob("*") if path.is_file() and not path.name.startswith("."))


def source_digest(source: Path) -> str:
    """One digest of every file's name and content: which build matches these sources."""
    digest = hashlib.sha256()
    for path in source_files(source):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def hashed_name(relative: str, content: bytes) -> str:
    """css/site.css → css/site.0123456789ab.css"""
    stem, dot, suffix = relative.rpartition(".")
    tag = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return f"{stem}.{tag}.{suffix}" if dot else f"{relative}.{tag}"


def build(source: Path, target: Path, log=None) -> dict:
    """Copy every file under both names, compress each (gzip level 9 and brotli, where that
    saves 5 % or more), and write the manifest last, so a half-done build is never used.

    Files of earlier builds stay: a page rendered before a deployment, still open on a phone,
    keeps finding the stylesheet its hashed name points at."""
    from whitenoise.compress import Compressor  # brotli and argparse: `static build` only

    compressor = Compressor(quiet=log is None, log=log or (lambda message: None))
    files = {}
    for path in source_files(source):
        relative = path.relative_to(source).as_posix()
        content = path.read_bytes()
        files[relative] = hashed_name(relative, content)
        for name in (relative, files[relative]):
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not (destination.exists() and destination.read_bytes() == content):
                shutil.copyfile(path, destination)
            if compressor.should_compress(name):
                compressor.compress(str(destination))
    manifest = {"source_digest": source_digest(source), "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def current_manifest(source: Path, target: Path) -> dict | None:
    """The build's manifest if it was made from these very sources, else None."""
    try:
        manifest = json.loads((target / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("source_digest") != source_digest(source):
        return None
    return manifest
