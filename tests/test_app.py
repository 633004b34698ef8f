import pytest

from app import create_app
from core.config import build_config, normalise_database_url


def test_factory_takes_overrides(app):
    assert app.config["TESTING"] is True
    assert app.config["PUBLIC_BASE_URL"] == "http://portal.test"


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = build_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"


def test_missing_secrets_are_generated_once_into_instance(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ID_HMAC_KEY", "DATA_ENCRYPTION_KEY", "TRACKING_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    first = build_config(tmp_path, {})
    second = build_config(tmp_path, {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["ID_HMAC_KEY"] != first["SECRET_KEY"]
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_environment_secrets_win(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert build_config(tmp_path, {})["SECRET_KEY"] == "from-env"


def test_postgres_url_uses_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_https_base_url_makes_cookies_secure(tmp_path):
    config = build_config(
        tmp_path,
        {
            "PUBLIC_BASE_URL": "https://cunwu.example.cn/",
            "SECRET_KEY": "x",
            "ID_HMAC_KEY": "x",
            "DATA_ENCRYPTION_KEY": "x",
            "TRACKING_SECRET_KEY": "x",
        },
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PUBLIC_BASE_URL"] == "https://cunwu.example.cn"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_not_found_page_is_chinese(client):
    response = client.get("/r/999999999999")
    assert response.status_code == 404
    assert "页面不存在" in response.text


def test_each_connection_gets_its_settings(app):
    from sqlalchemy import text

    from core.extensions import db

    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":  # WAL, foreign keys
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        else:  # plans made for the values given, and kept past the connection's first transaction
            assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
            connection.rollback()
            assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_create_app_without_arguments_works(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://cunwu.example.cn")  # as production must
    for name in ("SECRET_KEY", "ID_HMAC_KEY", "DATA_ENCRYPTION_KEY", "TRACKING_SECRET_KEY"):
        monkeypatch.setenv(name, "k")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")


PRODUCTION_CONFIG = {
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "SECRET_KEY": "x",
    "ID_HMAC_KEY": "x",
    "DATA_ENCRYPTION_KEY": "x",
    "TRACKING_SECRET_KEY": "x",
}


def test_a_production_server_refuses_to_start_without_public_base_url(monkeypatch):
    from core.public_url import MissingPublicBaseUrl

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)  # as under gunicorn
    with pytest.raises(MissingPublicBaseUrl, match="PUBLIC_BASE_URL"):
        create_app(PRODUCTION_CONFIG)
    assert create_app(PRODUCTION_CONFIG | {"PUBLIC_BASE_URL": "https://cunwu.example.cn"})


def test_the_flask_command_may_do_without_public_base_url(monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # what Flask's CLI sets, for `flask run` too
    assert create_app(PRODUCTION_CONFIG).config["PUBLIC_BASE_URL"] == ""
