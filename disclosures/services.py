"""Disclosure use cases: stage an upload, review, publish, correct. Each public function is one
transaction; the signal for published batches goes out after the commit."""

import zlib
from collections.abc import Callable, Container, Iterable, Sequence
from typing import BinaryIO

from sqlalchemy import func, select, update

from core.audit import record_audit
from core.bulk import bulk_insert
from core.crypto import FieldCipher
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.problems import Problem, Rejected
from core.regions.models import Region
from core.settings import county_code_of, settings_for
from core.users.models import User
from disclosures.chain import CANONICAL_FIELDS, batch_hash, clear_row, compute_batch_hash, sorted_lines
from disclosures.importers import CheckedFile, check_file
from disclosures.importers.stored import chunks
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.queries import chain_heads
from disclosures.record import Recorder, entry_heads
from disclosures.signals import batches_published

INSERT_CHUNK = 5000


class DisclosureError(ValueError):
    """A request that cannot be carried out; the message is for the user."""


def _sealed_values(kind: Kind, row: dict, cipher: FieldCipher) -> dict:
    """Replace clear ID numbers and accounts by ciphertext and keyed hashes."""
    values = dict(row)
    if kind == Kind.SUBSIDIES:
        id_number = values.pop("id_number")
        account = values.pop("account", None)
        values.update(
            id_hash=cipher.lookup_hash(id_number),
            id_cipher=cipher.encrypt(id_number),
            public_ref=cipher.public_ref(id_number),
            account_hash=cipher.lookup_hash(account) if account else None,
            account_cipher=cipher.encrypt(account) if account else None,
        )
    elif kind == Kind.CONTRACTS:
        party_id = values.pop("party_id", "") or ""
        values.update(
            party_id_hash=cipher.lookup_hash(party_id) if party_id else None,
            party_id_cipher=cipher.encrypt(party_id) if party_id else None,
        )
    return values


class _Lines:
    """The canonical lines of batches published in the transaction that inserts them, taken from
    the rows as they go in: hashing these spares reading every row back (and decrypting it). A
    batch's lines are sorted once its last row has come, and kept compressed (~5×) until the
    publish: a million-row ledger's would otherwise take ~115 MB."""

    def __init__(self, kind: Kind, batches: Iterable[Batch], publishing: Container[int]):
        self.kind = kind
        self.publishing = publishing
        self._left = {batch.id: batch.row_count for batch in batches if batch.id in publishing}
        self._open: dict[int, list[str]] = {ident: [] for ident in self._left}
        self._done: dict[int, bytes] = {ident: zlib.compress(b"") for ident, rows in self._left.items() if not rows}

    def add(self, batch_id: int, row: dict) -> None:
        lines = self._open.get(batch_id)
        if lines is None:
            return
        lines.append(clear_row(self.kind, row))
        self._left[batch_id] -= 1
        if not self._left[batch_id]:
            self._done[batch_id] = zlib.compress(sorted_lines(self._open.pop(batch_id)), 1)

    def take(self, batch_id: int) -> bytes | None:
        """The batch's sorted lines (for batch_hash) if all its rows came through here."""
        packed = self._done.pop(batch_id, None)
        return None if packed is None else zlib.decompress(packed)


def _insert_rows(
    kind: Kind,
    rows: Iterable[tuple[Batch, dict]],
    *,
    published: Container[int] = (),
    lines: _Lines | None = None,
    extra: dict | None = None,
) -> None:
    """Insert (batch, row) pairs; rows of the `published` batch ids (about to be published in
    this transaction) are stored published, which spares an UPDATE of every row."""
    cipher, table = field_cipher(), ROW_MODELS[kind].__table__
    values = []
    for batch, row in rows:
        if lines is not None:
            lines.add(batch.id, row)
        values.append(
            {
                **_sealed_values(kind, row, cipher),
                "batch_id": batch.id,
                "village_code": batch.village_code,
                "published": batch.id in published,
                **(extra or {}),
            }
        )
    for start in range(0, len(values), INSERT_CHUNK):
        bulk_insert(table, values[start : start + INSERT_CHUNK])


