"""Roster versions and their rows. A new import of a kind becomes the current version; the previous
one stays for the record (who, when, how many rows) and the evidence that points at its rows."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum


class RosterKind(LabelledEnum):
    DECEASED = "deceased", "死亡人员名单"
    PUBLIC_EMPLOYEES = "public_employees", "财政供养人员名单"
    CADRES = "cadres", "村干部及近亲属"
    STANDARDS = "standards", "补贴标准"


class RosterVersion(Base):
    """One import of a roster kind."""

    __tablename__ = "roster_versions"
    __table_args__ = (Index("ix_roster_versions_kind_current", "kind", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RosterKind] = mapped_column(EnumText(RosterKind, 20))
    filename: Mapped[str] = mapped_column(String(200), default="")
    row_count: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_current: Mapped[bool] = mapped_column(default=True)
    replaced_at: Mapped[datetime | None]


class RosterRow:
    """Columns every roster row has: its version and its row number in the imported file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    row_number: Mapped[int] = mapped_column(default=0)

    @declared_attr
    def version_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("roster_versions.id"), index=True)


class DeceasedPerson(RosterRow, Base):
    __tablename__ = "roster_deceased"

    name: Mapped[str] = mapped_column(String(64))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(Text)
    died_on: Mapped[date]
    # YYYY-MM of died_on, stored so that the rule compares months the same way on every database.
    died_month: Mapped[str] = mapped_column(String(7))


class PublicEmployee(RosterRow, Base):
    __tablename__ = "roster_public_employees"

    name: Mapped[str] = mapped_column(String(64))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(Text)
    employer: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(8))


class CadreEntry(RosterRow, Base):
    """A village cadre (relation 本人) or a relative listed for one (linked by the cadre's ID)."""

    __tablename__ = "roster_cadres"

    village_code: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(64))
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(Text)
    post: Mapped[str] = mapped_column(String(32), default="")
    cadre_id_hash: Mapped[str | None] = mapped_column(String(64))
    cadre_id_cipher: Mapped[str | None] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(8))


class SubsidyStandard(RosterRow, Base):
    """The most one payment of an item may be, from a month on (until the item's next standard)."""

    __tablename__ = "roster_standards"

    item: Mapped[str] = mapped_column(String(32))
    from_month: Mapped[str] = mapped_column(String(7))
    max_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))


ROSTER_MODELS = {
    RosterKind.DECEASED: DeceasedPerson,
    RosterKind.PUBLIC_EMPLOYEES: PublicEmployee,
    RosterKind.CADRES: CadreEntry,
    RosterKind.STANDARDS: SubsidyStandard,
}
