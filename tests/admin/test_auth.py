import pytest
from support import csrf_from

from core.audit import AuditEntry
from core.extensions import db


def test_login_and_logout(client, make_user, login):
    make_user("chen", role="admin")
    response = login("chen")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    home = client.get("/admin/")
    assert home.status_code == 200 and "工作台" in home.text
    client.post("/staff/logout", data={"csrf_token": csrf_from(home.text)})
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, make_user, login):
    make_user("chen")
    response = login("chen", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert login("nobody", "wrong").text.count("用户名或密码错误") == 1


def test_disabled_account_cannot_log_in_and_loses_its_session(app, client, make_user, login):
    from core.users.services import set_enabled

    user = make_user("chen")
    assert login("chen").status_code == 302
    set_enabled(user, False)
    assert client.get("/admin/").status_code == 302  # the old session no longer loads
    assert login("chen").status_code == 401


def test_password_reset_ends_existing_sessions(app, client, make_user, login):
    from core.users.services import reset_password

    user = make_user("chen")
    login("chen")
    new_password = reset_password(user)
    assert client.get("/admin/").status_code == 302
    assert login("chen", new_password).status_code == 302


def test_login_is_slowed_per_account(app, client, make_user, login):
    make_user("chen")
    statuses = [login("chen", f"wrong{i}").status_code for i in range(3)]
    assert statuses == [401] * 3
    blocked = login("chen")  # right password, but the account must wait a moment now
    assert blocked.status_code == 429 and "秒后再试" in blocked.text


def test_login_is_throttled_per_address(app, client, make_user, login):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    make_user("chen")
    for i in range(3):
        assert login(f"user{i}", "wrong").status_code == 401
    assert login("chen").status_code == 429


def test_an_app_made_without_limits_leaves_the_next_app_limited(make_app, database_uri, make_user):
    make_app(database_uri, RATELIMIT_ENABLED=False)
    client = make_app(database_uri, LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes").test_client()
    make_user("chen")

    def login(username, password="wrong"):  # pragma: allowlist secret
        token = csrf_from(client.get("/staff/login").text)
        return client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token})

    for i in range(3):
        assert login(f"user{i}").status_code == 401
    assert login("chen", "pw-for-tests-1").status_code == 429


def test_successful_logins_do_not_count_towards_the_throttle(app, client, make_user, login):
    make_user("chen")
    for _ in range(7):
        assert login("chen").status_code == 302
        client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})


def test_session_is_renewed_on_login(client, make_user, login):
    make_user("chen")
    client.get("/staff/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login("chen")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_without_csrf_token_is_rejected(client, make_user):
    make_user("chen")
    response = client.post("/staff/login", data={"username": "chen", "password": "pw-for-tests-1"})
    assert response.status_code == 400
    assert "页面已过期" in response.text


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/%09/evil.example",
        "/%0a/evil.example",
        "%0d//evil",
        "\\\\evil",
        "/\\evil",
        "https://evil",
        "javascript:alert(1)",
        "/%E3%80%80/evil",
    ],
)
def test_next_parameter_cannot_send_users_off_site(client, make_user, target):
    make_user("chen")
    page = client.get("/staff/login")
    response = client.post(
        f"/staff/login?next={target}",
        data={"username": "chen", "password": "pw-for-tests-1", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_next_parameter_keeps_a_same_site_path(client, make_user):
    make_user("chen")
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login?next=/admin/cases%3Fstatus%3Dopen",
        data={"username": "chen", "password": "pw-for-tests-1", "csrf_token": csrf_from(page.text)},
    )
    assert response.headers["Location"] == "/admin/cases?status=open"


def test_login_is_audited_with_address(client, make_user, login):
    make_user("chen")
    login("chen")
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.login")).one()
    assert entry.actor_name == "chen" and entry.address == "127.0.0.1"


def test_session_cookie_is_httponly_and_lax(client, make_user, login):
    make_user("chen")
    response = login("chen")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path):
    from core.config import DEFAULTS
    from werkzeug.security import check_password_hash, generate_password_hash

    assert DEFAULTS["PASSWORD_HASH_METHOD"] == "scrypt"
    hashed = generate_password_hash("secret", method=DEFAULTS["PASSWORD_HASH_METHOD"])
    assert hashed.startswith("scrypt:") and check_password_hash(hashed, "secret")
