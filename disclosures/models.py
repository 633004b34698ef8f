"""Disclosure batches and the rows they publish. Published rows are never edited or deleted:
a correction publishes new versions that point at the rows they replace."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum

Money = Numeric(14, 2)


class Kind(LabelledEnum):
    LEDGER = "ledger", "收支明细"
    SUBSIDIES = "subsidies", "补贴发放"
    PROJECTS = "projects", "项目进度"
    CONTRACTS = "contracts", "资产资源"


class BatchStatus(LabelledEnum):
    PENDING = "pending", "待审核"
    RETURNED = "returned", "已退回"
    PUBLISHED = "published", "已公开"


class Direction(LabelledEnum):
    """A ledger entry's side: the template's 收支 column holds the label. An opening balance is
    neither income nor expense: the village's money when it began to disclose, which the balances
    start from (docs/import-templates.md)."""

    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"
    OPENING = "opening", "期初余额"


class Batch(Base):
    """One village's rows of one kind (and month, for the ledger) from one upload or correction."""

    __tablename__ = "disclosure_batches"
    __table_args__ = (
        UniqueConstraint("village_code", "sequence", name="village_sequence"),
        Index("ix_disclosure_batches_village_kind_status", "village_code", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    kind: Mapped[Kind] = mapped_column(EnumText(Kind, 16))
    period: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM of a monthly ledger
    status: Mapped[BatchStatus] = mapped_column(EnumText(BatchStatus, 16), default=BatchStatus.PENDING, index=True)
    is_correction: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")  # why a correction was made
    source_filename: Mapped[str] = mapped_column(String(200), default="")
    row_count: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The village's hash chain over published batches, in publication order.
    sequence: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))

    village = relationship("Region")

    @property
    def fingerprint(self) -> str:
        """The short form of the hash printed on notice boards."""
        return (self.content_hash or "")[:12].upper()


class ChainEvent(LabelledEnum):
    PUBLISH = "publish", "公开"  # a batch became public
    SUPERSEDE = "supersede", "更正"  # a published row was replaced by a correction's new version
    WITHDRAW = "withdraw", "撤回"  # a published row was taken back by a correction


class ChainEntry(Base):
    """One entry of a village's record: every change of what the public sees — a batch published,
    a row superseded or withdrawn — in order, each hashed with the one before. `detail` is the
    entry's canonical JSON (what its hash covers besides the links), so that verify can rebuild
    the public view from the chain alone (disclosures/record.py)."""

    __tablename__ = "chain_entries"
    __table_args__ = (UniqueConstraint("village_code", "sequence", name="chain_entry_village_sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12))
    sequence: Mapped[int]
    event: Mapped[ChainEvent] = mapped_column(EnumText(ChainEvent, 16))
    # The batch published, or the correction batch that superseded or withdrew a row.
    batch_id: Mapped[int] = mapped_column(ForeignKey("disclosure_batches.id"), index=True)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisclosedRow:
    """Columns every disclosed row has: its batch, village, version links and visibility."""

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12))
    row_number: Mapped[int] = mapped_column(default=0)  # as the accountant saw it in Excel
    published: Mapped[bool] = mapped_column(default=False)
    withdrawn: Mapped[bool] = mapped_column(default=False)  # a correction that takes a row back

    @declared_attr
    def batch_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("disclosure_batches.id"), index=True)

    @declared_attr
    def replaces_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey(f"{cls.__tablename__}.id"), index=True)

    @declared_attr
    def superseded_by_batch_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("disclosure_batches.id"))

    @declared_attr
    def batch(cls):
        return relationship(Batch, foreign_keys=[cls.batch_id])


class LedgerEntry(DisclosedRow, Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_village_month", "village_code", "month"),
        Index("ix_ledger_entries_village_year_voucher", "village_code", "year", "voucher_no"),
        Index("ix_ledger_entries_village_link", "village_code", "link_code"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    entry_on: Mapped[date]
    month: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    voucher_no: Mapped[str] = mapped_column(String(40))
    direction: Mapped[Direction] = mapped_column(EnumText(Direction, 8))
    category: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    counterparty: Mapped[str] = mapped_column(String(100), default="")
    link_code: Mapped[str] = mapped_column(String(40), default="")


class SubsidyPayment(DisclosedRow, Base):
    __tablename__ = "subsidy_payments"
    __table_args__ = (
        Index("ix_subsidy_payments_village_month", "village_code", "month"),
        Index("ix_subsidy_payments_village_item_month", "village_code", "item", "month"),
        # 我的补贴 counts a miss against the villages that list the name (portal/lookup_limits.py).
        Index("ix_subsidy_payments_name", "name"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    item: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))
    name: Mapped[str] = mapped_column(String(64))
    # The ID number only encrypted, with a keyed hash for exact lookups and the rules' joins.
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_cipher: Mapped[str] = mapped_column(Text)
    public_ref: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date]
    account_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    account_cipher: Mapped[str | None] = mapped_column(Text)


class ProjectUpdate(DisclosedRow, Base):
    """One dated progress report of a project; the project is all updates sharing its 项目编号."""

    __tablename__ = "project_updates"
    __table_args__ = (
        Index("ix_project_updates_village_project", "village_code", "project_no"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("paid_total >= 0", name="paid_total_not_negative"),
    )

    project_no: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    project_type: Mapped[str] = mapped_column(String(16))
    budget: Mapped[Decimal] = mapped_column(Money)
    funding_source: Mapped[str] = mapped_column(String(100), default="")
    contractor: Mapped[str] = mapped_column(String(100), default="")
    contractor_uscc: Mapped[str] = mapped_column(String(18), default="")
    approved_on: Mapped[date | None]
    start_on: Mapped[date | None]
    planned_end_on: Mapped[date | None]
    progress: Mapped[int] = mapped_column(Integer)
    paid_total: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(8))
    updated_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")


class Contract(DisclosedRow, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        Index("ix_contracts_village_contract", "village_code", "contract_no"),
        CheckConstraint("annual_rent >= 0", name="annual_rent_not_negative"),
    )

    contract_no: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(4))
    party: Mapped[str] = mapped_column(String(100))
    party_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    party_id_cipher: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date]
    end_on: Mapped[date]
    annual_rent: Mapped[Decimal] = mapped_column(Money)
    pay_cycle: Mapped[str] = mapped_column(String(4))


class SubsidyItem(Base):
    """The subsidy items a roster may name; administrators add to the list. A monthly item is owed
    a roster every month by each village that pays it (disclosures/due.py); the others are paid
    yearly or when due, and have no calendar."""

    __tablename__ = "subsidy_items"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    monthly: Mapped[bool] = mapped_column(default=False)


ROW_MODELS = {
    Kind.LEDGER: LedgerEntry,
    Kind.SUBSIDIES: SubsidyPayment,
    Kind.PROJECTS: ProjectUpdate,
    Kind.CONTRACTS: Contract,
}


class ProjectPhoto(Base):
    """A site photo uploaded with one project update while its batch awaits review; public exactly
    while that update is (disclosures/public.py). The file is a cleaned JPEG in storage."""

    __tablename__ = "project_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("project_updates.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(40), unique=True)
    size: Mapped[int]
    caption: Mapped[str] = mapped_column(String(100), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    update = relationship(ProjectUpdate)
