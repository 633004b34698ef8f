"""A kiosk's idle reset (static/js/kiosk.js): the case view and filings the last villager opened
end on the server, since the session cookie stays in the machine for the next person.

The public pages kiosk.js runs on are cached without a CSRF token, so it asks for one first; a
cross-site page can neither read that answer nor post without it."""

from flask import Blueprint, current_app, jsonify, session

from core.csrf import masked_csrf_token
from complaints.tracking import forget_tracking

bp = Blueprint("kiosk_reset", __name__)


@bp.get("/kiosk/reset")
def token():
    """The token for the reset below (never stored by a cache: portal.caching.forms_are_not_stored)."""
    return jsonify(token=masked_csrf_token())


@bp.post("/kiosk/reset")
def reset():
    """End what this browser's session opened: its case view, a replaced secret, its filings."""
    forget_tracking(session)
    return current_app.response_class(status=204)
