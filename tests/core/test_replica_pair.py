"""A real primary and streaming replica, made by bin/replica in a temporary folder: public pages
read the replica, a replica further behind than the bound is skipped, and a stopped replica gives
way to the primary without an error page."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from sqlalchemy import create_engine, text
from support import IN_CI, REPO

import core.replica
from app import create_app
from conftest import FreshContextClient, app_config, migrate_to_head
from core.extensions import db
from core.regions.models import Region

SCRIPT = REPO / "bin" / "replica"
VILLAGE = "629901101201"
SETUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def pg_pair():
    """(primary URL, replica URL, the pair's folder), or a skip when no pair can be made here."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        message = "PostgreSQL server binaries not found (Debian package postgresql)"
        pytest.fail(f"{message}: required when CI=true") if IN_CI else pytest.skip(message)
    # Under /tmp itself: the servers run as postgres, who cannot enter pytest's root-only folders.
    folder = tempfile.mkdtemp(prefix="cunwu-replica-")
    os.chmod(folder, 0o755)
    pair = f"{folder}/pair"
    ports = _free_port(), _free_port()
    env = dict(os.environ, PRIMARY_PORT=str(ports[0]), REPLICA_PORT=str(ports[1]))
    try:
        subprocess.run(
            [SCRIPT, "setup", pair], env=env, check=True, capture_output=True, text=True, timeout=SETUP_SECONDS
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        subprocess.run([SCRIPT, "stop", pair], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"bin/replica could not set up a pair here: {getattr(error, 'stderr', '') or error}")
    server = "postgresql+psycopg://postgres@127.0.0.1:{}/postgres"
    admin = create_engine(server.format(ports[0]), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE cunwu"))
    admin.dispose()
    urls = [server.format(port).removesuffix("postgres") + "cunwu" for port in ports]
    try:
        yield urls[0], urls[1], pair
    finally:
        subprocess.run([SCRIPT, "stop", pair], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _on_replica(url: str, sql: str, until=None, seconds: float = 20):
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        deadline = time.monotonic() + seconds
        while True:
            with engine.connect() as connection:
                value = connection.execute(text(sql)).scalar()
            if until is None or until(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.05)
    finally:
        engine.dispose()


def test_a_real_pair(pg_pair, tmp_path):
    primary, replica, pair = pg_pair
    migrate_to_head(primary, tmp_path)
    app = create_app(
        app_config(primary, tmp_path)
        | {
            "DATABASE_REPLICA_URL": replica,
            "DATABASE_REPLICA_CHECK_SECONDS": 0,
            "PORTAL_STATE_SECONDS": 0,
            "DATABASE_REPLICA_MAX_LAG_SECONDS": 3600,
        }
    )
    app.test_client_class = FreshContextClient
    client = app.test_client()
    with app.app_context():
        for code, name, level, parent in [
            ("629901000000", "青川县", "county", None),
            ("629901101000", "黄大镇", "township", "629901000000"),
            (VILLAGE, "青山村", "village", "629901101000"),
        ]:
            db.session.add(Region(code=code, name=name, level=level, parent_code=parent, pinyin="x", initials="x"))
        db.session.commit()  # on the primary; streamed to the replica
        assert (
            _on_replica(
                replica, f"SELECT name FROM regions WHERE code = '{VILLAGE}'", until=lambda name: name == "青山村"
            )
            == "青山村"
        )

        # Replay paused: the primary's rename never reaches the replica, whose pages keep the old name.
        _on_replica(replica, "SELECT pg_wal_replay_pause()")
        db.session.get(Region, VILLAGE).name = "青山新村"
        db.session.commit()
        _on_replica(replica, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()", until=bool)
        page = client.get(f"/r/{VILLAGE}").text
        assert "青山村" in page and "青山新村" not in page

        # A tight bound: the replica, now behind, is skipped.
        app.extensions["replica"].max_lag = 0.0
        assert "青山新村" in client.get(f"/r/{VILLAGE}").text
        app.extensions["replica"].max_lag = 3600

        # Replay resumed and caught up: the replica shows the rename.
        _on_replica(replica, "SELECT pg_wal_replay_resume()")
        _on_replica(replica, "SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()", until=bool)
        assert "青山新村" in client.get(f"/r/{VILLAGE}").text
        assert core.replica.replica_lag(app.extensions["replica"].engine) == 0

        # The replica stopped under a running app: every page still answers, from the primary.
        app.extensions["replica"].interval = 3600  # the check still says healthy: the request meets it down
        subprocess.run([SCRIPT, "stop", pair, "replica"], check=True, capture_output=True, timeout=60)
        for path in (f"/r/{VILLAGE}", f"/r/{VILLAGE}/ledger", f"/r/{VILLAGE}?again"):
            assert client.get(path).status_code == 200
        assert app.extensions["replica"].healthy is False
        db.session.remove()
        db.engine.dispose()
        core.replica.dispose(app)
