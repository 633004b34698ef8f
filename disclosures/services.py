"""Disclosure use cases: stage an upload, review, publish, correct. Each public function is one
transaction; the signal for published batches goes out after the commit."""
from collections.abc import Sequence

from sqlalchemy import func, insert, select, update

from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.regions.models import Region
from core.settings import settings_for
from core.users.models import User
from disclosures.chain import CANONICAL_FIELDS, compute_batch_hash
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.signals import batches_published

INSERT_CHUNK = 5000


class DisclosureError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


def _sealed_values(kind: Kind, row: dict) -> dict:
    """Replace clear ID numbers and accounts by ciphertext and keyed hashes."""
    cipher = field_cipher()
    values = dict(row)
    if kind == Kind.SUBSIDIES:
        id_number = values.pop("id_number")
        account = values.pop("account", None)
        values.update(id_hash=cipher.lookup_hash(id_number), id_cipher=cipher.encrypt(id_number),
                      public_ref=cipher.public_ref(id_number),
                      account_hash=cipher.lookup_hash(account) if account else None,
                      account_cipher=cipher.encrypt(account) if account else None)
    elif kind == Kind.CONTRACTS:
        party_id = values.pop("party_id", "") or ""
        values.update(party_id_hash=cipher.lookup_hash(party_id) if party_id else None,
                      party_id_cipher=cipher.encrypt(party_id) if party_id else None)
    return values


def _insert_rows(batch: Batch, rows: Sequence[dict], extra: dict | None = None) -> None:
    model = ROW_MODELS[batch.kind_enum]
    values = [{**_sealed_values(batch.kind_enum, row), "batch_id": batch.id,
               "village_code": batch.village_code, **(extra or {})} for row in rows]
    for start in range(0, len(values), INSERT_CHUNK):
        db.session.execute(insert(model), values[start:start + INSERT_CHUNK])


def _new_batch(parsed: ParsedBatch, *, filename: str, uploader: User | None, correction_reason: str = "") -> Batch:
    batch = Batch(village_code=parsed.village_code, kind=parsed.kind, period=parsed.period,
                  source_filename=filename[:200], row_count=len(parsed.rows), uploaded_by_id=getattr(uploader, "id", None),
                  is_correction=bool(correction_reason), reason=correction_reason, status=BatchStatus.PENDING)
    db.session.add(batch)
    db.session.flush()
    return batch


def _publish(batch: Batch, *, by: User | None) -> None:
    """Give the batch its place in the village's chain and make its rows public (flush only)."""
    # Serialise publications per village: the row lock on PostgreSQL, the write lock on SQLite.
    db.session.execute(select(Region.code).where(Region.code == batch.village_code).with_for_update())
    last = db.session.execute(
        select(Batch.sequence, Batch.content_hash).where(Batch.village_code == batch.village_code,
                                                         Batch.status == BatchStatus.PUBLISHED)
        .order_by(Batch.sequence.desc()).limit(1)).first()
    batch.sequence = (last.sequence if last else 0) + 1
    batch.prev_hash = last.content_hash if last else None
    batch.content_hash = compute_batch_hash(batch, batch.prev_hash, field_cipher())
    batch.status, batch.published_at = BatchStatus.PUBLISHED, utcnow()
    model = ROW_MODELS[batch.kind_enum]
    db.session.execute(update(model).where(model.batch_id == batch.id).values(published=True))
    if batch.is_correction:
        replaced = select(model.replaces_id).where(model.batch_id == batch.id).scalar_subquery()
        db.session.execute(update(model).where(model.id.in_(replaced)).values(superseded_by_batch_id=batch.id))
    record_audit("disclosure.publish", target_type="batch", target_id=batch.id, actor=by,
                 detail={"village": batch.village_code, "kind": batch.kind, "hash": batch.content_hash})


def _announce(batches: Sequence[Batch]) -> None:
    published = [batch.id for batch in batches if batch.status == BatchStatus.PUBLISHED]
    if published:
        batches_published.send(None, batch_ids=published)


