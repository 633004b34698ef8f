"""One runner at a time across every app host, for cron jobs that each host's crontab starts.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection of its own, held
for the whole job and let go at its end, or by the server when the process dies. SQLite means one
host: a lock on a file beside the database (flock), so that a run cron starts while the last one
is still going skips too. Whoever does not get the lock skips the job; the next run catches up.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from core.extensions import db


@contextmanager
def single_runner(key: int) -> Iterator[bool]:
    """True inside when this process holds the lock named by `key`, False when another does."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(key) as held:
            yield held
    else:
        with _file_lock(key) as held:
            yield held


@contextmanager
def _advisory_lock(key: int) -> Iterator[bool]:
    connection = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        yield held
        if held:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    except BaseException:
        # The lock may still be held on this connection: never hand it back to the pool.
        connection.invalidate()
        raise
    finally:
        connection.close()


@contextmanager
def _file_lock(key: int) -> Iterator[bool]:
    database = db.engine.url.database
    if not database or database == ":memory:":
        yield True  # a database of this process alone
        return
    path = Path(f"{database}.lock-{key}")
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
