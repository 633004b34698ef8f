"""Probes for a load balancer, a supervisor or a fault script: /healthz says the process answers,
/readyz that it can serve (the database answers) and whether the rate-limit store does."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from core import replica
from core.extensions import db, limiter
from core.unavailable import RETRY_AFTER_SECONDS, is_unavailable

bp = Blueprint("health", __name__)
OK, UNAVAILABLE, NOT_CONFIGURED, DEGRADED = "ok", "unavailable", "not configured", "degraded"


@bp.get("/healthz")
def healthz():
    """Up: touches nothing outside the process."""
    return _answer({"status": OK}, 200)


@bp.get("/readyz")
def readyz():
    """Ready: the database answers within its connect timeout (core/config.py). Redis missing
    leaves it ready but degraded: each worker then counts rate limits in its own memory
    (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), and a balancer that pulled every instance for it
    would turn a Redis outage into a whole outage."""
    checks = {"database": _database(), "redis": _rate_limit_store()}
    # The replica is reported, never a reason to take the worker out: without it reads go to the primary.
    if checks["database"] != OK:
        return _answer({"status": UNAVAILABLE, **checks, "replica": _replica()}, 503)
    return _answer({"status": DEGRADED if checks["redis"] == UNAVAILABLE else OK, **checks, "replica": _replica()}, 200)


def _database() -> str:
    # Its own connection, not the request's session: a probe must not leave a transaction open.
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        if not is_unavailable(error):
            current_app.logger.exception("readiness check failed")
        return UNAVAILABLE
    return OK


def _replica() -> str:
    found = replica.state()
    if found is None:
        return NOT_CONFIGURED
    return OK if found.usable() else UNAVAILABLE  # down, or further behind than the bound


def _rate_limit_store() -> str:
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        return NOT_CONFIGURED
    return OK if limiter.storage.check() else UNAVAILABLE


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
