"""TOTP for administrators and leads: set up at the first sign-in when required (QR code and
recovery codes shown once, kept hashed), then a code after every password, each code good once."""

import hashlib
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
import time_machine
from sqlalchemy import select
from support import csrf_from

from core.extensions import db
from core.users.models import RecoveryCode, User

START = datetime(2026, 11, 3, 1, 0, 5, tzinfo=timezone.utc)
SECRET = re.compile(r'<code class="totp-key">([A-Z2-7 ]+)</code>')


@pytest.fixture
def required(app):
    app.config["STAFF_2FA_REQUIRED"] = True


def post_code(client, url: str, code: str):
    return client.post(url, data={"code": code, "csrf_token": csrf_from(client.get(url).text)})


def sign_out(client):
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})


def enrol(client, login, username="root") -> tuple[str, list[str]]:
    """Sign in for the first time and set up the app; returns the key and the recovery codes."""
    response = login(username)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login/enrol"
    page = client.get("/staff/login/enrol")
    assert "<svg" in page.text and 'aria-label="两步验证二维码"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    shown = post_code(client, "/staff/login/enrol", pyotp.TOTP(secret).now())
    assert shown.status_code == 200 and "只显示这一次" in shown.text
    return secret, re.findall(r"<code>([0-9a-f-]{19})</code>", shown.text)


def test_an_admin_must_set_up_the_second_factor_before_anything_opens(client, required, make_user, login):
    make_user("root", "admin")
    with time_machine.travel(START, tick=False):
        login("root")
        assert client.get("/admin/").status_code == 302  # the password alone opens nothing
        secret, codes = enrol(client, login)
        assert client.get("/admin/").status_code == 200
    assert len(codes) == 10 and len(set(codes)) == 10
    user = db.session.scalar(select(User).filter_by(username="root"))
    assert user.totp_secret and secret not in user.totp_secret  # encrypted at rest
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}


def test_each_sign_in_asks_for_a_fresh_code_and_a_code_works_once(client, required, make_user, login):
    make_user("root", "admin")
    with time_machine.travel(START, tick=False) as clock:
        secret, _ = enrol(client, login)
        sign_out(client)
        assert login("root").headers["Location"] == "/staff/login/code"
        assert client.get("/admin/").status_code == 302
        used = pyotp.TOTP(secret).now()
        assert post_code(client, "/staff/login/code", used).status_code == 401  # spent on enrolment
        clock.shift(timedelta(seconds=30))
        assert post_code(client, "/staff/login/code", "000000").status_code == 401
        assert post_code(client, "/staff/login/code", pyotp.TOTP(secret).now()).status_code == 302
        assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(client, required, make_user, login):
    make_user("root", "admin")
    with time_machine.travel(START, tick=False):
        _, codes = enrol(client, login)
        sign_out(client)
        login("root")
        assert post_code(client, "/staff/login/code", codes[3].upper()).status_code == 302
        sign_out(client)
        login("root")
        assert post_code(client, "/staff/login/code", codes[3]).status_code == 401


def test_wrong_codes_slow_the_account_down(client, required, make_user, login):
    make_user("root", "admin")
    with time_machine.travel(START, tick=False):
        secret, _ = enrol(client, login)
        sign_out(client)
        login("root")
        for _ in range(3):
            assert post_code(client, "/staff/login/code", "123456").status_code == 401
        assert post_code(client, "/staff/login/code", "654321").status_code == 429


def test_leads_need_it_and_other_staff_do_not(client, required, make_user, login, township_tree):
    make_user("lead", "handler", ["629901000000"], is_lead=True)
    make_user("clerk", "accountant", ["629901101201"])
    assert login("lead").headers["Location"] == "/staff/login/enrol"
    assert login("clerk").headers["Location"] == "/admin/"


def test_without_the_requirement_an_admin_signs_in_with_the_password(client, make_user, login):
    # Tests and the plain-http demo: STAFF_2FA_REQUIRED follows PUBLIC_BASE_URL (http here).
    make_user("root", "admin")
    assert login("root").headers["Location"] == "/admin/"


def test_https_deployments_require_it_by_default(make_app, database_uri):
    assert make_app(database_uri, PUBLIC_BASE_URL="https://cunwu.example.gov.cn").config["STAFF_2FA_REQUIRED"]
    assert not make_app(database_uri, PUBLIC_BASE_URL="https://x.example", STAFF_2FA_REQUIRED=False).config[
        "STAFF_2FA_REQUIRED"
    ]


def test_the_operator_resets_a_lost_phone(app, client, cli, required, make_user, login):
    make_user("root", "admin")
    with time_machine.travel(START, tick=False):
        enrol(client, login)
        result = cli.invoke(args=["users", "reset-2fa", "root"])
        assert result.exit_code == 0 and "已重置" in result.output
        assert client.get("/admin/").status_code == 302  # the session ended too
        assert login("root").headers["Location"] == "/staff/login/enrol"
    assert db.session.scalars(select(RecoveryCode)).all() == []
