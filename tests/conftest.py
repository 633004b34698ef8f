"""Fixtures: an app on a freshly migrated database per test, on SQLite or PostgreSQL.

The schema is built once per run through the Alembic migrations; each test then gets its own
copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests are isolated
without savepoint tricks.
"""

import contextvars
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

from support import DATABASE_URL, ON_POSTGRES, REPO, csrf_from, is_temp_dir

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-0123456789",
    "ID_HMAC_KEY": "test-id-hmac-key-0123456789",
    "DATA_ENCRYPTION_KEY": "test-data-encryption-key-0123456789",
    "TRACKING_SECRET_KEY": "test-tracking-key-0123456789",
}


# Where the session's build of static/ is (the static_build fixture), as `flask static build` makes it.
STATIC_BUILD: dict[str, Path] = {}


def app_config(database_uri: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "STATIC_BUILD_DIR": str(STATIC_BUILD.get("dir", tmp_path / "static-not-built")),
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://portal.test",
        # Speed only: production keeps scrypt; tests/admin/test_auth.py checks the default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Rules run when a test asks (tests/rules/test_background.py turns the automatic runs on).
        "RULES_AUTORUN": False,
        "RULES_BACKGROUND": False,
        # Pages are warmed after a publication when a test asks (tests/portal/test_warming.py).
        "PORTAL_WARM_AFTER_PUBLISH": False,
        "PORTAL_PAGE_CACHE_DIR": str(tmp_path / "page-cache"),
        "NOTICE_LOG_FILE": str(tmp_path / "notices.log"),
        **TEST_SECRETS,
    }


def migrate_to_head(database_uri: str, tmp_path: Path) -> None:
    from flask_migrate import upgrade

    from core.schema_migrations import migrations

    app = create_app(app_config(database_uri, tmp_path))
    migrations(app)
    with app.app_context():
        upgrade()
        db.engine.dispose()


class SqliteDatabases:
    def __init__(self, workdir: Path, source: "SqliteDatabases | None" = None):
        self.template = workdir / "template.db"
        if source:
            shutil.copyfile(source.template, self.template)
        else:
            migrate_to_head(f"sqlite:///{self.template}", workdir)
        self.template_uri = f"sqlite:///{self.template}"

    def create(self, tmp_path: Path) -> str:
        target = tmp_path / "test.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, uri: str) -> None:
        pass

    def create_empty(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'empty.db'}"

    def take_down(self, uri: str) -> None:
        # A directory where the file was: every new connection fails to open it (SQLITE_CANTOPEN),
        # as when the disk holding it is gone; chmod would not stop root, which CI runs as.
        path = Path(make_url(uri).database)
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                Path(f"{path}{suffix}").rename(f"{path}{suffix}.away")
        path.mkdir()

    def bring_up(self, uri: str) -> None:
        path = Path(make_url(uri).database)
        path.rmdir()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}.away").exists():
                Path(f"{path}{suffix}.away").rename(f"{path}{suffix}")


