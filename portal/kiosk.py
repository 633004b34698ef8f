"""Kiosk mode for the touch-screen query machines in township halls.

Staff open /kiosk/<township or county code> once on the machine: a cookie then marks every page
for kiosk mode (big type, no staff or download links, static/js/kiosk.js returns to that region's
page and clears forms after 60 s without a touch). No page links to /kiosk/exit: staff type it to
leave kiosk mode, e.g. before using the machine for something else.

The reset also ends, on the server, the case view and the filings the last person opened: the
session cookie stays in the machine, and must open nothing for the next person. kiosk.js asks
/kiosk/reset for a CSRF token first, since the public pages it runs on are cached without one.
"""
import re

from flask import abort, current_app, jsonify, redirect, request, session, url_for
from flask_wtf.csrf import generate_csrf

from core.extensions import db
from core.regions.models import Level, Region
from complaints.tracking import forget_tracking
from portal.blueprint import bp

KIOSK_COOKIE = "kiosk"
CODE = re.compile(r"\d{12}")
KIOSK_LEVELS = (Level.TOWNSHIP, Level.COUNTY)


def kiosk_home() -> str | None:
    """The kiosk's home page when this browser is a kiosk, else None."""
    code = request.cookies.get(KIOSK_COOKIE, "")
    return url_for("portal.region", code=code) if CODE.fullmatch(code) else None


@bp.app_context_processor
def kiosk_context() -> dict:
    home = kiosk_home()
    return {"kiosk": home is not None, "kiosk_home": home}


@bp.get("/kiosk/<code>")
def kiosk_start(code: str):
    region = db.session.get(Region, code)
    if region is None or region.level_enum not in KIOSK_LEVELS:
        abort(404)
    response = redirect(url_for("portal.region", code=code))
    # A year: the machine stays a kiosk across restarts until staff open /kiosk/exit.
    response.set_cookie(KIOSK_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="Lax")
    return response


@bp.get("/kiosk/exit")
def kiosk_exit():
    response = redirect(url_for("portal.index"))
    response.delete_cookie(KIOSK_COOKIE)
    return response


@bp.get("/kiosk/reset")
def kiosk_reset_token():
    """The token for the reset below: readable only by the kiosk's own pages (same origin); a
    response holding a token is never stored (portal.caching.forms_are_not_stored)."""
    return jsonify(token=generate_csrf())


@bp.post("/kiosk/reset")
def kiosk_reset():
    """The kiosk's idle reset: the last person's case view and filings end on the server."""
    forget_tracking(session)
    return current_app.response_class(status=204)
