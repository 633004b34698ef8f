"""While the database cannot answer, or the upload folder cannot take a file (disk full, quota,
read-only), every page says so with a 503 and a Retry-After, never a 500.

A request that meets an unreachable, locked or overloaded database gets a short Chinese page;
one that posted something is told plainly that it was not stored (a view may say it in its own
words with `unsaved_notice`). The page is rendered from the template alone: nothing on it may
need the database, not even the signed-in user.
"""

import errno
import sqlite3
from collections.abc import Callable

from flask import Flask, current_app, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import InternalServerError

RETRY_AFTER_SECONDS = 30
BUSY = "系统繁忙，请稍后再试。"
NOT_STORED = "您刚才提交的内容没有保存成功，请稍后重新提交。"

# SQLite result codes (the low byte of an extended code) that mean "not now" rather than a bug:
# busy or locked by another writer, an I/O error, the file cannot be opened, the disk is full,
# the file is read-only. "no such table" (SQLITE_ERROR) is a bug and stays a 500.
_SQLITE_UNAVAILABLE = {5, 6, 8, 10, 13, 14, 15}
# A write to local storage refused for want of room or permission to write: the operator's to fix,
# the visitor's to retry later. Any other OSError (a missing file, a bad path) is a bug: a 500.
_STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def is_unavailable(error: BaseException | None) -> bool:
    """True when `error` says the database cannot answer now (down, unreachable, locked, full,
    timed out), as opposed to a fault in the query or the code."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(error.orig, sqlite3.Error) and code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    # psycopg's OperationalError: no connection, server shutting down, statement timeout,
    # serialization failure, disk full — each worth trying again later.
    return True


def unsaved_notice(message: str, keep: str | None = None) -> Callable:
    """Decorate a view that stores what is posted: `message` is what the busy page says when a
    POST could not be stored; `keep` names a form field whose text the page gives back, so that
    what someone typed on a phone is not lost with the request."""

    def decorate(view: Callable) -> Callable:
        view.unsaved_notice = (message, keep)
        return view

    return decorate


def _notice() -> tuple[str | None, str]:
    """(what the page says was not stored, the typed text it gives back)."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None, ""
    view = current_app.view_functions.get(request.endpoint or "")
    message, keep = getattr(view, "unsaved_notice", (NOT_STORED, None))
    kept = request.form.get(keep, "") if keep else ""
    return message, kept


def busy_response(error: BaseException, what: str = "database"):
    """The 503 page for a request the database (or `what`) could not serve."""
    current_app.logger.warning(
        "%s unavailable during %s %s: %s", what, request.method, request.path, error.__class__.__name__
    )
    unsaved, kept = _notice()
    try:
        # Straight from the template: the usual context processors would load the signed-in user.
        body = current_app.jinja_env.get_template("errors/unavailable.html").render(
            request=request, busy=BUSY, unsaved=unsaved, kept=kept, large_text=request.cookies.get("text") == "large"
        )
    except Exception:  # the page must come out even if its template cannot
        current_app.logger.exception("the busy page could not be rendered")
        body = " ".join(filter(None, [BUSY, unsaved]))
    response = current_app.response_class(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_error(error: Exception):
    if not is_unavailable(error):
        raise error  # a real fault: Flask's 500 path logs it and shows the 500 page
    return busy_response(error)


def _storage_error(error: OSError):
    if error.errno not in _STORAGE_FULL:
        raise error
    current_app.logger.error("upload storage cannot take a file: %s", error.strerror)
    return busy_response(error, what="upload storage")


def init_app(app: Flask, server_error: Callable) -> None:
    """Answer 503 for an unavailable database, whether the view, a hook before or after it, or
    the 500 path met it; `server_error` answers every other 500."""
    for error_class in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.register_error_handler(error_class, _database_error)
    app.register_error_handler(OSError, _storage_error)

    def internal_error(error: InternalServerError):
        cause = getattr(error, "original_exception", None)
        return busy_response(cause) if is_unavailable(cause) else server_error(error)

    app.register_error_handler(InternalServerError, internal_error)
