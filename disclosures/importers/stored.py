"""What an upload is checked against in the database: the stored rows that still count, and the
keys the file uses that stored rows already hold."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Select, select

from core.extensions import db
from disclosures.models import Batch, BatchStatus
from disclosures.public import is_current

# Rows in these batches exist for uniqueness and references; a returned batch is gone.
LIVE_STATUSES = (BatchStatus.PENDING.value, BatchStatus.PUBLISHED.value)
# Bound parameters per IN list: well below SQLite's and PostgreSQL's limits.
IN_CHUNK = 900
# Stored rows read for a check come in slices of this many (a server-side cursor on PostgreSQL).
STREAM_ROWS = 10_000


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """Sorted values in lists small enough for one IN clause each."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def live_rows(model: Any, *columns: Any, villages: list[str], excluding: frozenset[int] = frozenset()) -> Select:
    """Stored rows that still count: in a pending or published batch, not replaced or withdrawn."""
    query = (
        select(*columns)
        .join(Batch, model.batch_id == Batch.id)
        .where(Batch.status.in_(LIVE_STATUSES), model.village_code.in_(villages), is_current(model))
    )
    return query.where(model.id.not_in(sorted(excluding))) if excluding else query


class UniqueKeys:
    """Keys that must be unique within a file and unused among stored rows, kept as the file is read.

    Grouped (by village, or village and year) so that a row costs one string and one row number:
    each key's first row, and the later rows that repeat it.
    """

    def __init__(self) -> None:
        self.groups: dict[tuple, dict[str, int]] = {}
        self._repeats: list[tuple[tuple, str, int]] = []

    def add(self, group: tuple, key: str, number: int) -> None:
        keys = self.groups.get(group)
        if keys is None:
            keys = self.groups[group] = {}
        first = keys.setdefault(key, number)
        if first != number:
            self._repeats.append((group, key, number))

    def __contains__(self, item: tuple[tuple, str]) -> bool:
        group, key = item
        return key in self.groups.get(group, ())

    def report(
        self,
        stored: set[tuple[tuple, str]],
        bad_villages: set[str],
        report: Callable[[int, tuple, str, int | None], None],
    ) -> None:
        """report(row, group, key, earlier) for each row whose key is stored (earlier None) or was
        taken by an earlier row of the file; groups of a bad village are skipped."""
        for group, key in stored:
            if group[0] not in bad_villages:
                report(self.groups[group][key], group, key, None)
        for group, key, number in self._repeats:
            if group[0] not in bad_villages:
                report(number, group, key, None if (group, key) in stored else self.groups[group][key])


def stored_keys(query: Select, keys: UniqueKeys) -> set[tuple[tuple, str]]:
    """The file's keys that stored rows already use; `query` selects (*group, key) rows."""
    found = set()
    for *group, key in db.session.execute(query.execution_options(yield_per=STREAM_ROWS)):
        if (tuple(group), key) in keys:
            found.add((tuple(group), key))
    return found
