"""Project photos in the back office: the uploader adds them to a pending project update; staff
who may see the batch (its reviewer among them) view them. Attached to the disclosures blueprint."""

from flask import abort, flash, make_response, redirect, url_for
from flask_login import current_user

from core.views import Views
from core.extensions import db
from core.users.access import role_required
from core.users.models import Role
from disclosures.forms import PhotoForm, RemovePhotoForm
from disclosures.models import Kind, ProjectPhoto, ProjectUpdate
from disclosures.permissions import can_upload, can_view_batch
from disclosures.photos import PhotoError, add_photo, photo_bytes, remove_photo
from disclosures.routes import STAFF

views = Views()


def jpeg_response(data: bytes, cache: str):
    response = make_response(data)
    response.headers.update(
        {
            "Content-Type": "image/jpeg",
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": cache,
        }
    )
    return response


@views.post("/updates/<int:update_id>/photos")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def photo_add(update_id: int):
    update = db.get_or_404(ProjectUpdate, update_id)
    if not can_view_batch(current_user, update.batch):
        abort(404)
    if not can_upload(current_user, update.village_code):
        abort(403)
    form = PhotoForm()
    if not form.validate_on_submit():
        flash(next(iter(form.photo.errors), "请选择照片"), "error")
        return redirect(url_for(".batch", batch_id=update.batch_id), 303)
    upload = form.photo.data
    try:
        add_photo(
            update,
            upload.stream.read(PhotoForm.READ_LIMIT),
            upload.filename or "照片",
            form.caption.data or "",
            by=current_user,
        )
    except PhotoError as refused:
        flash(str(refused), "error")
    else:
        flash(f"已添加项目 {update.project_no} 的照片，随本批次一起审核公开", "success")
    return redirect(url_for(".batch", batch_id=update.batch_id, _anchor=f"photos-{update.id}"), 303)


@views.get("/photos/<int:photo_id>.jpg")
@role_required(*STAFF)
def photo_view(photo_id: int):
    photo = db.get_or_404(ProjectPhoto, photo_id)
    if photo.update.batch.kind != Kind.PROJECTS or not can_view_batch(current_user, photo.update.batch):
        abort(404)
    try:
        return jpeg_response(photo_bytes(photo), "private, no-store")
    except FileNotFoundError:
        abort(404)


@views.post("/photos/<int:photo_id>/remove")
@role_required(Role.ACCOUNTANT, Role.ADMIN)
def photo_remove(photo_id: int):
    photo = db.get_or_404(ProjectPhoto, photo_id)
    batch = photo.update.batch
    if not can_view_batch(current_user, batch):
        abort(404)
    if not can_upload(current_user, batch.village_code):
        abort(403)
    if not RemovePhotoForm().validate_on_submit():
        abort(400)
    try:
        remove_photo(photo, by=current_user)
        flash("照片已删除", "success")
    except PhotoError as refused:
        flash(str(refused), "error")
    return redirect(url_for(".batch", batch_id=batch.id), 303)
