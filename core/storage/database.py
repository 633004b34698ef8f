"""The database store: uploaded files as rows of `stored_files` in the portal's own database, so
every app host reads what any other stored (UPLOAD_STORE=database; bytea on PostgreSQL).

Each call runs on a connection of its own and commits at once, apart from the caller's session,
as writing a file to disk would: the caller's rollback does not take a stored file with it, and
the file is there for the commit that names it. Files are small (photos of at most 2000 px,
recordings of at most 5 MB, staged spreadsheets), so each is read and written whole.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.extensions import db
from core.storage.local import valid_name


class StoredFile(Base):
    __tablename__ = "stored_files"

    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _where(area: str, name: str):
    if not valid_name(area) or not valid_name(name):
        raise FileNotFoundError(f"{area}/{name}")
    return (StoredFile.area == area) & (StoredFile.name == name)


class DatabaseStore:
    def put(self, area: str, name: str, data: bytes) -> None:
        where = _where(area, name)
        with db.engine.begin() as connection:
            connection.execute(delete(StoredFile).where(where))
            connection.execute(
                insert(StoredFile).values(area=area, name=name, data=data, size=len(data), created_at=utcnow())
            )

    def open(self, area: str, name: str) -> bytes:
        with db.engine.connect() as connection:
            data = connection.scalar(select(StoredFile.data).where(_where(area, name)))
        if data is None:
            raise FileNotFoundError(f"{area}/{name}")
        return bytes(data)

    def delete(self, area: str, name: str) -> None:
        try:
            where = _where(area, name)
        except FileNotFoundError:
            return
        with db.engine.begin() as connection:
            connection.execute(delete(StoredFile).where(where))

    def exists(self, area: str, name: str) -> bool:
        try:
            where = _where(area, name)
        except FileNotFoundError:
            return False
        with db.engine.connect() as connection:
            return connection.scalar(select(StoredFile.size).where(where)) is not None

    def names(self, area: str, *, older_than: timedelta | None = None) -> list[str]:
        query = select(StoredFile.name).where(StoredFile.area == area).order_by(StoredFile.name)
        if older_than is not None:
            query = query.where(StoredFile.created_at < utcnow() - older_than)
        with db.engine.connect() as connection:
            return list(connection.scalars(query))

    def everything(self) -> Iterator[tuple[str, str]]:
        with db.engine.connect() as connection:
            rows = connection.execute(
                select(StoredFile.area, StoredFile.name).order_by(StoredFile.area, StoredFile.name)
            ).all()
        yield from ((area, name) for area, name in rows)
