"""The back office's own records about cases: referrals, identity requests, reply templates,
reminders and clock extensions. Complaints never import these (a declared conflict of interest
lives with the complaints: it decides who may see a case)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum
from core.users.models import User


class Decision(LabelledEnum):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    DENIED = "denied", "未批准"


class ReminderLevel(LabelledEnum):
    """Why a reminder was written; the label heads it in the reminder list and the mail alike."""

    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已超期"
    ESCALATED_TOWNSHIP = "escalated_township", "超期升级至乡镇负责人"
    ESCALATED_COUNTY = "escalated_county", "超期升级至县负责人"
    REFERRAL_OVERDUE = "referral_overdue", "转办部门超期未答复"
    IDENTITY_REVEALED = "identity_revealed", "反映人身份已被查看"


class Department(Base):
    """A department cases are referred to (县医保局, 县农业农村局…); administrators keep the list."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("county_code", "name", name="county_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    name: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)


class Referral(Base):
    """A case sent to a department with a redacted summary (no complainant identity), on its own clock."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    summary: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    working_days: Mapped[int] = mapped_column(default=15)
    due_at: Mapped[datetime] = mapped_column(index=True)
    provisional: Mapped[bool] = mapped_column(default=False)
    extension_days: Mapped[int] = mapped_column(default=0)
    answered_at: Mapped[datetime | None]
    answer: Mapped[str] = mapped_column(Text, default="")

    department: Mapped[Department] = relationship()


class IdentityRequest(Base):
    """A handler asks to see a real-name complainant's identity; a lead (never the requester) decides."""

    __tablename__ = "identity_requests"
    # One request waiting per person and case: a second click cannot file a second one.
    __table_args__ = (
        Index(
            "uq_identity_requests_pending",
            "complaint_id",
            "requester_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[Decision] = mapped_column(EnumText(Decision, 16), default=Decision.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReplyTemplate(Base):
    """A reply text handlers insert and edit, per complaint category ('' for any)."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16), default="", index=True)
    title: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class ClockExtension(Base):
    """A request to extend the statutory or a referral clock, with a reason the complainant sees."""

    __tablename__ = "clock_extensions"
    # One request waiting per clock: the case's statutory limit, or one referral's answer.
    __table_args__ = (
        Index(
            "uq_clock_extensions_pending_clock",
            "clock_id",
            unique=True,
            sqlite_where=text("status = 'pending' AND clock_id IS NOT NULL"),
            postgresql_where=text("status = 'pending' AND clock_id IS NOT NULL"),
        ),
        Index(
            "uq_clock_extensions_pending_referral",
            "referral_id",
            unique=True,
            sqlite_where=text("status = 'pending' AND referral_id IS NOT NULL"),
            postgresql_where=text("status = 'pending' AND referral_id IS NOT NULL"),
        ),
        CheckConstraint("days > 0", name="days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("case_clocks.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[Decision] = mapped_column(EnumText(Decision, 16), default=Decision.PENDING, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    referral: Mapped[Referral | None] = relationship()

    @property
    def description(self) -> str:
        """What the request asks for, as a lead reads it."""
        if self.referral is not None:
            return f"{self.referral.department.name}答复期限延长{self.days}个工作日"
        return f"办理期限延长{self.days}日"


class Reminder(Base):
    """A note for a staff member that a clock is due soon, overdue, or escalated to them, or
    (with no clock) that a complainant's identity on a case was revealed.

    One per (clock, level, user), so running the sweep again writes nothing new."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("clock_id", "level", "user_id", name="clock_level_user"),
        Index("ix_reminders_user_unread", "user_id", "read_at"),
        # One key names the clock and its case: PostgreSQL checks a foreign key row by
        # row, and the first sweep over a backlog writes tens of thousands of reminders.
        ForeignKeyConstraint(["clock_id", "complaint_id"], ["case_clocks.id", "case_clocks.complaint_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    complaint_id: Mapped[int] = mapped_column(index=True)
    clock_id: Mapped[int | None]
    level: Mapped[ReminderLevel] = mapped_column(EnumText(ReminderLevel, 24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
