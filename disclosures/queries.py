"""Read helpers for the accountants' and reviewers' pages."""

from collections.abc import Collection

from sqlalchemy import Select, func, select

from core.extensions import db
from core.regions.models import Level, Region
from core.users.models import Role, User
from core.users.permissions import is_unscoped_admin, scope_filter
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind


def villages_in_scope(user: User) -> list[Region]:
    """Villages the user's scope covers, by code."""
    return list(
        db.session.scalars(
            select(Region).where(Region.level == Level.VILLAGE, scope_filter(user, Region.code)).order_by(Region.code)
        )
    )


def writable_village_codes(user: User) -> set[str] | None:
    """Villages an upload by this user may name; None means any (an unscoped administrator)."""
    if is_unscoped_admin(user):
        return None
    return (
        {village.code for village in villages_in_scope(user)} if user.role in (Role.ACCOUNTANT, Role.ADMIN) else set()
    )


def recent_batches(user: User, limit: int = 30) -> list[Batch]:
    """The newest batches in the user's scope."""
    return list(
        db.session.scalars(
            select(Batch).where(scope_filter(user, Batch.village_code)).order_by(Batch.id.desc()).limit(limit)
        )
    )


def pending_batches(user: User) -> list[Batch]:
    """Batches awaiting review in the user's scope, oldest first."""
    return list(
        db.session.scalars(
            select(Batch)
            .where(scope_filter(user, Batch.village_code), Batch.status == BatchStatus.PENDING)
            .order_by(Batch.id)
        )
    )


def batch_rows(batch: Batch) -> Select:
    """The rows of a batch in upload order."""
    model = ROW_MODELS[batch.kind]
    return select(model).where(model.batch_id == batch.id).order_by(model.row_number, model.id)


def row_of_kind(kind: Kind, row_id: int):
    """One disclosed row, or None."""
    return db.session.get(ROW_MODELS[kind], row_id)


def chain_heads(villages: Collection[str] | None = None) -> Select:
    """(village_code, sequence, content_hash) of each village's last published batch — its chain's
    head — for the given villages, or every village that has published."""
    last = select(Batch.village_code, func.max(Batch.sequence).label("sequence")).where(
        Batch.status == BatchStatus.PUBLISHED
    )
    if villages is not None:
        last = last.where(Batch.village_code.in_(villages))
    last = last.group_by(Batch.village_code).subquery()
    return (
        select(Batch.village_code, Batch.sequence, Batch.content_hash)
        .join(last, (Batch.village_code == last.c.village_code) & (Batch.sequence == last.c.sequence))
        .order_by(Batch.village_code)
    )
