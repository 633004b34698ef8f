"""Public complaint pages: filing, the one-time done page, tracking with number + secret,
rating and 复查, attachments, and the public statistics. No account; nothing stores an address."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from core import storage
from core.forms import ConfirmForm
from core.calendar.clocks import clock_state, due_soon_until
from core.compression import gzipped
from core.db import utcnow
from core.extensions import client_address, db, limiter
from core.device import device_token, give_device_cookie
from core.kiosk import kiosk_code
from core.public_url import public_base_url
from core.regions import places, queries as regions
from core.regions.models import Level, Region
from core.regions.places import Place
from core.timezone import local, local_date, shanghai
from core.unavailable import unsaved_notice
from complaints.attachments import AREA, AttachmentError, clean_uploads, file_with_attachments, store_then, thumbnail
from complaints.codes import format_secret
from complaints.forms import ComplaintForm, RateForm, SupplementForm, TrackForm, new_ticket
from complaints.items import find_item
from complaints.qr import normalise
from complaints.models import Attachment, Category, Channel, Complaint, Status
from complaints.permissions import can_open_files
from complaints.receipts import receipt_for, seal, unseal
from complaints.rounds import round_context
from complaints.secret_image import secret_data_uri
from complaints.services import ComplaintError, open_case, rate_case, request_review, review_refusal
from complaints.stats import published_until, year_stats
from complaints.supplements import add_material, supplement_refusal
from complaints.timeline import public_entries
from complaints.tracking import FRESH_KEY, TRACK_KEY, begin_tracking, forget_tracking, tracked_case

bp = Blueprint("complaints", __name__, template_folder="templates")

DEVICE_COOKIE = "yg_device"
WRONG_PAIR = "案件编号或查询密码不正确"
ALREADY_FILED = (
    "这份反映已经提交过了，这次没有重复提交。为了保护反映人，这里不再显示案件编号和查询密码，"
    "请用第一次提交后记下的编号和密码查询。如果要反映另一件事，可以修改内容后再提交。"
)


def _config(name: str, default: str):
    return lambda: current_app.config.get(name, default)


def _device_key() -> str:
    """The device cookie; a client that drops cookies shares one tight bucket per address."""
    token = device_token(DEVICE_COOKIE)
    return f"device:{token}" if token else f"no-device:{client_address()}"


def _failed(response) -> bool:
    return response.status_code != 302


@bp.after_request
def _give_device_cookie(response):
    return give_device_cookie(response, DEVICE_COOKIE)


def _private(body, status: int = 200):
    """A page no cache may keep: it carries a secret, or a ticket that files (and shows) a case."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _region_arg(name: str) -> Region | None:
    code = request.args.get(name, "").strip()
    if not code:
        return None
    return regions.region_with_ancestors(code) or abort(404)


@bp.route("/complain", methods=["GET", "POST"])
@unsaved_notice("您的反映没有提交成功，请稍后重新提交。", keep="text")
@limiter.limit(_config("COMPLAINT_LIMIT_PER_ADDRESS", "30 per hour"), methods=["POST"])
@limiter.limit(
    _config("COMPLAINT_LIMIT_PER_DEVICE", "5 per hour"),
    methods=["POST"],
    key_func=_device_key,
    deduct_when=lambda response: g.get("new_case", False),
)
def complain():
    village = _village_arg()
    if village is None:
        return _picker(_region_arg("village") or _region_arg("region"))
    item_ref, round_token = _filing_arg("item"), _filing_arg("round")
    item, inspection = find_item(village.code, item_ref), round_context(round_token, village.code, utcnow())
    form = ComplaintForm(
        min_seconds=current_app.config.get("COMPLAINT_MIN_FILL_SECONDS", 3),
        category=item.category.value if item else None,
        village=village.code,
        item=item_ref,
        round=round_token,
    )
    if not form.validate_on_submit():
        return _form_page(form, village, item, inspection, 422 if form.is_submitted() else 200)
    try:
        filed = file_with_attachments(
            clean_uploads(form.photos.data, form.voice.data), **_filing(form, village, item, inspection)
        )
    except (AttachmentError, ComplaintError) as error:
        form.form_errors.append(str(error))
        return _form_page(form, village, item, inspection, 422)
    g.new_case = bool(filed.secret)
    # A ticket that filed a case before shows it again only to the session that filed it, sending
    # the same text within minutes (a double tap, a reload).
    filed = receipt_for(session, form.token, form.text.data, filed)
    if filed is None:
        return _refiled_page(form, village, item, inspection)
    # Shown in answer to the POST itself: one round trip less on weak 4G, and the secret never
    # travels in clear in a cookie.
    return _private(
        render_template(
            "complaints/done.html",
            code=filed.code,
            label=Category(form.category.data).label,
            village_code=village.code,
            **_secret_context(filed.code, filed.secret),
        )
    )


def _filing_arg(name: str) -> str:
    """A filing's village, item or round: in the POST body, so that no URL a proxy or a browser's
    history keeps says where a complaint came from (the form's GET link may carry them)."""
    return ((request.form.get(name) if request.method == "POST" else None) or request.args.get(name, "")).strip()


