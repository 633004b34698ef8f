"""Reads from a streaming replica: where each request's queries go, decided in one place.

With DATABASE_REPLICA_URL set, a public page that only reads (a village's pages, downloads, the
tracking page) is served from the replica; everything else stays on the primary: writes, staff
pages, any request from a signed-in staff member, and any request from a browser that wrote in
the last few seconds (read-your-writes: a short-lived cookie set on the answer to each write, so
the page a POST redirects to sees what it stored even when the replica lags). A request keeps
the target it started with, except that once it writes, its later reads go to the primary too.

The replica is used only while healthy: each process asks it, at most every
DATABASE_REPLICA_CHECK_SECONDS, whether it answers and how far it lags; one lagging more than
DATABASE_REPLICA_MAX_LAG_SECONDS is skipped. A replica that fails during a request (stopped,
unreachable) is marked down and the view runs again on the primary: the villager sees the page,
not an error.

Unset, everything is on the primary, as before.
"""

import logging
from collections.abc import Callable
from functools import wraps
from math import ceil
from time import monotonic

from flask import Flask, current_app, has_request_context, request, session
from flask_sqlalchemy.session import Session as FlaskSession
from core.web import secure_cookies
from sqlalchemy import Delete, Insert, Update, create_engine, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import TextClause

log = logging.getLogger(__name__)

# Where a request's choice is kept: its WSGI environ, so that it lasts exactly one request (a
# background warm-up runs several requests in one application context). A caller that must read
# the primary (the warm-up after a publication, which the replica may not have yet) sets it.
READ_TARGET = "cunwu.read_target"
WROTE = "cunwu.wrote"
PRIMARY, REPLICA = "primary", "replica"
# Public pages that read and never write. Endpoint names, not imports: core imports no feature.
REPLICA_BLUEPRINTS = frozenset({"portal", "qr"})
REPLICA_ENDPOINTS = frozenset(
    {"complaints.case", "complaints.attachment", "complaints.stats", "complaints.mine", "complaints.track"}
)
SAFE_METHODS = frozenset({"GET", "HEAD"})
STICKY_COOKIE = "rw"

# Seconds behind the primary: 0 when it has replayed all it received and is still receiving
# (an idle primary sends nothing, so the last replayed commit's age would grow); otherwise the
# age of the last replayed commit. pg_stat_wal_receiver shows its row (pid) to any role.
LAG_SQL = text("""
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END""")


class ReplicaState:
    """One process's replica: its engine and what the last check found."""

    def __init__(self, engine: Engine, max_lag: float, interval: float):
        self.engine, self.max_lag, self.interval = engine, max_lag, interval
        self.healthy, self.next_check = False, 0.0

    def usable(self) -> bool:
        now = monotonic()
        if now >= self.next_check:
            self.next_check = now + self.interval  # first: other threads do not pile on meanwhile
            self._set(self._probe())
        return self.healthy

    def failed(self, error: BaseException) -> None:
        """A request met the replica down: skip it until the next check."""
        self.next_check = monotonic() + self.interval
        if self.healthy:
            log.warning("replica failed (%s): reading from the primary", error.__class__.__name__)
        self.healthy = False

    def _probe(self) -> bool:
        try:
            lag = replica_lag(self.engine)
        except sa_exc.DBAPIError as error:
            if self.healthy:
                log.warning("replica unreachable (%s): reading from the primary", error.__class__.__name__)
            return False
        if lag > self.max_lag:
            if self.healthy:
                log.warning("replica %.1f s behind (bound %s s): reading from the primary", lag, self.max_lag)
            return False
        return True

    def _set(self, healthy: bool) -> None:
        if healthy and not self.healthy:
            log.info("replica healthy: public reads go to it")
        self.healthy = healthy


def replica_lag(engine: Engine) -> float:
    """Seconds the replica is behind the primary (0 for SQLite, which stands in for it in tests)."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return 0.0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return float(connection.execute(LAG_SQL).scalar_one())


def state() -> ReplicaState | None:
    return current_app.extensions.get("replica")


def _choose() -> str:
    replica = state()
    if replica is None or request.method not in SAFE_METHODS:
        return PRIMARY
    if request.blueprint not in REPLICA_BLUEPRINTS and request.endpoint not in REPLICA_ENDPOINTS:
        return PRIMARY
    if request.cookies.get(STICKY_COOKIE):
        return PRIMARY  # this browser wrote a moment ago
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies and "_user_id" in session:
        return PRIMARY  # staff see what they (or a colleague) just changed
    return REPLICA if replica.usable() else PRIMARY


def reads_from_replica() -> bool:
    """Whether this request's reads go to the replica (chosen at its first query)."""
    if not has_request_context():
        return False  # commands, background jobs: the primary
    environ = request.environ
    target = environ.get(READ_TARGET)
    if target is None:
        target = environ[READ_TARGET] = _choose()
    return target == REPLICA


def _note_write() -> None:
    if has_request_context():
        request.environ[READ_TARGET] = PRIMARY
        request.environ[WROTE] = True


class RoutingSession(FlaskSession):
    """db.session: reads of a replica-served request go to the replica, the rest as usual."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            if self._flushing or _writes(clause):
                _note_write()
            elif reads_from_replica():
                return state().engine
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)


def _writes(clause) -> bool:
    """An INSERT, UPDATE or DELETE, a SELECT … FOR UPDATE, or SQL text that does not only read."""
    if isinstance(clause, (Insert, Update, Delete)):
        return True
    if isinstance(clause, TextClause):
        return not clause.text.lstrip().lower().startswith(("select", "with"))
    return getattr(clause, "_for_update_arg", None) is not None


def read_engine(primary: Engine) -> Engine:
    """The engine for a read apart from the session (core/extensions.read_outside_transaction)."""
    return state().engine if reads_from_replica() else primary


def retry_on_primary(view: Callable) -> Callable:
    """Run the view again on the primary when the replica fails under it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as error:
            if request.environ.get(READ_TARGET) != REPLICA:
                raise
            state().failed(error)
            from core.extensions import db

            db.session.rollback()  # drops the replica's connection; the view starts afresh
            request.environ[READ_TARGET] = PRIMARY
            return view(*args, **kwargs)

    return wrapper


def _sticky_after_write(response):
    """A browser that wrote reads the primary for a while (read-your-writes)."""
    if request.method not in SAFE_METHODS or request.environ.get(WROTE):
        replica = state()
        # Past the bound, plus a check interval in which the replica may have fallen behind unseen.
        seconds = ceil(replica.max_lag + 2 * replica.interval) + 1
        response.set_cookie(STICKY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax", secure=secure_cookies())
    return response


def init_app(app: Flask) -> None:
    """Call after every blueprint is registered: the views are wrapped for the fallback."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not app.testing:
        return  # SQLite has no replica (the tests let a second file stand for one)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.extensions["replica"] = ReplicaState(
        create_engine(url, **options),
        float(app.config["DATABASE_REPLICA_MAX_LAG_SECONDS"]),
        float(app.config["DATABASE_REPLICA_CHECK_SECONDS"]),
    )
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = retry_on_primary(view)
    app.after_request(_sticky_after_write)


def dispose(app: Flask) -> None:
    replica = app.extensions.get("replica")
    if replica is not None:
        replica.engine.dispose()
