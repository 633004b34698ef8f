"""Backing up and restoring the whole portal: the database, the uploaded files and a manifest."""

import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect

from backup import archive, postgres, sqlite
from backup.errors import BackupError
from backup.manifest import FORMAT, describe, differences, holds_data, key_facts, key_warnings
from core import storage
from core.audit import record_audit
from core.db import utcnow
from core.extensions import db

BACKENDS = {"sqlite": (sqlite, "database.sqlite"), "postgresql": (postgres, "database.dump")}


@dataclass
class Restored:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _backend():
    dialect = db.engine.dialect.name
    if dialect not in BACKENDS:
        raise BackupError(f"不支持备份 {dialect} 数据库")
    return dialect, *BACKENDS[dialect]


def make_backup(out: Path) -> dict:
    """Write the archive `out`; return its manifest. The database is copied first, then the files:
    every file the copy names was saved before its case was committed, and a file saved since is
    an orphan that `uploads prune` removes after a restore."""
    dialect, backend, dump_name = _backend()
    db.session.remove()  # the snapshot is taken on a connection of its own
    with archive.writing(out) as tar, tempfile.TemporaryDirectory(dir=out.parent) as work:
        dump = Path(work, dump_name)
        database = backend.dump(db.engine, dump, describe)
        tar.add(dump, arcname=dump_name)
        uploads = archive.add_uploads(tar)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "tables": database.pop("tables"),
            "chain_heads": database.pop("chain_heads"),
            "uploads": uploads,
            "keys": key_facts(),
            "database": {"dialect": dialect, "file": dump_name, **database},
        }
        archive.add_bytes(tar, archive.MANIFEST, _json(manifest))
    return manifest


def _json(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()


def restore_backup(source: Path, *, force: bool = False) -> Restored:
    """Restore the archive `source` into this portal's database and upload folder, then check the
    result against the manifest. Refuses a database or upload folder that holds data unless
    `force`; nothing is changed until the archive has been checked whole."""
    dialect, backend, dump_name = _backend()
    with tarfile.open(source, "r") as tar:
        manifest = archive.read_manifest(tar)
        if manifest.get("format") != FORMAT or manifest["database"]["dialect"] != dialect:
            raise BackupError(
                f"这份备份来自 {manifest['database']['dialect']} 数据库（格式 {manifest.get('format')}），"
                f"不能恢复到 {dialect}"
            )
        if not force:
            _refuse_if_not_empty()
        with archive.staged_uploads(tar, manifest["uploads"]) as staged, tempfile.TemporaryDirectory() as work:
            dump = Path(work, dump_name)
            with tar.extractfile(dump_name) as packed, dump.open("wb") as unpacked:
                shutil.copyfileobj(packed, unpacked)
            db.session.remove()
            backend.load(db.engine, dump, manifest["database"])
            archive.put_into_store(staged)
    restored = Restored(manifest, warnings=key_warnings(manifest))
    with db.engine.connect() as connection:
        restored.problems = differences(manifest, describe(connection))
    restored.problems += [
        f"附件 {name} 没有恢复" for name in manifest["uploads"] if not storage.exists(*name.split("/"))
    ]
    if restored.problems:
        return restored
    if manifest["database"]["revision"] == _head_revision():
        _record(source, manifest)
    else:
        restored.warnings.append(
            f"备份的数据库结构版本为 {manifest['database']['revision']}，程序的是 "
            f"{_head_revision()}：请运行 flask --app app db upgrade"
        )
    return restored


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory
    from core.schema_migrations import migrations

    migrate = migrations(current_app._get_current_object())
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_current_head()


def _refuse_if_not_empty() -> None:
    with db.engine.connect() as connection:
        tables = holds_data(describe(connection)["tables"]) if inspect(connection).get_table_names() else []
    # The database store's files are rows of stored_files, counted with the tables above.
    files = storage.is_local() and next(storage.everything(), None)
    if tables or files:
        where = "、".join(tables[:5]) + ("等表" if tables else "") + ("和上传文件夹" if files else "")
        raise BackupError(f"当前数据库或上传文件夹里已有数据（{where}）：恢复会覆盖它们。确认要覆盖，请加 --force")


def _record(source: Path, manifest: dict) -> None:
    """The restore goes into the restored audit log: what happened between the backup and now
    is gone, and the log says so."""
    record_audit(
        "system.restore",
        target_type="backup",
        target_id=source.name[:64],
        detail={"backup_created_at": manifest["created_at"]},
    )
    db.session.commit()
