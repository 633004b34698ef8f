"""The backup archive: a plain tar (the database dump and the photos are compressed already)
holding the database, uploads/… and manifest.json, written under a temporary name and renamed
once whole."""

import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from backup.errors import BackupError
from backup.manifest import file_entry
from core import storage
from core.storage import valid_name

MANIFEST = "manifest.json"
UPLOADS = "uploads"


@contextmanager
def writing(out: Path) -> Iterator[tarfile.TarFile]:
    """A new archive at `out`, there only if everything was written."""
    if out.exists():
        raise BackupError(f"{out} 已存在：备份不覆盖已有文件")
    if not out.parent.is_dir():
        raise BackupError(f"目录 {out.parent} 不存在")
    partial = out.with_name(out.name + ".part")
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            yield archive
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    member = tarfile.TarInfo(name)
    member.size, member.mode = len(data), 0o600
    archive.addfile(member, io.BytesIO(data))


def add_uploads(archive: tarfile.TarFile) -> dict[str, dict]:
    """Every finished upload in the configured store (core/storage), read once: the bytes archived
    are the bytes hashed. Names are area/name, the same whichever store held them."""
    entries = {}
    for area, name in storage.everything():
        try:
            data = storage.load(area, name)
        except FileNotFoundError:  # removed by a prune while the backup ran: named by no case
            continue
        add_bytes(archive, f"{UPLOADS}/{area}/{name}", data)
        entries[f"{area}/{name}"] = file_entry(data)
    return entries


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        return json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError("这不是阳光村务的备份文件（没有 manifest.json）") from None


@contextmanager
def staged_uploads(archive: tarfile.TarFile, expected: dict[str, dict]) -> Iterator[Path]:
    """The archive's uploads unpacked into a temporary folder, each checked against the manifest
    before anything is restored; a missing or altered file stops the restore."""
    with tempfile.TemporaryDirectory(prefix="cunwu-restore-") as staging:
        found = set()
        for member in archive:
            if not member.name.startswith(f"{UPLOADS}/"):
                continue
            name = member.name.removeprefix(f"{UPLOADS}/")
            parts = PurePosixPath(name).parts
            if not member.isfile() or len(parts) != 2 or not all(map(valid_name, parts)) or name not in expected:
                raise BackupError(f"备份里有清单之外的文件：{member.name}")
            data = archive.extractfile(member).read()
            if file_entry(data) != expected[name]:
                raise BackupError(f"备份里的文件已损坏或被改动：{member.name}")
            target = Path(staging, *parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            found.add(name)
        if missing := sorted(set(expected) - found):
            raise BackupError(f"备份缺少 {len(missing)} 个附件，例如 {missing[0]}")
        yield Path(staging)


def put_into_store(staging: Path) -> None:
    """Put the staged files into the configured store, under their own names."""
    for folder in sorted(staging.iterdir()):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            # The database store's files came back with the dump: those are left as they are.
            if not storage.exists(folder.name, path.name) or storage.load(folder.name, path.name) != data:
                storage.put(folder.name, path.name, data)