def stage_upload(parsed: ParsedUpload, *, uploader: User | None, publish: bool = False) -> list[Batch]:
    """Store a validated upload as one batch per village/kind/month, awaiting review — or
    published at once when `publish` (a staff import) or when the county has review switched off."""
    batches = []
    for item in parsed.batches:
        batch = _new_batch(item, filename=parsed.filename, uploader=uploader)
        _insert_rows(batch, item.rows)
        record_audit("disclosure.upload", target_type="batch", target_id=batch.id, actor=uploader,
                     detail={"village": batch.village_code, "kind": batch.kind, "period": batch.period,
                             "rows": batch.row_count, "file": parsed.filename})
        if publish or not settings_for(batch.village_code).review_enabled:
            _publish(batch, by=uploader)
        batches.append(batch)
    db.session.commit()
    _announce(batches)
    return batches


def approve_batch(batch: Batch, *, reviewer: User) -> Batch:
    """The reviewer approves: the batch is published."""
    if batch.status != BatchStatus.PENDING:
        raise DisclosureError("只有待审核的批次可以审核通过")
    batch.reviewed_by_id, batch.reviewed_at = reviewer.id, utcnow()
    _publish(batch, by=reviewer)
    db.session.commit()
    _announce([batch])
    return batch


def return_batch(batch: Batch, *, reviewer: User, note: str) -> Batch:
    """The reviewer sends the batch back to the accountant with a reason."""
    if batch.status != BatchStatus.PENDING:
        raise DisclosureError("只有待审核的批次可以退回")
    if not note.strip():
        raise DisclosureError("退回时必须写明原因")
    batch.status, batch.review_note = BatchStatus.RETURNED, note.strip()
    batch.reviewed_by_id, batch.reviewed_at = reviewer.id, utcnow()
    record_audit("disclosure.return", target_type="batch", target_id=batch.id, actor=reviewer,
                 detail={"note": batch.review_note})
    db.session.commit()
    return batch


def correct_row(original, *, new_values: dict | None, reason: str, by: User | None) -> Batch:
    """A correction of one published row: a new version (or a withdrawal when new_values is None)
    in a batch of its own, reviewed like any other."""
    reason = reason.strip()
    if not reason:
        raise DisclosureError("更正必须写明原因")
    model = type(original)
    if not original.published or original.superseded_by_batch_id is not None:
        raise DisclosureError("只能更正当前公开的数据")
    pending = db.session.scalar(select(func.count()).select_from(model).join(Batch, model.batch_id == Batch.id)
                                .where(model.replaces_id == original.id, Batch.status == BatchStatus.PENDING))
    if pending:
        raise DisclosureError("这一行已有待审核的更正")
    kind = original.batch.kind_enum
    values = new_values if new_values is not None else _clear_values(kind, original)
    parsed = ParsedBatch(original.village_code, kind, original.batch.period, [values])
    batch = _new_batch(parsed, filename="", uploader=by, correction_reason=reason)
    _insert_rows(batch, [values], {"replaces_id": original.id, "withdrawn": new_values is None})
    record_audit("disclosure.correct", target_type="batch", target_id=batch.id, actor=by,
                 detail={"replaces": original.id, "kind": kind.value, "reason": reason})
    if not settings_for(batch.village_code).review_enabled:
        _publish(batch, by=by)
    db.session.commit()
    _announce([batch])
    return batch


def _clear_values(kind: Kind, row) -> dict:
    """A stored row's values in the clear form the importers produce, to repeat it as withdrawn."""
    cipher = field_cipher()
    values = {"row_number": row.row_number}
    for name in CANONICAL_FIELDS[kind]:
        values[name] = getattr(row, name)
    if kind == Kind.LEDGER:
        values.update(month=row.month, year=row.year)
    if kind == Kind.SUBSIDIES:
        values["id_number"] = cipher.decrypt(values.pop("id_cipher"))
        account = values.pop("account_cipher")
        values["account"] = cipher.decrypt(account) if account else None
    if kind == Kind.CONTRACTS:
        party = values.pop("party_id_cipher")
        values["party_id"] = cipher.decrypt(party) if party else ""
    return values