def _new_batch(parsed: ParsedBatch, *, filename: str, uploader: User | None, correction_reason: str = "") -> Batch:
    batch = Batch(
        village_code=parsed.village_code,
        kind=parsed.kind,
        period=parsed.period,
        source_filename=filename[:200],
        row_count=len(parsed.rows),
        uploaded_by_id=getattr(uploader, "id", None),
        is_correction=bool(correction_reason),
        reason=correction_reason,
        status=BatchStatus.PENDING,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _publish(
    batches: Sequence[Batch], *, by: User | None, rows_published: bool = False, lines: _Lines | None = None
) -> None:
    """Give each batch, in order, its place in its village's chain and make its rows public (flush
    only); `rows_published` when they were inserted published already, `lines` the sorted
    canonical lines of batches whose rows were just inserted (else they are read back)."""
    villages = {batch.village_code for batch in batches}
    cipher, heads = field_cipher(), _chain_heads(villages)
    record = Recorder(entry_heads(villages))
    # Nothing to flush between the batches: their rows are in, and the chain heads are read. One
    # flush at the end writes them all together.
    with db.session.no_autoflush:
        for batch in batches:
            batch.sequence, batch.prev_hash = heads[batch.village_code][0] + 1, heads[batch.village_code][1]
            body = lines.take(batch.id) if lines is not None else None
            batch.content_hash = (
                batch_hash(batch, body, batch.prev_hash)
                if body is not None
                else compute_batch_hash(batch, batch.prev_hash, cipher)
            )
            batch.status, batch.published_at = BatchStatus.PUBLISHED, utcnow()
            heads[batch.village_code] = (batch.sequence, batch.content_hash)
    for batch in batches:
        record.published(batch)
        model = ROW_MODELS[batch.kind]
        if not rows_published:
            db.session.execute(update(model.__table__).where(model.batch_id == batch.id).values(published=True))
        if batch.is_correction:
            replaced = select(model.replaces_id).where(model.batch_id == batch.id).scalar_subquery()
            db.session.execute(update(model).where(model.id.in_(replaced)).values(superseded_by_batch_id=batch.id))
            record.corrected(batch)
        record_audit(
            "disclosure.publish",
            target_type="batch",
            target_id=batch.id,
            actor=by,
            detail={"village": batch.village_code, "kind": batch.kind, "hash": batch.content_hash},
        )


def _chain_heads(villages: set[str]) -> dict[str, tuple[int, str | None]]:
    """Per village, (sequence, hash) of its last published batch, (0, None) before the first —
    with the villages locked until the commit, so that publications of one village run one at
    a time (the row locks on PostgreSQL, in code order; the write lock on SQLite)."""
    heads = dict.fromkeys(villages, (0, None))
    for part in chunks(villages):
        db.session.execute(select(Region.code).where(Region.code.in_(part)).order_by(Region.code).with_for_update())
        rows = db.session.execute(chain_heads(part))
        heads.update((village, (sequence, content_hash)) for village, sequence, content_hash in rows)
    return heads


def _commit_and_announce(batches: Sequence[Batch]) -> None:
    """Commit; then tell the listeners which batches were published."""
    ids = [batch.id for batch in batches]
    published = [batch.id for batch in batches if batch.status == BatchStatus.PUBLISHED]
    db.session.commit()
    if len(ids) > 1:
        # The commit expired the batches: reload them a few queries at once, not one each at next use.
        for part in chunks(ids):
            db.session.scalars(select(Batch).where(Batch.id.in_(part))).all()
    if published:
        batches_published.send(None, batch_ids=published)


def _open_batches(
    kind: Kind, groups: Iterable[tuple[str, str | None, int]], *, filename: str, uploader: User | None
) -> list[Batch]:
    """The upload's batches, pending, flushed and audited."""
    batches = [
        Batch(
            village_code=village,
            kind=kind,
            period=period,
            source_filename=filename[:200],
            row_count=rows,
            uploaded_by_id=getattr(uploader, "id", None),
            status=BatchStatus.PENDING,
        )
        for village, period, rows in groups
    ]
    db.session.add_all(batches)
    db.session.flush()
    for batch in batches:
        record_audit(
            "disclosure.upload",
            target_type="batch",
            target_id=batch.id,
            actor=uploader,
            detail={
                "village": batch.village_code,
                "kind": batch.kind,
                "period": batch.period,
                "rows": batch.row_count,
                "file": filename,
            },
        )
    return batches


def _to_publish(batches: list[Batch], publish: bool) -> set[int]:
    """Ids of the batches published at once: all with `publish`, else where review is off."""
    reviewed: dict[str, bool] = {}  # per county: one settings query each
    for batch in batches:
        county = county_code_of(batch.village_code)
        if county not in reviewed:
            reviewed[county] = settings_for(batch.village_code).review_enabled
    return {batch.id for batch in batches if publish or not reviewed[county_code_of(batch.village_code)]}


def _close_batches(batches: list[Batch], lines: _Lines, uploader: User | None) -> list[Batch]:
    """Publish the batches whose rows were stored published, commit, announce."""
    _publish(
        [batch for batch in batches if batch.id in lines.publishing], by=uploader, rows_published=True, lines=lines
    )
    _commit_and_announce(batches)
    return batches


def stage_upload(parsed: ParsedUpload, *, uploader: User | None, publish: bool = False) -> list[Batch]:
    """Store a validated upload as one batch per village/kind/month, awaiting review — or
    published at once when `publish` (a staff import) or when the county has review switched off."""
    groups = [(item.village_code, item.period, len(item.rows)) for item in parsed.batches]
    batches = _open_batches(parsed.kind, groups, filename=parsed.filename, uploader=uploader)
    publishing = _to_publish(batches, publish)
    lines = _Lines(parsed.kind, batches, publishing)
    for batch, item in zip(batches, parsed.batches):
        _insert_rows(parsed.kind, ((batch, row) for row in item.rows), published=publishing, lines=lines)
    return _close_batches(batches, lines, uploader)


def stage_checked(checked: CheckedFile, *, uploader: User | None, publish: bool = False) -> list[Batch]:
    """stage_upload for a file checked by check_file: its rows come back from disk a chunk at a
    time, so that a million-row file is stored without being held in memory."""
    batches = _open_batches(checked.kind, checked.batches, filename=checked.filename, uploader=uploader)
    publishing = _to_publish(batches, publish)
    lines = _Lines(checked.kind, batches, publishing)
    by_key = {(batch.village_code, batch.period): batch for batch in batches}
    for rows in checked.chunks():
        _insert_rows(
            checked.kind, ((by_key[checked.batch_key(row)], row) for row in rows), published=publishing, lines=lines
        )
    return _close_batches(batches, lines, uploader)


def import_file(
    kind: Kind,
    data: bytes | BinaryIO,
    filename: str,
    *,
    villages: set[str] | None,
    uploader: User | None,
    period: str | None = None,
    publish: bool = False,
    accept_warnings: bool = False,
    confirm_hint: str = "",
    on_notice: Callable[[str], None] | None = None,
    **limits: int,
) -> list[Batch]:
    """Check a file and store it (check_file, then stage_checked), never holding its rows in
    memory; warnings to confirm reject it unless `accept_warnings` (each followed by
    `confirm_hint`, which says how to confirm where the caller is); notices go to `on_notice`."""
    with check_file(kind, data, filename, villages=villages, period=period, **limits) as checked:
        if checked.warnings and not accept_warnings:
            raise Rejected([Problem(f"{warning}{confirm_hint}") for warning in checked.warnings])
        batches = stage_checked(checked, uploader=uploader, publish=publish)
    for notice in checked.notices if on_notice else ():
        on_notice(notice)
    return batches


def approve_batch(batch: Batch, *, reviewer: User) -> Batch:
    """The reviewer approves: the batch is published."""
    if batch.status != BatchStatus.PENDING:
        raise DisclosureError("只有待审核的批次可以审核通过")
    batch.reviewed_by_id, batch.reviewed_at = reviewer.id, utcnow()
    _publish([batch], by=reviewer)
    _commit_and_announce([batch])
    return batch


def return_batch(batch: Batch, *, reviewer: User, note: str) -> Batch:
    """The reviewer sends the batch back to the accountant with a reason."""
    if batch.status != BatchStatus.PENDING:
        raise DisclosureError("只有待审核的批次可以退回")
    if not note.strip():
        raise DisclosureError("退回时必须写明原因")
    batch.status, batch.review_note = BatchStatus.RETURNED, note.strip()
    batch.reviewed_by_id, batch.reviewed_at = reviewer.id, utcnow()
    record_audit(
        "disclosure.return", target_type="batch", target_id=batch.id, actor=reviewer, detail={"note": batch.review_note}
    )
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
    pending = db.session.scalar(
        select(func.count())
        .select_from(model)
        .join(Batch, model.batch_id == Batch.id)
        .where(model.replaces_id == original.id, Batch.status == BatchStatus.PENDING)
    )
    if pending:
        raise DisclosureError("这一行已有待审核的更正")
    kind = original.batch.kind
    values = new_values if new_values is not None else _clear_values(kind, original)
    parsed = ParsedBatch(original.village_code, kind, original.batch.period, [values])
    batch = _new_batch(parsed, filename="", uploader=by, correction_reason=reason)
    _insert_rows(kind, [(batch, values)], extra={"replaces_id": original.id, "withdrawn": new_values is None})
    record_audit(
        "disclosure.correct",
        target_type="batch",
        target_id=batch.id,
        actor=by,
        detail={"replaces": original.id, "kind": kind.value, "reason": reason},
    )
    if not settings_for(batch.village_code).review_enabled:
        _publish([batch], by=by)
    _commit_and_announce([batch])
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
