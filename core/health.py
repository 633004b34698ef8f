"""Probes for a load balancer, a supervisor or a fault script: /healthz says the process answers,
/readyz that it can serve (the database answers and, when configured, the rate-limit store)."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from core import replica
from core.extensions import db, limiter
from core.unavailable import RETRY_AFTER_SECONDS, is_unavailable

bp = Blueprint("health", __name__)
OK, UNAVAILABLE, NOT_CONFIGURED = "ok", "unavailable", "not configured"


@bp.get("/healthz")
def healthz():
    """Up: touches nothing outside the process."""
    return _answer({"status": OK}, 200)


@bp.get("/readyz")
def readyz():
    """Ready: each dependency answers within its connect timeout (core/config.py)."""
    checks = {"database": _database(), "redis": _rate_limit_store()}
    ready = all(state in (OK, NOT_CONFIGURED) for state in checks.values())
    # Reported, never a reason to take the worker out: without the replica it reads the primary.
    return _answer({"status": OK if ready else UNAVAILABLE, **checks, "replica": _replica()},
                   200 if ready else 503)


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
