"""Reference rosters in the back office: upload with a preview, the versions kept, a version's
rows. Commission staff only (rules/permissions.py): others get 403, and every look is audited."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from core import storage
from core.views import Views
from core.extensions import db
from core.problems import Rejected
from core.users.access import role_required
from core.users.models import Role
from core.web import page_arg
from disclosures.staging import STAGING
from rules.forms import RosterConfirmForm, RosterUploadForm
from rules.permissions import can_manage_rosters
from rules.rosters import services
from rules.rosters.models import RosterKind, RosterVersion
from rules.rosters.views import PREVIEW_ROWS, ROSTER_COLUMNS, cell

views = Views()

COMMISSION = (Role.ADMIN, Role.HANDLER)
PER_PAGE = 100


def _allowed() -> None:
    if not can_manage_rosters(current_user):
        abort(403)


def _limits() -> dict:
    return {"max_rows": current_app.config["IMPORT_MAX_ROWS"], "max_bytes": current_app.config["UPLOAD_MAX_BYTES"]}


def _page(form, status: int = 200, **extra):
    return render_template(
        "rules/rosters.html",
        form=form,
        kinds=list(RosterKind),
        history={kind: services.versions(kind) for kind in RosterKind},
        **extra,
    ), status


@views.get("/rosters")
@role_required(*COMMISSION)
def rosters():
    _allowed()
    return _page(RosterUploadForm())


@views.post("/rosters/upload")
@role_required(*COMMISSION)
def roster_upload():
    _allowed()
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    data, filename = form.file.data.read(), form.file.data.filename or "upload"
    try:
        with services.check_roster(RosterKind(form.kind.data), data, filename, **_limits()) as checked:
            rows = next(checked.chunks(), [])[:PREVIEW_ROWS]
            count, notices = checked.row_count, checked.notices
    except Rejected as rejected:
        return _page(form, 422, problems=rejected.problems, filename=filename)
    confirm = RosterConfirmForm(token=storage.save(STAGING, data), filename=filename, kind=form.kind.data)
    return render_template(
        "rules/roster_preview.html",
        form=confirm,
        kind=RosterKind(form.kind.data),
        rows=rows,
        count=count,
        notices=notices,
        columns=ROSTER_COLUMNS[RosterKind(form.kind.data)],
        cell=cell,
    )


@views.post("/rosters/confirm")
@role_required(*COMMISSION)
def roster_confirm():
    _allowed()
    form = RosterConfirmForm()
    if not form.validate_on_submit() or form.kind.data not in set(RosterKind):
        abort(400)
    try:
        imported = services.import_roster(
            RosterKind(form.kind.data),
            storage.load(STAGING, form.token.data),
            form.filename.data,
            by=current_user._get_current_object(),
            **_limits(),
        )
    except FileNotFoundError:
        flash("上传的文件已过期，请重新上传", "error")
        return redirect(url_for(".rosters"))
    except Rejected as rejected:
        return _page(RosterUploadForm(), 422, problems=rejected.problems, filename=form.filename.data)
    storage.delete(STAGING, form.token.data)
    flash(
        f"{imported.version.kind.label}已导入{imported.version.row_count}行，成为当前版本；比对规则已在后台运行",
        "success",
    )
    return redirect(url_for(".rosters"))


@views.get("/rosters/<int:version_id>")
@role_required(*COMMISSION)
def roster_version(version_id: int):
    _allowed()
    version = db.get_or_404(RosterVersion, version_id)
    page = db.paginate(services.version_rows(version), page=page_arg(), per_page=PER_PAGE, error_out=False)
    services.record_roster_view(version, by=current_user._get_current_object(), page=page.page)
    response = current_app.make_response(
        render_template(
            "rules/roster_version.html", version=version, rows=page, columns=ROSTER_COLUMNS[version.kind], cell=cell
        )
    )
    response.headers["Cache-Control"] = "no-store"  # names of the deceased and of cadres' kin
    return response