def _village_arg() -> Place | None:
    """The village when one is named; None when it is missing or names a county or township."""
    code = _filing_arg("village")
    if not code:
        return None
    found = places.place(code) or abort(404)
    return found if found.level_enum is Level.VILLAGE else None


def _form_page(form: ComplaintForm, village: Place, item, inspection, status: int):
    response = _private(
        render_template(
            "complaints/form.html",
            form=form,
            village=village,
            item=item,
            inspection=inspection,
            ancestors=village.ancestors,
        ),
        status,
    )
    # ~19 KB raw, ~6 KB gzipped: 0.25 s less at a weak signal's 50 KB/s, on every visit (the page
    # is never cached). Only the GET form: an answer to a POST echoes what was typed.
    if request.method == "GET" and _echoes_only_codes(form, item, inspection):
        return gzipped(response)
    return response


def _echoes_only_codes(form: ComplaintForm, item, inspection) -> bool:
    """Whether the item and round the page echoes (its hidden fields, the 大字 link's way back)
    are codes that resolved, exactly as the server writes them; the village always is. Then no
    text of the requester's choosing is in the page, and it may go compressed
    (core/compression.py)."""
    item_ref, round_token = form.item.data or "", form.round.data or ""
    item_ok = not item_ref or (item is not None and item_ref == item.ref)
    round_ok = not round_token or (inspection is not None and round_token == normalise(round_token))
    return item_ok and round_ok


def _refiled_page(form: ComplaintForm, village: Place, item, inspection):
    """A used ticket answered with nothing about its case; a fresh one files anew if meant."""
    form.form_errors.append(ALREADY_FILED)
    form.ticket.data = new_ticket()
    return _form_page(form, village, item, inspection, 409)


def _filing(form: ComplaintForm, village: Place, item, inspection) -> dict:
    """What the form says, as file_complaint takes it."""
    return {
        "village": village,
        "category": Category(form.category.data),
        "text": form.text.data,
        "channel": Channel.INSPECTION if inspection else Channel.WEB,
        "identity": form.filing_identity(),
        "notice_phone": form.notice_phone(),
        "item": item.snapshot if item else None,
        "round_id": inspection and inspection.round_id,
        "late_for_round": bool(inspection and inspection.late),
        "idempotency_key": form.token,
    }


def _picker(region: Region | None):
    """County → township → village as plain links, for a form opened without a village."""
    if region is None:
        counties = regions.counties()
        region = counties[0] if len(counties) == 1 else None
    children = regions.children_of(region) if region else regions.counties()
    return render_template(
        "complaints/pick.html",
        region=region,
        children=children,
        ancestors=regions.ancestors_of(region) if region else [],
    )


def _secret_context(code: str, secret: str) -> dict:
    track_url = public_base_url() + url_for(".track")
    return {"secret": format_secret(secret), "track_url": track_url, "image": secret_data_uri(code, secret, track_url)}


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_config("TRACK_LIMIT_PER_ADDRESS", "60 per hour"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _config("TRACK_LIMIT_PER_DEVICE", "10 per hour"), methods=["POST"], key_func=_device_key, deduct_when=_failed
)
def track():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("complaints/track.html", form=form), 422 if request.method == "POST" else 200
    found = open_case(form.case_code(), form.secret.data)
    if found is None:
        form.form_errors.append(WRONG_PAIR)
        return render_template("complaints/track.html", form=form), 422
    opened = begin_tracking(found, _track_lifetime(), ending=session.get(TRACK_KEY))
    session[TRACK_KEY] = opened.token
    if opened.fresh_secret:
        session[FRESH_KEY] = seal({"code": found.code, "secret": opened.fresh_secret})
    return redirect(url_for(".case"))


def _track_lifetime() -> timedelta:
    # A kiosk is the next villager's a minute later: its case view ends within minutes.
    name, default = ("KIOSK_TRACK_SECONDS", 10 * 60) if kiosk_code() else ("TRACK_SECONDS", 2 * 3600)
    return timedelta(seconds=current_app.config.get(name, default))


def _opened_case() -> Complaint | None:
    return tracked_case(session.get(TRACK_KEY))


def _ask_for_pair():
    flash("请输入案件编号和查询密码", "info")
    return redirect(url_for(".track"))


@bp.get("/track/case")
def case():
    found = _opened_case()
    if found is None:
        return _ask_for_pair()
    fresh = unseal(session.pop(FRESH_KEY, None))
    return _private(
        render_template(
            "complaints/case.html",
            **_case_context(found),
            fresh=fresh and _secret_context(fresh["code"], fresh["secret"]),
        )
    )


