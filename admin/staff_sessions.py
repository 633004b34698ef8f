"""Rules every signed-in staff request passes: the idle timeout, the required second factor, and
no caching of anything a staff member is shown."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from core.users import second_factor

# Pages an account that still has to set up its second factor may open.
OPEN_WHILE_ENROLLING = {"auth.enrol", "auth.logout", "auth.login", "static"}
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute


def end_idle_session():
    """Sign out a session unused for STAFF_IDLE_MINUTES, or older than STAFF_MAX_SESSION_HOURS.
    Both times are in the signed session cookie, so a copy of an old cookie is as old as the
    original."""
    if "_user_id" not in session:
        return None
    now = int(time.time())
    seen = session.get("seen", 0)
    too_old = now - session.get("since", 0) > current_app.config["STAFF_MAX_SESSION_HOURS"] * 3600
    if too_old or now - seen > current_app.config["STAFF_IDLE_MINUTES"] * 60:
        logout_user()
        session.clear()
        flash("您长时间没有操作，已自动退出，请重新登录", "info")
        return None  # the page's own guard sends the request to sign-in if it needs an account
    if now - seen >= SEEN_RESOLUTION:
        session["seen"] = now
    return None


def require_enrolment():
    if (
        current_user.is_authenticated
        and request.endpoint not in OPEN_WHILE_ENROLLING
        and second_factor.must_enrol(current_user)
    ):
        return redirect(url_for("auth.enrol"))
    return None


def no_store_for_staff(response):
    # Case details, identities and exports must not stay in a browser cache on a shared office PC.
    if request.path.startswith("/staff") or "_user_id" in session:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    app.before_request(end_idle_session)
    app.before_request(require_enrolment)
    app.after_request(no_store_for_staff)
