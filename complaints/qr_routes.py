"""Public QR links (/q/<token>) and the printable posters that carry them. No account needed:
posters are public notices."""

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request

from core.compression import gzipped
from core.db import utcnow
from core.extensions import db
from core.regions.models import Level, Region
from core.web import render_error
from complaints import posters
from complaints.models import InspectionRound
from complaints.qr import TargetKind, normalise, resolve
from complaints.rounds import late_notice, period_text, round_by_token

bp = Blueprint("qr", __name__, template_folder="templates")

# The complaint form's address (complaints/routes.py), with ?village=<code>&round=<token>.
COMPLAINT_FORM_PATH = "/complain"
UNKNOWN_CODE = "这个二维码没有对应的页面，可能印错或已作废。请核对后重新扫码，或拨打纪检监察举报电话 12388。"


@bp.get("/q/<token>")
def follow(token: str):
    """Show what the token names today: a village page, a project page or a round's notice.

    The page itself answers the scan, not a redirect to it: on a weak signal a redirect is one more
    round trip (~0.4 s) before anything paints. The token stays in the printed code, so a code can
    still be re-pointed. The portal's views are reached by endpoint name (complaints does not
    import the portal) and key their cached copy by their own address, so a scan and a click
    share it."""
    target = resolve(token)
    if target is None:
        return render_error(404, UNKNOWN_CODE)
    if target.kind == TargetKind.VILLAGE:
        return current_app.view_functions["portal.region"](code=target.ref)
    if target.kind == TargetKind.PROJECT:
        return current_app.view_functions["portal.project"](code=target.village_code, project_no=target.project_no)
    inspection = db.session.get(InspectionRound, int(target.ref))
    if inspection is None:
        return render_error(404, UNKNOWN_CODE)
    # Gzipped (~10 KB → ~3 KB): a public notice with no form and nothing of the session in it, so
    # no secret that compression could leak (core/compression.py).
    return gzipped(
        make_response(
            render_template(
                "complaints/qr_round.html",
                inspection=inspection,
                token=normalise(token),
                period=period_text(inspection),
                late_notice=late_notice(inspection, utcnow()),
            )
        )
    )


@bp.get("/q/<token>/<code>")
def round_village(token: str, code: str):
    """The village chosen on a round's page, as the page linked it before it linked straight to the
    complaint form: on to the form, tied to the round (kept for pages already open or saved)."""
    inspection = round_by_token(token)
    if inspection is None or code not in {village.code for village in inspection.villages}:
        return render_error(404, UNKNOWN_CODE)
    query = urlencode({"village": code, "round": normalise(token)})
    return redirect(f"{request.script_root}{COMPLAINT_FORM_PATH}?{query}")


@bp.get("/posters/village/<code>.pdf")
def village_poster(code: str):
    return posters.village_poster(_village_or_404(code)).response()


@bp.get("/posters/project/<code>/<project_no>.pdf")
def project_poster(code: str, project_no: str):
    village = _village_or_404(code)
    project = posters.latest_project_update(code, project_no)
    if project is None:
        abort(404)
    return posters.project_poster(village, project).response()


def _village_or_404(code: str) -> Region:
    village = db.session.get(Region, code)
    if village is None or village.level != Level.VILLAGE:
        abort(404)
    return village
