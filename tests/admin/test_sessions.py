"""Staff sessions: sign-out ends the session on the server, an idle session ends, failed sign-ins
slow the account down (never lock it for long), and nothing a staff member sees is cached."""

from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select
from support import csrf_from

from core.extensions import db
from core.users import backoff
from core.users.models import User

START = datetime(2026, 11, 3, 1, 0, tzinfo=timezone.utc)


def test_a_copied_cookie_stops_working_after_sign_out(app, client, make_user, login):
    make_user("chen")
    login("chen")
    copied = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", copied)
    assert other.get("/admin/").status_code == 200  # the copy works while the session lives
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    assert other.get("/admin/").status_code == 302  # …and not after sign-out
    fresh = app.test_client()
    fresh.set_cookie("session", copied)
    assert fresh.get("/admin/").status_code == 302


def test_an_idle_session_ends_after_thirty_minutes(client, make_user, login):
    make_user("chen")
    with time_machine.travel(START, tick=False) as clock:
        login("chen")
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200  # use keeps it alive…
        clock.shift(timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=31))  # …idleness ends it
        response = client.get("/admin/")
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
        assert "长时间没有操作" in client.get("/staff/login").text


def test_a_session_ends_after_twelve_hours_however_busy(client, make_user, login):
    make_user("chen")
    with time_machine.travel(START, tick=False) as clock:
        login("chen")
        for _ in range(11 * 3 + 2):
            clock.shift(timedelta(minutes=20))
            assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=20))  # 12 h 00 min… and one more request past it
        clock.shift(timedelta(minutes=1))
        assert client.get("/admin/").status_code == 302


def test_the_idle_timeout_is_configurable(app, client, make_user, login):
    app.config["STAFF_IDLE_MINUTES"] = 5
    make_user("chen")
    with time_machine.travel(START, tick=False) as clock:
        login("chen")
        clock.shift(timedelta(minutes=6))
        assert client.get("/admin/").status_code == 302


def test_failed_sign_ins_slow_the_account_instead_of_locking_it(client, make_user, login):
    make_user("chen")
    make_user("li")
    with time_machine.travel(START, tick=False) as clock:
        waits = []
        for attempt in range(8):  # more than the old lock's five, each after the wait it earned
            assert login("chen", f"guess{attempt}").status_code == 401
            db.session.expire_all()
            waits.append(backoff.seconds_to_wait(db.session.scalar(select(User).filter_by(username="chen"))))
            if not waits[-1]:
                continue
            refused = login("chen")  # even the right password waits its turn
            assert refused.status_code == 429 and f"请{waits[-1]}秒后再试" in refused.text
            assert login("li").status_code == 302  # other accounts are not held back
            client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
            clock.shift(timedelta(seconds=waits[-1]))
        assert waits == [0, 0, 1, 2, 4, 8, 16, 32]  # doubling after three free tries
        assert login("chen").status_code == 302  # once the wait is over, the owner signs in
        db.session.expire_all()
        assert db.session.scalar(select(User.failed_logins).filter_by(username="chen")) == 0


def test_the_wait_never_exceeds_the_maximum(app, make_user):
    user = make_user("chen")
    user.failed_logins = 60
    db.session.commit()
    with time_machine.travel(START, tick=False):
        assert backoff.record_failure(user.id) == app.config["LOGIN_MAX_DELAY_SECONDS"] == 900


def test_unknown_names_are_refused_like_wrong_passwords(client, make_user, login):
    for attempt in range(6):
        response = login("nobody", f"guess{attempt}")
        assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_staff_pages_and_sign_in_are_not_cached(client, make_user, login):
    make_user("chen")
    assert client.get("/staff/login").headers["Cache-Control"] == "no-store"
    login("chen")
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
