"""Site photos of village projects (项目现场照片).

A photo comes with one project update, added by the uploader while the update's batch waits for
review: the reviewer sees it beside the rows and approves or returns it with them, and once the
batch is published nothing about it changes. So a photo is public exactly while its update is
(disclosures/public.py's is_public), and goes out of sight with a correction or withdrawal of that
update. Every file is cleaned (core/images.py: re-encoded, EXIF and GPS gone, at most 1600 px)
and read and written only through photo_bytes/_store below, which use core/storage."""

from datetime import timedelta

from sqlalchemy import Select, select

from core import images, storage
from core.audit import record_audit
from core.extensions import db
from core.users.models import User
from disclosures.models import Batch, BatchStatus, Kind, ProjectPhoto, ProjectUpdate
from disclosures.public import is_public, newest_update_first

AREA = "project_photos"
MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PER_UPDATE = 6
CAPTION_LENGTH = 100
ORPHAN_AGE = timedelta(hours=1)  # add_photo stores its file and commits within seconds


class PhotoError(ValueError):
    """A photo refused; the message is for the uploader."""


def add_photo(update: ProjectUpdate, data: bytes, filename: str, caption: str, *, by: User) -> ProjectPhoto:
    """Clean and store a photo of a pending project update, then commit its row (or remove the file)."""
    batch = update.batch
    if batch.kind != Kind.PROJECTS or batch.status != BatchStatus.PENDING:
        raise PhotoError("只能给等待审核的项目进度批次添加照片；已公开的批次不能再改动")
    if len(data) > MAX_BYTES:
        raise PhotoError(f"照片“{filename}”太大了，不能超过{MAX_BYTES // (1024 * 1024)} MB")
    if not data:
        raise PhotoError(f"照片“{filename}”是空的，请重新选择")
    if len(photos_of(update.id)) >= MAX_PER_UPDATE:
        raise PhotoError(f"每次更新最多{MAX_PER_UPDATE}张照片")
    try:
        clean = images.clean_photo(data, filename, max_side=MAX_SIDE)
    except images.ImageRefused as refused:
        raise PhotoError(str(refused)) from None
    name = _store(clean)
    try:
        photo = ProjectPhoto(
            update_id=update.id,
            stored_name=name,
            size=len(clean),
            caption=(caption or "").strip()[:CAPTION_LENGTH],
            uploaded_by_id=by.id,
        )
        db.session.add(photo)
        db.session.flush()
        record_audit(
            "disclosure.photo_add",
            target_type="batch",
            target_id=batch.id,
            actor=by,
            detail={"project_no": update.project_no, "photo": photo.id},
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.delete(AREA, name)
        raise
    return photo


def remove_photo(photo: ProjectPhoto, *, by: User) -> None:
    """Take a photo off an update still awaiting review (a wrong or private picture); the row goes
    in one transaction, the file after its commit."""
    update = photo.update
    if update.batch.status != BatchStatus.PENDING:
        raise PhotoError("已审核的批次的照片不能删除")
    name = photo.stored_name
    record_audit(
        "disclosure.photo_remove",
        target_type="batch",
        target_id=update.batch_id,
        actor=by,
        detail={"project_no": update.project_no, "photo": photo.id},
    )
    db.session.delete(photo)
    db.session.commit()
    storage.delete(AREA, name)


def _store(data: bytes) -> str:
    return storage.save(AREA, data)


def photo_bytes(photo: ProjectPhoto) -> bytes:
    """The stored JPEG; FileNotFoundError when the file is gone."""
    return storage.load(AREA, photo.stored_name)


def photos_of(update_id: int) -> list[ProjectPhoto]:
    return list(
        db.session.scalars(select(ProjectPhoto).where(ProjectPhoto.update_id == update_id).order_by(ProjectPhoto.id))
    )


def batch_photos(batch: Batch) -> dict[int, list[ProjectPhoto]]:
    """A batch's photos by the update they came with (for the uploader and the reviewer)."""
    found: dict[int, list[ProjectPhoto]] = {}
    for photo in db.session.scalars(
        select(ProjectPhoto).join(ProjectUpdate).where(ProjectUpdate.batch_id == batch.id).order_by(ProjectPhoto.id)
    ):
        found.setdefault(photo.update_id, []).append(photo)
    return found


def public_photos(village_code: str, project_no: str) -> Select:
    """A project's photos that anyone may see, the latest update's first."""
    return (
        select(ProjectPhoto)
        .join(ProjectUpdate, ProjectUpdate.id == ProjectPhoto.update_id)
        .join(Batch, Batch.id == ProjectUpdate.batch_id)
        .where(
            ProjectUpdate.village_code == village_code, ProjectUpdate.project_no == project_no, is_public(ProjectUpdate)
        )
        .order_by(*newest_update_first(), ProjectPhoto.id)
    )


def public_photo(village_code: str, token: str) -> ProjectPhoto | None:
    """The photo stored under `token`, if it is public and of this village."""
    return db.session.scalar(
        select(ProjectPhoto)
        .join(ProjectUpdate, ProjectUpdate.id == ProjectPhoto.update_id)
        .where(ProjectPhoto.stored_name == token, ProjectUpdate.village_code == village_code, is_public(ProjectUpdate))
    )


def prune_orphan_photos(age: timedelta = ORPHAN_AGE) -> int:
    """Delete photo files no row names, stored longer ago than `age` (a worker that died between
    storing a photo and committing it); how many."""
    return storage.prune_unnamed(AREA, ProjectPhoto.stored_name, age)
