"""Regions as the public forms name them, remembered by each worker for a minute.

A complaint form names its village and the township and county above it, and a filing needs the
village's township; asking the database on every form and every submission was a fifth of a
filing's cost. Regions change only when an administrator imports them: a worker that imports
forgets at once (on its flush), the others within PLACE_MEMO_SECONDS (default 60). A code not
known yet is always read, so a new village is never refused.
"""

from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from itertools import chain
from threading import Lock
from time import monotonic

from flask import current_app, has_app_context
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from core.extensions import read_outside_transaction
from core.regions.codes import ancestor_codes
from core.regions.models import Level, Region

MEMO_SIZE = 4096  # places per worker: villages of a large county many times over
MEMO = "region_places"


@dataclass(frozen=True)
class Place:
    """A region with its parents, detached from any session (safe to share between requests)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    ancestors: tuple["Place", ...] = ()  # county first, down to the parent

    @property
    def level_enum(self) -> Level:
        return Level(self.level)


class _Memo:
    def __init__(self):
        self.items: OrderedDict[str, tuple[float, Place]] = OrderedDict()  # only found places
        self.lock = Lock()


def place(code: str) -> Place | None:
    """The region with this code and its parents, or None if there is none."""
    seconds = current_app.config.get("PLACE_MEMO_SECONDS", 60)
    memo = _memo()
    now = monotonic()
    with memo.lock:
        remembered = memo.items.get(code)
    if remembered is not None and now - remembered[0] < seconds:
        return remembered[1]
    found = _read(code)
    if seconds and found is not None:
        with memo.lock:
            memo.items[code] = (now, found)
            memo.items.move_to_end(code)
            while len(memo.items) > MEMO_SIZE:
                memo.items.popitem(last=False)
    return found


@event.listens_for(Session, "after_flush")
def _forget_written_regions(session: Session, _context) -> None:
    """A worker that writes regions (an import) names them afresh at once."""
    written = chain(session.new, session.dirty, session.deleted)
    if has_app_context() and any(isinstance(each, Region) for each in written):
        memo = current_app.extensions.get(MEMO)
        if memo is not None:
            with memo.lock:
                memo.items.clear()


def _memo() -> _Memo:
    memo = current_app.extensions.get(MEMO)
    if memo is None:
        memo = current_app.extensions.setdefault(MEMO, _Memo())
    return memo


@cache
def _query():
    # Built once: building a select costs more than running this one.
    table = Region.__table__
    return select(table.c.code, table.c.name, table.c.level, table.c.parent_code).where(
        table.c.code.in_(bindparam("codes", expanding=True))
    )


def _read(code: str) -> Place | None:
    codes = [*ancestor_codes(code), code]  # county first
    # Apart from the request's session: a form page then opens no transaction at all.
    with read_outside_transaction() as connection:
        rows = {row.code: row for row in connection.execute(_query(), {"codes": codes})}
    lineage = []  # the region, its parent, …: followed by parent_code, not guessed from the code
    row = rows.get(code)
    while row is not None and len(lineage) < len(codes):
        lineage.append(row)
        row = rows.get(row.parent_code)
    found = None
    for row in reversed(lineage):
        found = Place(row.code, row.name, row.level, row.parent_code, (*found.ancestors, found) if found else ())
    return found
