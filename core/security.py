"""Security headers on every response, and per-connection database settings."""
import sqlite3

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


# A year, this host and any below it; sent only over https, where browsers heed it.
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response):
    """Headers that keep the pages from being framed, sniffed or fed foreign scripts."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(self)")
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
