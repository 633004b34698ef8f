"""我的补贴: a villager finds every payment disclosed for them by exact name and full ID number.

Exact pair only, throttled per address and per device, misses also counted per name, per village
and for the county (portal/lookup_limits.py), and a mismatch says only 未查到. Nothing
ties the ID number to the requester: it is hashed for the query and then forgotten, never logged,
stored or echoed; the response may not be cached.
"""

from flask import make_response, render_template, request

from core.extensions import client_address, limiter
from core.views import Views
from core.fields import field_cipher
from core.device import device_token, give_device_cookie
from core.kiosk import kiosk_code
from portal import queries
from portal.forms import LookupForm
from portal.lookup_limits import LookupGate

views = Views()

DEVICE_COOKIE = "device"
LIMITS = "10 per minute;60 per hour"


def device_key() -> str:
    """The device cookie, so one phone cannot spread its tries over many addresses."""
    device = device_token(DEVICE_COOKIE)
    return "device:" + device if device else "address:" + client_address()


@views.route("/lookup", methods=["GET", "POST"])
@limiter.limit(LIMITS, methods=["POST"])
@limiter.limit(LIMITS, methods=["POST"], key_func=device_key)
def lookup():
    form = LookupForm()
    payments, status, refused = None, 200, False
    if form.validate_on_submit():
        gate = LookupGate.for_name(form.name.data)
        id_hash = field_cipher().lookup_hash(form.typed_id())
        if gate.is_open():
            payments = queries.payments_for(id_hash, form.name.data)
            if not payments:
                gate.count_miss()
        else:
            refused, status = True, 429  # right ID number or not: nothing is looked up
    elif request.method == "POST":
        status = 400
    return _private(
        render_template(
            "portal/lookup.html",
            form=form,
            payments=payments,
            refused=refused,
            kept=_kept_after_a_miss(form, payments, refused),
        ),
        status,
    )


def _kept_after_a_miss(form: LookupForm, payments, refused: bool) -> dict:
    """What the form shows again: after a miss the name, to correct one character rather than type
    it all again, and the ID number too except on a kiosk, where the next villager would see it.
    After a hit nothing: the answer is on the page (which no cache keeps). A refused lookup gives
    back no ID number: it was never checked."""
    if payments:
        return {"name": "", "id_number": ""}
    keep_id = not (kiosk_code() or refused)
    return {"name": form.name.data or "", "id_number": form.id_number.data or "" if keep_id else ""}


def _private(body: str, status: int):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return give_device_cookie(response, DEVICE_COOKIE)
