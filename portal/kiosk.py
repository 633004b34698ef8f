"""Kiosk mode for the touch-screen query machines in township halls.

Staff open /kiosk/<township or county code> once on the machine: a cookie then marks every page
for kiosk mode (big type, no staff or download links, static/js/kiosk.js returns to that region's
page and clears forms after 60 s without a touch, ending on the server the case view and filings
the last person opened: complaints/kiosk_reset.py). No page links to /kiosk/exit: staff type it to
leave kiosk mode, e.g. before using the machine for something else.
"""

from flask import abort, redirect, url_for

from core.views import Views
from core.extensions import db
from core.kiosk import KIOSK_COOKIE, kiosk_code
from core.regions.models import Level, Region
from core.web import secure_cookies

views = Views()

KIOSK_LEVELS = (Level.TOWNSHIP, Level.COUNTY)


def kiosk_home() -> str | None:
    """The kiosk's home page when this browser is a kiosk, else None."""
    code = kiosk_code()
    return url_for("portal.region", code=code) if code else None


@views.app_context_processor
def kiosk_context() -> dict:
    home = kiosk_home()
    return {"kiosk": home is not None, "kiosk_home": home}


@views.get("/kiosk/<code>")
def kiosk_start(code: str):
    region = db.session.get(Region, code)
    if region is None or region.level_enum not in KIOSK_LEVELS:
        abort(404)
    response = redirect(url_for("portal.region", code=code))
    # A year: the machine stays a kiosk across restarts until staff open /kiosk/exit.
    response.set_cookie(KIOSK_COOKIE, code, max_age=365 * 86400, httponly=True, samesite="Lax", secure=secure_cookies())
    return response


@views.get("/kiosk/exit")
def kiosk_exit():
    response = redirect(url_for("portal.index"))
    response.delete_cookie(KIOSK_COOKIE)
    return response
