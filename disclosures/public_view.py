"""The public view a village's record describes, against the one the database serves.

A row is public when it is published, in its village, not superseded by a correction and not
withdrawn (disclosures/public.py). The record (disclosures/record.py) says which batches are public
and which of their rows corrections replaced; the batches' content hashes say what the rows hold,
withdrawn or not. So the two views agree exactly when:

1. every row of a batch the record published is still published and still in the village;
2. the rows marked superseded are exactly the rows the record says were replaced, by the same
   correction, and each correction's row still points at the row it replaced;
3. no other row of the village is published.

Each check is one query per kind; only disagreements come back to Python.
"""

from sqlalchemy import and_, func, or_, select

from core.extensions import db
from disclosures.models import ROW_MODELS, ChainEntry, ChainEvent, Kind
from disclosures.record import RecordView, batch_label

# Rows named one by one in a problem; beyond this a batch's count says the rest.
NAMED_ROWS = 5


def compare_public_view(village_code: str, view: RecordView) -> list[str]:
    """Where the database's public view of the village differs from its record's."""
    problems = []
    published = (
        select(ChainEntry.batch_id)
        .where(ChainEntry.village_code == village_code, ChainEntry.event == ChainEvent.PUBLISH)
        .scalar_subquery()
    )
    for kind, model in ROW_MODELS.items():
        problems += _hidden_or_moved(village_code, kind, model, published)
        problems += _supersessions(village_code, kind, model, view)
        problems += _unrecorded(village_code, kind, model, published)
    return problems


def _rows(numbers: list[int]) -> str:
    shown = "、".join(f"第{n}行" for n in numbers[:NAMED_ROWS])
    return shown + (f"等{len(numbers)}行" if len(numbers) > NAMED_ROWS else "")


def _grouped(found) -> dict[tuple, list[int]]:
    groups: dict[tuple, list[int]] = {}
    for *key, row_number in found:
        groups.setdefault(tuple(key), []).append(row_number)
    return groups


def _hidden_or_moved(village_code: str, kind: Kind, model, published) -> list[str]:
    """Rows of a published batch that no longer show, or show in another village."""
    found = db.session.execute(
        select(model.batch_id, model.village_code, model.published, model.row_number)
        .where(model.batch_id.in_(published), or_(model.village_code != village_code, model.published.is_not(True)))
        .order_by(model.batch_id, model.village_code, model.row_number)
    )
    problems = []
    for (batch_id, moved_to, _shown), numbers in _grouped(found).items():
        label = batch_label(village_code, batch_id, kind)
        if moved_to != village_code:
            problems.append(f"{label}：{_rows(numbers)}被移到{moved_to}（记录中属于本村）")
        else:
            problems.append(f"{label}：{_rows(numbers)}已不公开（记录中为公开）")
    return problems


def _supersessions(village_code: str, kind: Kind, model, view: RecordView) -> list[str]:
    """Rows marked superseded against the rows the record says corrections replaced, and each
    correction row's link to the row it replaced."""
    expected, problems = dict(view.changes[kind]), []
    found = db.session.execute(
        select(model.id, model.batch_id, model.superseded_by_batch_id, model.row_number)
        .where(
            or_(
                and_(model.village_code == village_code, model.superseded_by_batch_id.is_not(None)),
                model.id.in_(list(expected)),
            )
        )
        .order_by(model.id)
    )
    for row_id, batch_id, by_batch, number in found:
        change = expected.pop(row_id, None)
        label = f"{batch_label(village_code, batch_id, kind)}：第{number}行"
        if change is None:
            problems.append(f"{label}被标记为由批次{by_batch}更正，记录中没有这次更正")
        elif by_batch is None:
            problems.append(f"{label}记录中已由批次{change.by_batch}{change.event.label}，数据库中未标记")
        elif (batch_id, by_batch) != (change.row_batch, change.by_batch):
            problems.append(
                f"{label}被标记为由批次{by_batch}更正，记录中为批次{change.row_batch}的行"
                f"由批次{change.by_batch}{change.event.label}"
            )
    problems += [
        f"{batch_label(village_code, change.row_batch, kind)}：记录中由批次{change.by_batch}"
        f"{change.event.label}的行（编号{row_id}）已不存在"
        for row_id, change in expected.items()
    ]
    return problems + _correction_links(village_code, kind, model, view)


def _correction_links(village_code: str, kind: Kind, model, view: RecordView) -> list[str]:
    """Each correction row points at the row the record says it replaced."""
    replaced = {change.by_row: row_id for row_id, change in view.changes[kind].items()}
    corrections = {change.by_batch for change in view.changes[kind].values()}
    problems = []
    for by_row, by_batch, replaces, number in db.session.execute(
        select(model.id, model.batch_id, model.replaces_id, model.row_number)
        .where(model.batch_id.in_(list(corrections)))
        .order_by(model.id)
    ):
        if replaced.pop(by_row, None) != replaces:
            problems.append(f"{batch_label(village_code, by_batch, kind)}：第{number}行所更正的原数据与记录不符")
    problems += [
        f"{batch_label(village_code, view.changes[kind][row_id].by_batch, kind)}："
        f"记录中的更正行（编号{by_row}）已不存在"
        for by_row, row_id in replaced.items()
    ]
    return problems


def _unrecorded(village_code: str, kind: Kind, model, published) -> list[str]:
    """Rows shown in the village that no batch the record published holds."""
    public = and_(model.published.is_(True), model.superseded_by_batch_id.is_(None), model.withdrawn.is_(False))
    found = db.session.execute(
        select(model.batch_id, func.count())
        .where(model.village_code == village_code, public, model.batch_id.not_in(published))
        .group_by(model.batch_id)
        .order_by(model.batch_id)
    )
    return [
        f"{batch_label(village_code, batch_id, kind)}：{count}行在本村公开，记录中本村没有公开这一批次"
        for batch_id, count in found
    ]
