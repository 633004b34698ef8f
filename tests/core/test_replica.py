"""Reads from a replica (core/replica.py), with a copy of the test's database standing in for it:
the village is renamed on the primary after the copy, so each page says which one it read."""

import re
import shutil

import pytest
from flask import request
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from support import ON_POSTGRES, csrf_from, signed_in_client

import core.replica
from complaints.codes import format_secret
from complaints.models import Category, Channel
from complaints.services import file_complaint
from core.extensions import db
from core.regions.models import Region

VILLAGE = "629901101201"
PAGE = f"/r/{VILLAGE}"
ON_REPLICA, ON_PRIMARY = "青山村", "青山新村"


def copy_database(databases, uri: str, tmp_path) -> str:
    """A copy of the database as it stands: the replica, caught up to this moment."""
    db.session.remove()
    db.engine.dispose()
    if ON_POSTGRES:
        name = f"{make_url(uri).database}_replica"
        databases._run(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(uri).database}"')
        return databases._url(name)
    target = tmp_path / "replica.db"
    shutil.copyfile(make_url(uri).database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def filed(township_tree):
    return file_complaint(
        village=db.session.get(Region, VILLAGE),
        category=Category.FUNDS,
        text="村道维修款去向不明",
        channel=Channel.WEB,
        identity=None,
    )


@pytest.fixture
def pair(app, township_tree, filed, make_user, databases, database_uri, tmp_path):
    """(replica URL); the primary then renames the village, which the replica never sees."""
    make_user("shenhe", "reviewer", ["629901101000"])
    replica = copy_database(databases, database_uri, tmp_path)
    db.session.get(Region, VILLAGE).name = ON_PRIMARY
    db.session.commit()
    yield replica
    if ON_POSTGRES:
        databases.drop(replica)


@pytest.fixture
def replica_app(make_app, database_uri, pair):
    def make(**config):
        made = make_app(database_uri, DATABASE_REPLICA_URL=pair, **config)
        apps.append(made)
        return made

    apps = []
    yield make
    for made in apps:
        core.replica.dispose(made)


def village_name(response) -> str:
    assert response.status_code == 200
    return re.search(r"<h1[^>]*>\s*([^<\s]+)", response.text).group(1)


def test_without_a_replica_public_pages_read_the_primary(make_app, database_uri, pair):
    assert village_name(make_app(database_uri).test_client().get(PAGE)) == ON_PRIMARY


def test_public_pages_read_the_replica(replica_app):
    client = replica_app().test_client()
    assert village_name(client.get(PAGE)) == ON_REPLICA
    assert client.get_cookie(core.replica.STICKY_COOKIE) is None


def test_a_browser_that_posted_reads_the_primary_for_a_while(replica_app):
    client = replica_app().test_client()
    assert village_name(client.get(PAGE)) == ON_REPLICA
    client.post("/track", data={"code": "X", "secret": "Y"})
    sticky = client.get_cookie(core.replica.STICKY_COOKIE)
    assert sticky is not None and sticky.max_age == 10  # 5 s bound + 2 checks of 2 s + 1
    assert sticky.http_only and sticky.same_site == "Lax" and not sticky.secure  # plain http here
    # Within the second the village's state is remembered, and still not the replica's copy.
    assert village_name(client.get(PAGE)) == ON_PRIMARY


def test_the_tracking_page_sees_the_visit_just_opened(replica_app, filed):
    """POST /track stores a tracking session on the primary; the page it redirects to reads it
    there, though the replica has not got it."""
    client = replica_app().test_client()
    page = client.get("/track")
    opened = client.post(
        "/track", data={"csrf_token": csrf_from(page.text), "code": filed.code, "secret": format_secret(filed.secret)}
    )
    assert opened.status_code == 302
    case = client.get("/track/case")
    assert case.status_code == 200 and filed.code in case.text
    client.delete_cookie(core.replica.STICKY_COOKIE)  # later: the replica, which lacks the visit
    assert client.get("/track/case").headers["Location"].endswith("/track")


def test_signed_in_staff_read_the_primary(replica_app):
    client = signed_in_client(replica_app(), "shenhe")
    client.delete_cookie(core.replica.STICKY_COOKIE)
    assert village_name(client.get(PAGE)) == ON_PRIMARY


@pytest.mark.parametrize(
    ("method", "path", "cookie", "target"),
    [
        ("GET", PAGE, None, "replica"),
        ("HEAD", f"{PAGE}/ledger", None, "replica"),
        ("GET", f"{PAGE}/ledger.csv", None, "replica"),
        ("GET", "/track/case", None, "replica"),
        ("GET", PAGE, "rw=1", "primary"),
        ("POST", "/lookup", None, "primary"),
        ("GET", "/complain", None, "primary"),
        ("GET", "/staff/login", None, "primary"),
        ("GET", "/staff/", None, "primary"),
    ],
)
def test_which_database_a_request_reads(replica_app, method, path, cookie, target):
    made = replica_app()
    headers = {"Cookie": cookie} if cookie else {}
    with made.test_request_context(path, method=method, headers=headers):
        engine = made.extensions["replica"].engine if target == "replica" else db.engine
        assert db.session.get_bind() is engine
        assert db.session.scalar(select(Region.name).where(Region.code == VILLAGE)) == (
            ON_REPLICA if target == "replica" else ON_PRIMARY
        )


def test_a_request_that_writes_goes_to_the_primary_from_then_on(replica_app):
    made = replica_app()
    with made.test_request_context(PAGE):
        assert db.session.get(Region, VILLAGE).name == ON_REPLICA
        db.session.add(
            Region(
                code="629901101203",
                name="新设村",
                level="village",
                parent_code="629901101000",
                pinyin="xinshecun",
                initials="xsc",
            )
        )
        db.session.flush()
        assert db.session.get_bind() is db.engine
        assert db.session.scalar(select(Region.name).where(Region.code == VILLAGE)) == ON_PRIMARY
        db.session.commit()
        assert request.environ[core.replica.WROTE]
    assert db.session.get(Region, "629901101203").name == "新设村"  # on the primary


def test_sql_text_that_writes_goes_to_the_primary(replica_app):
    made = replica_app()
    with made.test_request_context(PAGE):
        assert db.session.scalar(text(f"SELECT name FROM regions WHERE code = '{VILLAGE}'")) == ON_REPLICA
        db.session.execute(text(f"UPDATE regions SET name = '上山村' WHERE code = '{VILLAGE}'"))
        db.session.commit()
        assert request.environ[core.replica.WROTE]
    assert db.session.get(Region, VILLAGE).name == "上山村"


def test_a_replica_that_fails_mid_request_gives_way_to_the_primary(replica_app, databases, pair):
    made = replica_app(DATABASE_REPLICA_CHECK_SECONDS=3600, PORTAL_STATE_SECONDS=0)
    client = made.test_client()
    assert village_name(client.get(PAGE)) == ON_REPLICA
    databases.take_down(pair)
    if not ON_POSTGRES:  # a pooled SQLite connection would keep reading the moved file
        core.replica.dispose(made)
    try:
        assert village_name(client.get(PAGE)) == ON_PRIMARY  # the check still says healthy
        assert made.extensions["replica"].healthy is False
        assert village_name(client.get(f"{PAGE}?again")) == ON_PRIMARY
    finally:
        databases.bring_up(pair)


def test_an_unreachable_replica_is_skipped(replica_app, databases, pair):
    made = replica_app()
    databases.take_down(pair)
    try:
        assert village_name(made.test_client().get(PAGE)) == ON_PRIMARY
    finally:
        databases.bring_up(pair)


@pytest.mark.parametrize(("lag", "name"), [(1.0, ON_REPLICA), (60.0, ON_PRIMARY)])
def test_a_replica_behind_the_bound_is_skipped(replica_app, monkeypatch, lag, name):
    monkeypatch.setattr(core.replica, "replica_lag", lambda engine: lag)
    made = replica_app(DATABASE_REPLICA_MAX_LAG_SECONDS=5)
    assert village_name(made.test_client().get(PAGE)) == name


def test_readiness_reports_the_replica_but_does_not_depend_on_it(replica_app, databases, pair):
    made = replica_app(DATABASE_REPLICA_CHECK_SECONDS=0)
    client = made.test_client()
    assert client.get("/readyz").get_json()["replica"] == "ok"
    databases.take_down(pair)
    if not ON_POSTGRES:
        core.replica.dispose(made)
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 200 and answer.get_json()["replica"] == "unavailable"
    finally:
        databases.bring_up(pair)


def test_the_read_your_writes_cookie_is_secure_over_https(replica_app):
    client = replica_app().test_client()
    client.post("/track", data={"code": "X", "secret": "Y"}, base_url="https://portal.test")
    assert client.get_cookie(core.replica.STICKY_COOKIE, domain="portal.test").secure


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite primary's rule")
def test_a_sqlite_primary_outside_the_tests_has_no_replica(make_app, database_uri, pair):
    made = make_app(database_uri, DATABASE_REPLICA_URL=pair, TESTING=False)
    assert "replica" not in made.extensions
    assert village_name(made.test_client().get(PAGE)) == ON_PRIMARY