class PostgresDatabases:
    """One database per test, copied from the migrated template. Copies and drops happen in
    threads of their own while the tests run: the next test's database is copied before it asks,
    and no test waits for its database's DROP, which on PostgreSQL 15 waits for a checkpoint
    (then most of a test's time on a busy server); drops waiting together share one checkpoint."""

    def __init__(self, workdir: Path, source: "PostgresDatabases | None" = None):
        from concurrent.futures import ThreadPoolExecutor

        self.server = make_url(DATABASE_URL)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.prefix = f"yg_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.counter = itertools.count()
        if source:
            self._run(f'CREATE DATABASE "{self.template}" TEMPLATE "{source.template}"')
        else:
            self._run(f'CREATE DATABASE "{self.template}"')
            migrate_to_head(self._url(self.template), workdir)
        self.template_uri = self._url(self.template)
        self.copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-database-copy")
        self.dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-database-drop")
        self.ready = None  # the next test's database, being copied
        self.drops = []

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _copy(self) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def create(self, tmp_path: Path) -> str:
        name = (self.ready or self.copier.submit(self._copy)).result()
        self.ready = self.copier.submit(self._copy)
        return self._url(name)

    def drop(self, uri: str) -> None:
        sql = f'DROP DATABASE IF EXISTS "{make_url(uri).database}" WITH (FORCE)'
        self.drops = [drop for drop in self.drops if not drop.done() or drop.exception()]
        self.drops.append(self.dropper.submit(self._run, sql))

    def create_empty(self, tmp_path: Path) -> str:
        """A database with no tables at all, as `createdb` leaves it."""
        name = f"{self.prefix}_{next(self.counter)}"
        self._run(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def take_down(self, uri: str) -> None:
        # The server refuses every new connection to the database and ends the open ones, as when
        # it is shutting down; the server stays up for the other tests.
        name = make_url(uri).database
        self._run(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        self._run(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    def bring_up(self, uri: str) -> None:
        self._run(f'ALTER DATABASE "{make_url(uri).database}" ALLOW_CONNECTIONS true')

    def close(self) -> None:
        if self.ready is not None:
            self.drop(self._url(self.ready.result()))
        self.copier.shutdown(wait=True)
        self.dropper.shutdown(wait=True)
        self._run(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
        failed = [drop.exception() for drop in self.drops if drop.exception()]
        if failed:
            raise RuntimeError(f"{len(failed)} test databases could not be dropped: {failed[0]}")


def _refuse_reads_beside_the_repository() -> None:
    """A clone stands alone: a test that opens or lists a file beside the checkout (design notes,
    sample data kept elsewhere) fails here, not only on a machine where nothing is beside it."""
    import os
    import sys

    repo = str(REPO)
    beside = os.path.dirname(repo)
    if beside in ("", os.sep) or is_temp_dir(beside):
        return  # a throwaway clone in the temp folder: its neighbours are every test's temp files

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


def _share_url_builders() -> None:
    """Werkzeug compiles two small Python functions per URL rule each time an app is made, over
    half of create_app's time, and the suite makes an app per test. A rule with the same text,
    converters and defaults always compiles to the same function (it reaches the rule only through
    its `self` argument), so the tests' apps share them; every app still builds its own Map and
    Rules, and matching is untouched."""
    import inspect

    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    if list(inspect.signature(compile_builder).parameters) != ["self", "append_unknown"]:
        return  # another Werkzeug: compile as it does
    builders = {}

    def shared(self, append_unknown=True):
        key = (
            self.rule,
            tuple(self._trace),
            append_unknown,
            tuple((name, repr(value)) for name, value in (self.defaults or {}).items()),
            tuple(
                (name, type(converter), repr({k: v for k, v in vars(converter).items() if k != "map"}))
                for name, converter in self._converters.items()
            ),
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_share_url_builders()


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DDTHH:MM",
        help="run the suite as if the clock (Asia/Shanghai) read this instant and ticked on from "
        "it: a test whose answer depends on the date must freeze its own clock; browser "
        "tests are skipped, as Chromium's own clock cannot be moved",
    )


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


@pytest.fixture(scope="session", autouse=True)
def static_build(tmp_path_factory):
    """static/ built once per run, as bin/serve and a deployment build it."""
    from core.assets.build import build

    STATIC_BUILD["dir"] = tmp_path_factory.mktemp("static-build")
    build(REPO / "static", STATIC_BUILD["dir"])
    return STATIC_BUILD["dir"]


@pytest.fixture(scope="session")
def databases(static_build, tmp_path_factory):
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


@pytest.fixture(scope="session")
def demo_databases(databases, tmp_path_factory):
    """Like `databases`, but each copy holds the demo county as `flask demo` builds it, built once
    per run (it takes seconds). A test on it overrides database_uri with demo_database_uri."""
    workdir = tmp_path_factory.mktemp("demo-db")
    demo = type(databases)(workdir, source=databases)
    application = create_app(app_config(demo.template_uri, workdir))
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["demo"])
        db.session.remove()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    yield demo
    if ON_POSTGRES:
        demo.close()


@pytest.fixture
def demo_database_uri(demo_databases, tmp_path):
    uri = demo_databases.create(tmp_path)
    yield uri
    demo_databases.drop(uri)


class FreshContextClient(FlaskClient):
    """Each request runs as in production: in a context of its own, where the test's application
    context (and its `g` and database session) does not exist, and its body is read there too,
    after the request's own context has ended — so a streamed response that needs the database
    after the view returned fails here as it fails in a server."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(self._open_and_read, *args, **kwargs)

    def _open_and_read(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.make_sequence()  # the server reads the body once the view and its context are gone
        return response


@pytest.fixture
def app(database_uri, tmp_path):
    application = create_app(app_config(database_uri, tmp_path))
    application.test_client_class = FreshContextClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


class Outage:
    """The test's database made unreachable and back, for real: the app keeps running."""

    def __init__(self, databases, uri: str):
        self.databases, self.uri, self.is_down = databases, uri, False

    def down(self) -> None:
        db.session.remove()
        db.engine.dispose()
        self.databases.take_down(self.uri)
        self.is_down = True

    def up(self) -> None:
        self.databases.bring_up(self.uri)
        self.is_down = False


@pytest.fixture
def outage(app, databases, database_uri):
    """outage.down() makes the app's database unreachable; outage.up() brings it back."""
    interruption = Outage(databases, database_uri)
    yield interruption
    if interruption.is_down:
        interruption.up()


@pytest.fixture
def make_app(tmp_path):
    """make_app(database_uri, **config): another app, e.g. on an unreachable or empty database;
    its files go under the test's tmp_path unless config says otherwise."""
    made = []

    def make(database_uri: str, **config):
        application = create_app(app_config(database_uri, tmp_path) | config)
        application.test_client_class = FreshContextClient
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of its own on a free local port, keeping nothing on disk; its URL."""
    import socket
    import subprocess
    import time

    from support import require_tool
    from tools.redis_server import redis_command

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        redis_command(port, tmp_path, require_tool("redis-server")),
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        server.wait(10)


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
        region = Region(code=code, name=name, level=level, parent_code=parent, pinyin=full, initials=initials)
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
        user, _ = create_user(username, role=Role(role), region_codes=list(regions), is_lead=is_lead, password=password)
        return user

    return make


@pytest.fixture
def make_people(township_tree, make_user):
    """make_people("lead", "handler", …): those accounts of tests/factories.py's STAFF, made in
    that order, as a dict by the same keys."""
    from factories import STAFF

    def make(*keys: str) -> dict:
        people = {}
        for key in keys:
            username, role, regions, is_lead = STAFF[key]
            people[key] = make_user(username, role, regions, is_lead=is_lead)
        return people

    return make


@pytest.fixture
def login(client):
    def do(username: str, password: str = "pw-for-tests-1"):
        page = client.get("/staff/login")
        return client.post(
            "/staff/login", data={"username": username, "password": password, "csrf_token": csrf_from(page.text)}
        )

    return do
