"""Uploaded files, kept outside the web root under random names, in the store UPLOAD_STORE names.

Every file the portal keeps (complaint photos and recordings, staged imports and rosters, backups
of them) goes through these functions, by area (a kind of file: "attachments", "staging") and name:

- `local` (the default): a folder per area under UPLOAD_DIR on this machine, as a single server
  has always kept them (core/storage/local.py);
- `database`: the table `stored_files` in the portal's own database (core/storage/database.py), so
  every app host behind one reverse proxy reads what any of them stored. The choice for several
  hosts on PostgreSQL; it also runs on SQLite, for tests.

A store writes each file durably at once, apart from the caller's transaction, as a file on disk
is: a service stores its files, then commits the rows that name them, and removes them again if
that commit fails (complaints/attachments.py: store_then). An S3-compatible store would be a third
class with the same five methods (put, open, delete, exists, names) and a created time per object;
see README, "Several app hosts".
"""

import secrets
from collections.abc import Iterator
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.storage.local import PART, LocalStore, valid_name

TOKEN_BYTES = 18
NAMES_PER_QUERY = 500  # names asked about in one IN (…): well within every database's limit
STORES = ("local", "database")
__all__ = [
    "PART",
    "save",
    "load",
    "delete",
    "exists",
    "stale_names",
    "prune_unnamed",
    "everything",
    "put",
    "store",
    "is_local",
    "valid_name",
]


def store():
    """The configured store of the current app."""
    kind = current_app.config.get("UPLOAD_STORE") or "local"
    if kind == "local":
        return LocalStore(current_app.config["UPLOAD_DIR"])
    if kind == "database":
        from core.storage.database import DatabaseStore

        return DatabaseStore()
    raise RuntimeError(f"UPLOAD_STORE={kind!r}: expected one of {', '.join(STORES)}")


def is_local() -> bool:
    """Whether files are kept on this machine's disk (and so not in the database)."""
    return isinstance(store(), LocalStore)


def save(area: str, data: bytes) -> str:
    """Store bytes under a new random name; return the name."""
    name = secrets.token_urlsafe(TOKEN_BYTES)
    store().put(area, name, data)
    return name


def put(area: str, name: str, data: bytes) -> None:
    """Store bytes under a given name, replacing what is there (a restore puts files back)."""
    store().put(area, name, data)


def load(area: str, name: str) -> bytes:
    """The bytes stored under a name; FileNotFoundError when there are none."""
    return store().open(area, name)


def delete(area: str, name: str) -> None:
    """Remove a stored file if it is there."""
    store().delete(area, name)


def exists(area: str, name: str) -> bool:
    return store().exists(area, name)


def stale_names(area: str, age: timedelta) -> list[str]:
    """Names of the files stored longer ago than `age`, including writes that never finished
    (ending in PART, local store only): what a cleanup may consider."""
    return store().names(area, older_than=age)


def prune_unnamed(area: str, named_by, age: timedelta) -> int:
    """Delete the files of `area` stored longer ago than `age` that no row names in the column
    `named_by` (a worker died between storing them and committing their rows); how many."""
    names = stale_names(area, age)
    named: set[str] = set()
    for start in range(0, len(names), NAMES_PER_QUERY):
        named.update(db.session.scalars(select(named_by).where(named_by.in_(names[start : start + NAMES_PER_QUERY]))))
    orphans = [name for name in names if name not in named]
    for name in orphans:
        delete(area, name)
    return len(orphans)


def everything() -> Iterator[tuple[str, str]]:
    """(area, name) of every finished file, sorted: what a backup holds."""
    return store().everything()
