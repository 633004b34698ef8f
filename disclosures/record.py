"""Each village's record: a hash chain of entries, one for every change of what the public sees.

A batch's content hash (disclosures/chain.py) says what its rows hold; it cannot say whether they
are still shown, in which village, or which correction replaced one. So every publication is an
entry here (naming the batch and its content hash), and so is every row a correction supersedes
or withdraws (naming the row, its batch and the correction's row). From the entries alone the
public view can be rebuilt — which batches are public, which of their rows are replaced — and
disclosures/public_view.py compares that with what the database shows.

The hash of an entry covers the previous entry's hash, the village, the sequence, the event, the
batch and `detail`, a canonical JSON object stored beside it. migrations/versions/0019 holds a
frozen copy of entry_hash: change both or neither.
"""

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.extensions import db
from disclosures.models import ROW_MODELS, Batch, BatchStatus, ChainEntry, ChainEvent, Kind

_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def entry_hash(prev_hash: str | None, village_code: str, sequence: int, event: str, batch_id: int, detail: str) -> str:
    """SHA-256 over an entry's links and content."""
    head = _to_json([prev_hash or "", village_code, sequence, event, batch_id, detail])
    return hashlib.sha256(head.encode()).hexdigest()


def entry_heads(villages) -> dict[str, tuple[int, str | None]]:
    """(sequence, hash) of each village's last entry, (0, None) before the first. The caller
    holds the villages' locks (disclosures/services.py: _chain_heads)."""
    last = (
        select(ChainEntry.village_code, func.max(ChainEntry.sequence).label("sequence"))
        .where(ChainEntry.village_code.in_(villages))
        .group_by(ChainEntry.village_code)
        .subquery()
    )
    rows = db.session.execute(
        select(ChainEntry.village_code, ChainEntry.sequence, ChainEntry.entry_hash).join(
            last, (ChainEntry.village_code == last.c.village_code) & (ChainEntry.sequence == last.c.sequence)
        )
    )
    heads = dict.fromkeys(villages, (0, None))
    heads.update((village, (sequence, digest)) for village, sequence, digest in rows)
    return heads


class Recorder:
    """Appends entries to the record of the villages whose heads it was given (flush only)."""

    def __init__(self, heads: dict[str, tuple[int, str | None]]):
        self.heads = heads

    def _append(self, village_code: str, event: ChainEvent, batch_id: int, detail: dict) -> None:
        sequence, previous = self.heads[village_code]
        text = _to_json(detail)
        digest = entry_hash(previous, village_code, sequence + 1, event.value, batch_id, text)
        db.session.add(
            ChainEntry(
                village_code=village_code,
                sequence=sequence + 1,
                event=event.value,
                batch_id=batch_id,
                detail=text,
                prev_hash=previous,
                entry_hash=digest,
            )
        )
        self.heads[village_code] = (sequence + 1, digest)

    def published(self, batch: Batch) -> None:
        """The batch, with its content hash set, became public."""
        self._append(
            batch.village_code, ChainEvent.PUBLISH, batch.id, {"kind": batch.kind, "batch_hash": batch.content_hash}
        )

    def corrected(self, batch: Batch) -> None:
        """The correction batch, just published, superseded or withdrew the rows it replaces."""
        model = ROW_MODELS[batch.kind]
        replaced = aliased(model)
        rows = db.session.execute(
            select(model.id, model.withdrawn, replaced.id, replaced.batch_id)
            .join(replaced, replaced.id == model.replaces_id)
            .where(model.batch_id == batch.id)
            .order_by(model.id)
        )
        for by_row, withdrawn, row, row_batch in rows:
            self._append(
                batch.village_code,
                ChainEvent.WITHDRAW if withdrawn else ChainEvent.SUPERSEDE,
                batch.id,
                {"kind": batch.kind, "row": row, "row_batch": row_batch, "by_row": by_row},
            )


@dataclass
class Change:
    """A row the record says a correction replaced."""

    event: ChainEvent
    row_batch: int
    by_batch: int
    by_row: int


@dataclass
class RecordView:
    """What a village's record says the public sees: its public batches (id → kind) and, per
    kind, the replaced rows (row id → Change)."""

    batches: dict[int, Kind] = field(default_factory=dict)
    changes: dict[Kind, dict[int, Change]] = field(default_factory=lambda: {kind: {} for kind in Kind})


def batch_label(village_code: str, batch_id: int, kind: Kind | str | None = None) -> str:
    return f"{village_code} 批次{batch_id}" + (f"（{Kind(kind).label}）" if kind else "")


def read_record(village_code: str) -> tuple[RecordView, list[str]]:
    """The village's record re-checked link by link, and the public view it describes."""
    view, problems, previous = RecordView(), [], None
    entries = db.session.scalars(
        select(ChainEntry).where(ChainEntry.village_code == village_code).order_by(ChainEntry.sequence)
    )
    for expected, entry in enumerate(entries, start=1):
        detail = json.loads(entry.detail)
        kind = Kind(detail["kind"])
        label = f"{batch_label(village_code, entry.batch_id, kind)} 记录第{entry.sequence}条（{ChainEvent(entry.event).label}）"
        if entry.sequence != expected:
            problems.append(f"{label}：记录序号不连续，应为{expected}")
        if entry.prev_hash != previous:
            problems.append(f"{label}：前一条记录的哈希不符")
        if (
            entry_hash(entry.prev_hash, village_code, entry.sequence, entry.event, entry.batch_id, entry.detail)
            != entry.entry_hash
        ):
            problems.append(f"{label}：记录已被改动，哈希不符")
        previous = entry.entry_hash
        if entry.event == ChainEvent.PUBLISH:
            view.batches[entry.batch_id] = kind
        else:
            view.changes[kind][detail["row"]] = Change(
                ChainEvent(entry.event), detail["row_batch"], entry.batch_id, detail["by_row"]
            )
    problems += _batches_against_record(village_code, view)
    return view, problems


def _batches_against_record(village_code: str, view: RecordView) -> list[str]:
    """The batches the database calls published in this village against those the record does."""
    problems = []
    recorded = {
        entry.batch_id: json.loads(entry.detail)
        for entry in db.session.scalars(
            select(ChainEntry).where(ChainEntry.village_code == village_code, ChainEntry.event == ChainEvent.PUBLISH)
        )
    }
    found = {
        batch.id: batch
        for batch in db.session.scalars(
            select(Batch).where(
                (Batch.village_code == village_code) & (Batch.status == BatchStatus.PUBLISHED) | Batch.id.in_(recorded)
            )
        )
    }
    for batch_id in sorted(set(found) | set(recorded)):
        batch, detail = found.get(batch_id), recorded.get(batch_id)
        label = batch_label(village_code, batch_id, batch.kind if batch else detail["kind"])
        if detail is None:
            problems.append(f"{label}：数据库中为已公开，记录中没有公开这一批次")
        elif batch is None:
            problems.append(f"{label}：记录中已公开，数据库中没有这一批次")
        elif batch.status != BatchStatus.PUBLISHED:
            problems.append(f"{label}：记录中已公开，数据库中状态为{batch.status.label}")
        elif batch.village_code != village_code:
            problems.append(f"{label}：记录中属于本村，数据库中属于{batch.village_code}")
        elif (batch.kind, batch.content_hash) != (detail["kind"], detail["batch_hash"]):
            problems.append(f"{label}：批次哈希与记录不符")
    return problems
