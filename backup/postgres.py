"""PostgreSQL: pg_dump's custom format out, pg_restore in one transaction. A client older than the
server cannot dump it, and pg_restore must be at least as new as the pg_dump that wrote the
archive: the tools of the server's own version are looked for first (Debian keeps each under
/usr/lib/postgresql/N/bin), then those on PATH."""

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from backup.errors import BackupError
from core.partitions import is_partition

LOCK_TIMEOUT = "30s"


def dump(engine: Engine, target: Path, describe: Callable[[Connection], dict]) -> dict:
    """pg_dump into `target` and describe() what it holds, both from one exported snapshot: the
    manifest counts exactly the rows in the dump while the portal keeps writing."""
    server = server_major(engine)
    pg_dump, version = tool("pg_dump", server)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        described = describe(connection)
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], engine)
        connection.rollback()
    return described | {"server": server, "pg_dump": version}


def load(engine: Engine, source: Path, database: dict) -> None:
    """Replace what the archive holds in one transaction: a failure leaves the database as it was.

    pg_restore writes the script and psql runs it in one transaction. pg_restore --clean (as of
    PostgreSQL 15) drops each partition's primary key on its own, which PostgreSQL refuses (the
    key belongs to the partitioned table's); those lines are left out, as the partitions go with
    their tables' DROP TABLE anyway."""
    pg_restore, _version = tool("pg_restore", database["pg_dump"])
    psql, _version = tool("psql", database["pg_dump"])
    engine.dispose()
    try:
        # A portal still running holds locks on the tables: give up rather than wait for ever.
        _run_script(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(source)],
            [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"],
            engine,
            options=f"-c lock_timeout={LOCK_TIMEOUT}",
        )
    except BackupError as error:
        raise BackupError(f"{error}\n数据库没有改动（恢复在一个事务里进行）。门户还在运行的话，请先停止它。") from None
    finally:
        engine.dispose()


_PARTITION_KEY_DROP = re.compile(r"ALTER TABLE IF EXISTS ONLY public\.(\w+) DROP CONSTRAINT IF EXISTS ")


def _run_script(write: list[str], apply: list[str], engine: Engine, options: str) -> None:
    """Stream the script `write` prints into `apply` (connected to the engine's database), less
    the partitions' key drops of its opening clean-up."""
    env, address = _client_env(engine, options)
    pipe = subprocess.PIPE
    with (
        subprocess.Popen(write, stdout=pipe, stderr=pipe, env=env) as writer,
        subprocess.Popen(
            [*apply, f"--dbname={address}"], stdin=pipe, stdout=subprocess.DEVNULL, stderr=pipe, env=env
        ) as applier,
    ):
        cleaning = True
        try:
            for line in writer.stdout:
                if cleaning and line.startswith((b"CREATE ", b"COPY ")):
                    cleaning = False  # the drops are over: from here on every line goes through as it is
                match = cleaning and _PARTITION_KEY_DROP.match(line.decode("utf-8", "replace"))
                if match and is_partition(match.group(1)):
                    continue
                applier.stdin.write(line)
        except BrokenPipeError:
            pass  # psql stopped at an error: its message says which
        with contextlib.suppress(BrokenPipeError):
            applier.stdin.close()
        failures = [
            f"{Path(command[0]).name} 失败：{process.stderr.read().decode('utf-8', 'replace').strip()[-2000:]}"
            for command, process in ((write, writer), (apply, applier))
            if process.wait() != 0
        ]
    if failures:
        raise BackupError(failures[-1])


def server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def tool(name: str, at_least: int) -> tuple[str, int]:
    """The path and major version of a client tool of version `at_least` or newer."""
    seen = []
    for path in (f"/usr/lib/postgresql/{at_least}/bin/{name}", shutil.which(name)):
        if path and Path(path).is_file():
            major = _major(path)
            if major >= at_least:
                return path, major
            seen.append(f"{path}（{major}）")
    raise BackupError(
        f"需要 {at_least} 或更新版本的 {name}，找到的是：{'、'.join(seen) or '没有'}。"
        f"请安装 postgresql-client-{at_least}"
    )


def _major(path: str) -> int:
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    answer = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"\)\s*(\d+)", answer).group(1))


def _client_env(engine: Engine, options: str = "") -> tuple[dict, str]:
    # The password goes in the environment, not on a command line every user can list.
    url = engine.url
    env = dict(os.environ, PGPASSWORD=url.password) if url.password else dict(os.environ)
    if options:
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {options}".strip()
    return env, url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], engine: Engine, options: str = "") -> None:
    env, address = _client_env(engine, options)
    done = subprocess.run([*command, f"--dbname={address}"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-2000:]}")
