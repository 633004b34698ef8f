"""SQLite: copied with its online backup API, a consistent snapshot while the portal runs."""

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import Engine

from backup.errors import BackupError


def database_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"无法备份或恢复这个 SQLite 数据库：{engine.url}")
    return Path(name)


def dump(engine: Engine, target: Path, describe: Callable[[Connection], dict]) -> dict:
    """Copy the live database into the file `target`, and describe() the copy."""
    with closing(sqlite3.connect(database_file(engine))) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    copied = create_engine(f"sqlite:///{target}")
    try:
        with copied.connect() as connection:
            return describe(connection) | {"sqlite": sqlite3.sqlite_version}
    finally:
        copied.dispose()


def load(engine: Engine, source: Path, _database: dict) -> None:
    """Replace the database's whole content with the copy in `source`, in one write."""
    engine.dispose()  # no pooled connection may keep reading the old pages
    target = database_file(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as copy, closing(sqlite3.connect(target)) as live:
        copy.backup(live)
    engine.dispose()
