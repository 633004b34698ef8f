"""Fixtures: an app on a freshly migrated database per test, on SQLite or PostgreSQL.

The schema is built once per run through the Alembic migrations; each test then gets its own
copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests are isolated
without savepoint tricks.
"""
import itertools
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from core.extensions import db

from support import DATABASE_URL, ON_POSTGRES, REPO, csrf_from

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-0123456789",
    "ID_HMAC_KEY": "test-id-hmac-key-0123456789",
    "DATA_ENCRYPTION_KEY": "test-data-encryption-key-0123456789",
    "TRACKING_SECRET_KEY": "test-tracking-key-0123456789",
}


def app_config(database_uri: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://portal.test",
        # Speed only: production keeps scrypt; tests/admin/test_auth.py checks the default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Rules run when a test asks (tests/rules/test_background.py turns the automatic runs on).
        "RULES_AUTORUN": False,
        "RULES_BACKGROUND": False,
        **TEST_SECRETS,
    }


def migrate_to_head(database_uri: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    app = create_app(app_config(database_uri, tmp_path))
    with app.app_context():
        upgrade()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, workdir: Path):
        self.template = workdir / "template.db"
        migrate_to_head(f"sqlite:///{self.template}", workdir)

    def create(self, tmp_path: Path) -> str:
        target = tmp_path / "test.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, uri: str) -> None:
        pass


class PostgresDatabases:
    def __init__(self, workdir: Path):
        self.server = make_url(DATABASE_URL)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.prefix = f"yg_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.counter = itertools.count()
        self._run(f'CREATE DATABASE "{self.template}"')
        migrate_to_head(self._url(self.template), workdir)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def create(self, tmp_path: Path) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, uri: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{make_url(uri).database}" WITH (FORCE)')

    def close(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def _refuse_reads_beside_the_repository() -> None:
    """A clone stands alone: a test that opens or lists a file beside the checkout (design notes,
    sample data kept elsewhere) fails here, not only on a machine where nothing is beside it."""
    import os
    import sys

    repo = str(REPO)
    beside = os.path.dirname(repo)
    if beside in ("", os.sep):
        return

    def hook(event: str, args: tuple) -> None:
        if event not in ("open", "os.listdir", "os.scandir") or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return
        path = os.path.abspath(path)
        if path.startswith(beside + os.sep) and path != repo and not path.startswith(repo + os.sep):
            raise PermissionError(f"tests must not read outside the repository: {path}")
    sys.addaudithook(hook)


_refuse_reads_beside_the_repository()


def pytest_addoption(parser):
    parser.addoption(
        "--today", metavar="YYYY-MM-DDTHH:MM",
        help="run the suite as if the clock (Asia/Shanghai) read this instant and ticked on from "
             "it: a test whose answer depends on the date must freeze its own clock; browser "
             "tests are skipped, as Chromium's own clock cannot be moved")


@pytest.fixture(scope="session", autouse=True)
def shifted_today(request):
    """Honour --today for the whole run (see pytest_addoption)."""
    start = request.config.getoption("--today")
    if not start:
        yield None
        return
    import time_machine

    from core.timezone import SHANGHAI
    instant = datetime.fromisoformat(start)
    with time_machine.travel(instant if instant.tzinfo else instant.replace(tzinfo=SHANGHAI), tick=True):
        yield instant


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if config.getoption("--today"):
        skip = pytest.mark.skip(reason="--today moves Python's clock, not Chromium's")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("db")
    if ON_POSTGRES:
        dbs = PostgresDatabases(workdir)
        yield dbs
        dbs.close()
    else:
        yield SqliteDatabases(workdir)


@pytest.fixture
def database_uri(databases, tmp_path):
    uri = databases.create(tmp_path)
    yield uri
    databases.drop(uri)


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, with its own `g` and database session, as in
    production; otherwise the test's long-lived context would leak the signed-in user between
    requests."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_uri, tmp_path):
    application = create_app(app_config(database_uri, tmp_path))
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner(mix_stderr=False) if _runner_mixes_stderr() else app.test_cli_runner()


def _runner_mixes_stderr() -> bool:
    import inspect

    from click.testing import CliRunner
    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


@pytest.fixture
def make_region(app):
    from core.regions.models import Region
    from core.regions.pinyin import pinyin_keys

    def make(code: str, name: str, level: str, parent: str | None = None):
        full, initials = pinyin_keys(name)
        region = Region(code=code, name=name, level=level, parent_code=parent, pinyin=full,
                        initials=initials)
        db.session.add(region)
        db.session.commit()
        return region
    return make


@pytest.fixture
def township_tree(make_region):
    """A county with one township of two villages, and a second township."""
    make_region("629901000000", "青川县", "county")
    make_region("629901101000", "黄大镇", "township", "629901000000")
    make_region("629901101201", "青山村", "village", "629901101000")
    make_region("629901101202", "上东村", "village", "629901101000")
    make_region("629901102000", "白水乡", "township", "629901000000")
    make_region("629901102201", "河口村", "village", "629901102000")


@pytest.fixture
def make_user(app):
    from core.users.models import Role
    from core.users.services import create_user

    def make(username: str, role: str = "admin", regions=(), is_lead=False, password="pw-for-tests-1"):
        user, _ = create_user(username, role=Role(role), region_codes=list(regions), is_lead=is_lead,
                              password=password)
        return user
    return make


@pytest.fixture
def login(client):
    def do(username: str, password: str = "pw-for-tests-1"):
        page = client.get("/staff/login")
        return client.post("/staff/login", data={"username": username, "password": password,
                                                  "csrf_token": csrf_from(page.text)})
    return do