@bp.post("/track/case/material")
@unsaved_notice("您补充的材料没有提交成功，请稍后重新提交。", keep="text")
@limiter.limit(_config("COMPLAINT_LIMIT_PER_ADDRESS", "30 per hour"))
@limiter.limit(_config("SUPPLEMENT_LIMIT_PER_DEVICE", "10 per hour"), key_func=_device_key)
def material():
    """The complainant adds text, photos or a recording to their open case (the tracking page)."""
    found = _opened_case()
    if found is None:
        return _ask_for_pair()
    if refusal := supplement_refusal(found):  # closed meanwhile: the page no longer has the form
        flash(refusal, "error")
        return redirect(url_for(".case"))
    form = SupplementForm()
    if form.validate_on_submit():
        try:
            ended_wait, _stored = store_then(
                clean_uploads(form.photos.data, form.voice.data),
                lambda stored: add_material(found, form.text.data, stored),
            )
        except (AttachmentError, ComplaintError) as error:
            form.form_errors.append(str(error))
        else:
            flash("已收到您补充的材料，办理人员会继续办理" if ended_wait else "已收到您补充的内容", "success")
            return redirect(url_for(".case") + "#timeline-heading")
    return _private(render_template("complaints/case.html", **_case_context(found, form), fresh=None), 422)


def _case_context(found: Complaint, supplement_form: SupplementForm | None = None) -> dict:
    entries, target = public_entries(found), _merge_target(found)
    # A merged case shows its complainant their own entries and clocks (as they stood at the
    # merge) and the other case's status and result only: its timeline, clocks and rating
    # are another complainant's.
    now = next((e.event.at for e in entries if e.event.kind == "merged"), utcnow()) if target else utcnow()
    soon = due_soon_until(now)
    return {
        "case": found,
        "entries": entries,
        "target": target,
        "clocks": [(clock, clock_state(clock.due_at, clock.met_at, now, soon_until=soon)) for clock in found.clocks],
        "rate_form": RateForm() if found.status == Status.CLOSED and found.rating is None else None,
        "review_form": ConfirmForm() if found.rating == "unsatisfied" and not review_refusal(found) else None,
        "leave_form": ConfirmForm(),
        "supplement_form": None if supplement_refusal(found) else supplement_form or SupplementForm(),
        "asked_for": _last_request(entries) if found.status == Status.AWAITING_INFO else None,
    }


def _last_request(entries) -> str:
    """What the handler asked for, quoted above the box the complainant answers in."""
    return next((e.event.body for e in reversed(entries) if e.event.kind == "request_info"), "")


def _merge_target(found: Complaint) -> Complaint | None:
    """The case this one was merged into, following a chain of merges a few steps at most."""
    target, steps = found, 0
    while target.merged_into_id and steps < 5:
        target, steps = db.session.get(Complaint, target.merged_into_id), steps + 1
    return target if target is not found else None


@bp.post("/track/case/rate")
def rate():
    found = _opened_case()
    if found is None:
        return _ask_for_pair()
    form = RateForm()
    if form.validate_on_submit():
        _attempt(rate_case, found, form.rating.data, form.comment.data or "", done="感谢您的评价")
    else:
        flash(next(iter(form.errors.values()))[0], "error")
    return redirect(url_for(".case"))


@bp.post("/track/case/review")
def review():
    found = _opened_case()
    if found is None:
        return _ask_for_pair()
    if ConfirmForm().validate_on_submit():
        _attempt(request_review, found, done="已申请复查，我们会在30日内答复")
    return redirect(url_for(".case"))


def _attempt(service, *args, done: str) -> None:
    try:
        service(*args)
    except ComplaintError as error:
        flash(str(error), "error")
    else:
        flash(done, "success")


@bp.post("/track/leave")
def leave():
    if ConfirmForm().validate_on_submit():
        forget_tracking(session)
        flash("已退出查看。再次查看需要输入案件编号和查询密码。", "info")
    return redirect(url_for(".track"))


@bp.get("/track/attachments/<token>")
def attachment(token: str):
    found = db.session.scalar(select(Attachment).where(Attachment.token == token))
    case = found and db.session.get(Complaint, found.complaint_id)
    if case is None or not can_open_files(current_user, _opened_case(), case, local_date(utcnow())):
        abort(404)
    try:
        data = storage.load(AREA, found.stored_name)
    except FileNotFoundError:
        abort(404)
    content_type = found.content_type
    if found.kind == "image" and request.args.get("size") == "thumb":
        data, content_type = thumbnail(data), "image/jpeg"
    response = make_response(data)
    response.headers.update(
        {
            "Content-Type": content_type,
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
    )
    return response


@bp.get("/mine")
def mine():
    """我的反映: the page is the same for everyone; the list is drawn from the phone's own storage."""
    return render_template("complaints/mine.html")


@bp.get("/stats")
def stats():
    region = _region_arg("region")
    counties = regions.counties()
    if region is None and len(counties) == 1:
        region = counties[0]
    this_year = local(utcnow()).year
    year = request.args.get("year", this_year, type=int)
    if not 2000 <= year <= this_year:
        abort(404)
    until = published_until(utcnow())
    months, total = year_stats(region.prefix, year, until) if region else ([], None)
    shown = [row for row in months if shanghai(year, row.month, 1) < until]
    return render_template(
        "complaints/stats.html",
        region=region,
        counties=counties,
        year=year,
        this_year=this_year,
        months=shown,
        total=total,
        until=until,
        ancestors=regions.ancestors_of(region) if region else [],
        children=regions.children_of(region) if region else [],
    )
