"""Declarative base with a constraint naming convention, and the UTC clock."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so without this a value read back would be naive and compare
    wrongly with aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime()}
    )


# Set only while the demo county is built: its staff answer each case on the day they would have,
# weeks ago, so that the demo's deadlines and statistics look like a county at work.
_acting_at: ContextVar[datetime | None] = ContextVar("acting_at", default=None)


def utcnow() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return _acting_at.get() or datetime.now(timezone.utc)


@contextmanager
def clock_reads(instant: datetime) -> Iterator[None]:
    """Make utcnow() answer `instant` in this context (the demo's history; never a request)."""
    token = _acting_at.set(instant)
    try:
        yield
    finally:
        _acting_at.reset(token)
