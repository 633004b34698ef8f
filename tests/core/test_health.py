"""/healthz, /readyz, and what every page answers while the database cannot (issue 14, item 1)."""

import re
import socket
import threading
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from support import ON_POSTGRES, csrf_from, png_bytes

from complaints.models import Complaint
from core.extensions import db
from core.unavailable import is_unavailable

BUSY = "系统繁忙"
VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
TICKET = re.compile(r'name="ticket"[^>]*value="([^"]+)"')
TRACKING_CODE = re.compile(r'class="case-code"')


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def silent_server():
    """A local port that accepts connections and never answers: a hung server."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def unreachable_uri(tmp_path) -> str:
    if ON_POSTGRES:
        return f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/cunwu"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}"


def probe(app: Flask, path: str, wait: float = 30):
    """GET path from another thread; None if no answer came within `wait` seconds (a hang)."""
    answers = []
    worker = threading.Thread(target=lambda: answers.append(app.test_client().get(path)), daemon=True)
    worker.start()
    worker.join(wait)
    return answers[0] if answers else None


def assert_busy_page(response) -> None:
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    assert BUSY in response.text and "稍后再试" in response.text
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def test_healthz_answers_with_no_database_and_readyz_says_it_is_unreachable(make_app, tmp_path):
    # The app starts and answers /healthz although its database was never reachable.
    client = make_app(unreachable_uri(tmp_path)).test_client()
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"].isdigit()
    assert ready.json == {
        "status": "unavailable",
        "database": "unavailable",
        "redis": "not configured",
        "replica": "not configured",
    }
    assert_busy_page(client.get("/"))


def test_readyz_when_everything_answers(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.headers["Cache-Control"] == "no-store"
    assert ready.json == {"status": "ok", "database": "ok", "redis": "not configured", "replica": "not configured"}


def test_a_hung_postgresql_server_makes_readyz_fail_within_its_timeout_not_hang(make_app):
    with silent_server() as port:
        app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/cunwu")
        ready = probe(app, "/readyz")
    assert ready is not None, "readyz hung on a database that never answers"
    assert ready.status_code == 503 and ready.json["database"] == "unavailable"


def test_readyz_checks_redis_when_rate_limits_are_kept_there(make_app, database_uri):
    # Without Redis each worker counts in its own memory and filings go on (issue 14, item 4): the
    # instance stays in the balancer, flagged degraded, rather than every instance leaving it at once.
    refused = make_app(database_uri, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0")
    ready = refused.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json == {
        "status": "degraded",
        "database": "ok",
        "redis": "unavailable",
        "replica": "not configured",
    }
    with silent_server() as port:
        hung = make_app(database_uri, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
        ready = probe(hung, "/readyz")
    assert ready is not None, "readyz hung on a Redis that never answers"
    assert ready.status_code == 200 and ready.json["redis"] == "unavailable"


def test_readyz_with_a_running_redis(make_app, database_uri, redis_server):
    app = make_app(database_uri, RATELIMIT_STORAGE_URI=redis_server)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "replica": "not configured",
    }


def _any_url(app: Flask, rule) -> str:
    """A URL for the rule with plausible values: the database fails before they are looked up."""
    values = {
        "code": VILLAGE,
        "filename": "css/site.css",
        "table": "ledger",
        "fmt": "csv",
        "kind": "ledger",
        "project_no": "XM-001",
        "token": "7KD3QX",
        "county_code": "629901000000",
    }
    with app.test_request_context():
        return app.url_for(rule.endpoint, **{arg: values.get(arg, 1) for arg in rule.arguments})


# What may answer without the database: files, the process probe, cookie-only switches, pages
# that send a visitor without a tracking session back to /track, and forms shown empty or refused
# as incomplete before anything is looked up.
NEEDS_NO_DATABASE = {
    "static",
    "favicon",
    "health.healthz",
    "portal.text_size",
    "portal.kiosk_exit",
    "kiosk_reset.token",
    "kiosk_reset.reset",
    "complaints.case",
    "complaints.rate",
    "complaints.review",
    "complaints.leave",
    "complaints.material",
    "complaints.mine",
}
ANONYMOUS_NEEDS_NO_DATABASE = {
    "auth.login",
    "auth.code",
    "auth.enrol",
    "complaints.track",
    "portal.lookup",
    "portal.search",
}
STAFF_AREAS = ("admin.", "disclosures.", "complaints_staff.", "rounds_admin.", "rules.", "auth.logout")


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_every_page_answers_503_while_the_database_is_down(
    app, client, township_tree, make_user, login, outage, signed_in
):
    if signed_in:
        make_user("root", "admin")
        assert login("root").status_code == 302
    token = csrf_from(client.get("/admin/" if signed_in else "/staff/login").text)
    outage.down()
    answered = {}
    for rule in app.url_map.iter_rules():
        for method in ("GET", "POST"):
            if method in rule.methods:
                with client.open(_any_url(app, rule), method=method, data={"csrf_token": token}) as response:
                    answered[(rule.endpoint, method)] = response.status_code
                    if response.status_code == 503 and rule.endpoint != "health.readyz":  # JSON
                        assert_busy_page(response)
                        if method == "POST":
                            assert "没有保存成功" in response.text or "没有提交成功" in response.text
    assert 500 not in answered.values()
    served = {endpoint for (endpoint, _), status in answered.items() if status != 503}
    if signed_in:
        assert served <= NEEDS_NO_DATABASE, served - NEEDS_NO_DATABASE
    else:  # a staff page sends an anonymous visitor to sign in without asking the database
        served = {endpoint for endpoint in served if not endpoint.startswith(STAFF_AREAS)}
        assert served <= NEEDS_NO_DATABASE | ANONYMOUS_NEEDS_NO_DATABASE
    for page in [
        ("portal.index", "GET"),
        ("portal.region", "GET"),
        ("complaints.complain", "GET"),
        ("complaints.complain", "POST"),
        ("health.readyz", "GET"),
    ]:
        assert answered[page] == 503, page
    outage.up()
    assert client.get("/").status_code == 200
    assert client.get("/readyz").status_code == 200


def _form(client) -> dict:
    page = client.get(FORM)
    assert page.status_code == 200
    return {"csrf_token": csrf_from(page.text), "ticket": TICKET.search(page.text).group(1)}


def _post(client, fields: dict):
    import io

    data = fields | {
        "category": "funds",
        "text": "村里修路的钱去向不明，请核查",
        "identity": "anonymous",
        "photos": [(io.BytesIO(png_bytes()), "road.png")],
    }
    return client.post(FORM, data=data, content_type="multipart/form-data")


def test_a_complaint_posted_while_the_database_is_down_is_refused_plainly_and_not_stored(
    app, client, township_tree, outage, tmp_path
):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    fields = _form(client)
    outage.down()
    refused = _post(client, fields)
    assert_busy_page(refused)
    assert "您的反映没有提交成功，请稍后重新提交" in refused.text
    assert not TRACKING_CODE.search(refused.text) and "已收到" not in refused.text
    assert "村里修路的钱去向不明，请核查</textarea>" in refused.text  # what was typed comes back
    outage.up()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(path.is_file() for path in uploads.rglob("*")), "a photo was kept"
    # The same form sent again once the database is back is filed, without a restart.
    filed = _post(client, fields)
    assert filed.status_code == 200 and TRACKING_CODE.search(filed.text)
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_database_failure_after_the_view_is_a_503_and_other_errors_stay_500(make_app, database_uri, outage):
    app = make_app(database_uri, PROPAGATE_EXCEPTIONS=False)

    @app.after_request
    def touch_database(response):
        if response.status_code == 200:
            db.session.execute(text("SELECT 1"))
        return response

    @app.get("/broken")
    def broken():
        raise ZeroDivisionError

    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    outage.down()
    with app.app_context():
        db.engine.dispose()  # its pooled connection would still read the moved SQLite file
    assert_busy_page(client.get("/healthz"))
    failed = client.get("/broken")
    assert failed.status_code == 500 and "系统出错了" in failed.text
    outage.up()


def test_a_bug_in_a_query_is_not_mistaken_for_an_outage(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(Exception) as missing_table, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
    assert not is_unavailable(missing_table.value)
    engine.dispose()
