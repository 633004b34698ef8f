"""Security headers on every response, and per-connection database settings."""

import sqlite3

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def content_security_policy(style_hashes=(), script_hashes=()) -> str:
    """The policy; inline styles and scripts run only when their exact text's hash is listed
    (core/assets/inline.py), never by 'unsafe-inline'."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{_sources(script_hashes)}",
            f"style-src 'self'{_sources(style_hashes)}",
            *OTHER_DIRECTIVES,
        ]
    )


def _sources(hashes) -> str:
    return "".join(f" 'sha256-{digest}'" for digest in hashes)


OTHER_DIRECTIVES = [
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
CONTENT_SECURITY_POLICY = content_security_policy()


# A year, this host and any below it; sent only over https, where browsers heed it.
HSTS = "max-age=31536000; includeSubDomains"


def static_headers(headers, policy: str) -> None:
    """The headers below on a static file too, which WhiteNoise serves before the app sees the
    request (HSTS comes with the pages: a browser keeps it from any one response)."""
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(self)")


def add_security_headers(response):
    """Headers that keep the pages from being framed, sniffed or fed foreign scripts."""
    static_headers(response.headers, current_app.extensions.get("content_security_policy", CONTENT_SECURITY_POLICY))
    if request.is_secure:  # over https (directly, or as TRUSTED_PROXIES report it): stay on https
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # WAL lets villagers read while an accountant's import writes; SQLite leaves foreign keys
        # off unless asked on every connection.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        # psycopg prepares a statement run five times, and PostgreSQL then plans it once for any
        # values: the queue's filters (a LIKE pattern, a list of ids, a date) need the plan for
        # theirs, or a count over one township reads the whole table.
        dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
