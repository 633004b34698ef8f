"""Extension singletons, bound to an app in create_app."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Connection

from core.csrf import MaskedCSRFProtect
from core.db import Base
from core.replica import RoutingSession, read_engine


def client_address() -> str:
    """The requester's address as the proxy chain reports it (ProxyFix sets remote_addr)."""
    return request.remote_addr or "unknown"


# The session class routes a public page's reads to the replica when one is set (core/replica.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
login_manager = LoginManager()
csrf = MaskedCSRFProtect()  # tokens masked per response (core/csrf.py)
# Counters only; storage comes from RATELIMIT_STORAGE_URI (memory by default, Redis in production
# so that every worker shares them). Keys expire with their windows.
limiter = Limiter(key_func=client_address, default_limits=[])


@contextmanager
def read_outside_transaction() -> Iterator[Connection]:
    """A connection for one small read apart from the request's session. On PostgreSQL it runs in
    autocommit: no BEGIN and ROLLBACK round trips around the read. (SQLite's driver opens no
    transaction for a read; its reset would be a PRAGMA.)"""
    engine = read_engine(db.engine)  # the replica for a public page's read, as the session's
    options = {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection:
        yield connection
