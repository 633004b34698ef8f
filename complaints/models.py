"""Complaints, their clocks and public timeline, attachments, inspection rounds and QR links.

A complainant's identity lives in its own table, encrypted; nothing here stores an address or a
user agent.
"""

import secrets
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy import text as sql_text  # the class below has a column named text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum
from core.regions.models import Region
from core.users.models import User


class Category(LabelledEnum):
    FUNDS = "funds", "资金使用"
    SUBSIDY = "subsidy", "补贴发放"
    PROJECT = "project", "项目建设"
    ASSET = "asset", "资产资源"
    CONDUCT = "conduct", "干部作风"
    OTHER = "other", "其他"


class Channel(LabelledEnum):
    WEB = "web", "网上反映"
    QR = "qr", "扫码反映"
    INSPECTION = "inspection", "巡察扫码"
    PHONE_12388 = "phone_12388", "12388电话"
    PHONE_12345 = "phone_12345", "12345热线"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    # Raised by a cross-check rule (rules/): no complainant, never public, never in public statistics.
    WARNING = "warning", "预警"

    @property
    def is_staff_registered(self) -> bool:
        return self in (Channel.PHONE_12388, Channel.PHONE_12345, Channel.LETTER, Channel.VISIT)


class Status(LabelledEnum):
    RECEIVED = "received", "已收到"
    IN_PROGRESS = "in_progress", "办理中"
    AWAITING_INFO = "awaiting_info", "待补充材料"
    CLOSED = "closed", "已办结"
    REOPENED = "reopened", "重新办理"
    MERGED = "merged", "已合并"


class Rating(LabelledEnum):
    """The complainant's rating of a closed case."""

    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"

    @classmethod
    def good(cls) -> tuple["Rating", ...]:
        """What the satisfaction rate counts as satisfied: 满意 and 基本满意."""
        return cls.SATISFIED, cls.BASICALLY


class ClockKind(LabelledEnum):
    REPLY = "reply", "初步答复"
    PROGRESS = "progress", "核查进展告知"
    LEGAL = "legal", "办理期限"
    FEEDBACK = "feedback", "实名反馈"
    REVIEW = "review", "复查答复"
    VERIFY = "verify", "核查启动"  # a warning's one clock: met when a handler records 核查启动


class EventKind(LabelledEnum):
    """What a timeline entry records; the label heads it on the case page, the case file PDF and
    the tracking page alike."""

    RECEIVED = "received", "收到反映"
    ASSIGNED = "assigned", "分派"
    FIRST_REPLY = "first_reply", "初步答复"
    PROGRESS = "progress", "核查进展告知"
    REQUEST_INFO = "request_info", "请补充材料"
    PAUSED = "paused", "期限暂停"
    MATERIAL_RECEIVED = "material_received", "收到补充材料"
    SUPPLEMENT = "supplement", "反映人补充材料"
    NOTE = "note", "内部备注"
    REFERRED = "referred", "转办"
    REFERRED_DETAIL = "referred_detail", "转办部门"
    REFERRAL_ANSWER = "referral_answer", "部门答复"
    EXTENDED = "extended", "延长办理期限"
    REFERRAL_EXTENDED = "referral_extended", "延长转办答复期限"
    CLOSED = "closed", "办结"
    FEEDBACK = "feedback", "实名反馈"
    REOPENED = "reopened", "重新办理"
    MERGED = "merged", "合并办理"
    MERGED_IN = "merged_in", "合并"
    MERGE_REASON = "merge_reason", "合并理由"
    CONFLICT = "conflict", "回避"
    IDENTITY_REQUESTED = "identity_requested", "申请查看身份"
    IDENTITY_DECIDED = "identity_decided", "身份查看审批"
    IDENTITY_REVEALED = "identity_revealed", "查看反映人身份"
    RATED = "rated", "评价"
    REVIEW_REQUESTED = "review_requested", "申请复查"
    SECRET_REPLACED = "secret_replaced", "更换查询密码"  # pragma: allowlist secret (an event name)
    VERIFY_STARTED = "verify_started", "核查启动"
    RULE_RAISED = "rule_raised", "生成预警"
    RULE_CLEARED = "rule_cleared", "预警消除"
    RULE_REOPENED = "rule_reopened", "预警再次成立"


class AttachmentKind(LabelledEnum):
    IMAGE = "image", "照片"
    AUDIO = "audio", "录音"


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_township_status", "township_code", "status"),
        # PostgreSQL under a C.UTF-8 collation uses a plain index for `LIKE 'prefix%'` (the scope
        # filter) only with the pattern operator class.
        Index(
            "ix_complaints_village_code_prefix", "village_code", postgresql_ops={"village_code": "varchar_pattern_ops"}
        ),
        # The queue's order: reopened first, then the nearest deadline (finished cases last, as
        # NULLs sort last ascending), so page 1 is an index scan, not a sort of the whole county.
        Index("ix_complaints_queue_order", "queue_rank", "next_due_at", "id"),
        # The dashboard's satisfaction counts read only this index (rated cases by closing time).
        Index(
            "ix_complaints_rated",
            "closed_at",
            "village_code",
            "category",
            "rating",
            postgresql_where=sql_text("rating IS NOT NULL"),
            sqlite_where=sql_text("rating IS NOT NULL"),
        ),
        # A merged case names the case it went into, and only a merged case does.
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_into_iff_merged"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 2026-629901101-0123: year, township, sequence — unique in a province, never enough to open it.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    township_code: Mapped[str] = mapped_column(String(12))
    category: Mapped[Category] = mapped_column(EnumText(Category, 16), index=True)
    channel: Mapped[Channel] = mapped_column(EnumText(Channel, 16), index=True)
    text: Mapped[str] = mapped_column(Text)
    # The disclosed item questioned, with its public values as they were when the complaint came.
    item_kind: Mapped[str | None] = mapped_column(String(16))
    item_id: Mapped[int | None]
    item_summary: Mapped[str] = mapped_column(Text, default="")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_rounds.id"), index=True)
    is_late_for_round: Mapped[bool] = mapped_column(default=False)
    is_real_name: Mapped[bool] = mapped_column(default=False)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Staff-registered cases carry a paper secret, replaced by a new one at first use.
    secret_is_temporary: Mapped[bool] = mapped_column(default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[Status] = mapped_column(EnumText(Status, 16), default=Status.RECEIVED, index=True)
    # 0 for a reopened (不满意) case, else 1: kept in step with status by the listener below.
    queue_rank: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    # The earliest deadline among clocks not yet met, kept so the queue sorts in SQL.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    classification: Mapped[str] = mapped_column(String(16), default="")
    closed_at: Mapped[datetime | None]
    rating: Mapped[Rating | None] = mapped_column(EnumText(Rating, 16))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None]

    village: Mapped[Region] = relationship()
    clocks: Mapped[list["CaseClock"]] = relationship(back_populates="complaint", order_by="CaseClock.id")
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="complaint", order_by="CaseEvent.id")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id")
    identity: Mapped["ComplaintIdentity | None"] = relationship(back_populates="complaint")
    inspection_round: Mapped["InspectionRound | None"] = relationship()

    def clock(self, kind: ClockKind) -> "CaseClock | None":
        return next((clock for clock in self.clocks if clock.kind == kind), None)


# The characters and character bigrams of a case's code and text, computed by the SQL function of
# migration 0009 and indexed, not stored: the queue's text search on PostgreSQL (complaints/search.py).
COMPLAINT_GRAMS = func.complaint_grams(Complaint.code, Complaint.text, type_=ARRAY(Text))
Index("ix_complaints_grams", COMPLAINT_GRAMS, postgresql_using="gin").ddl_if(dialect="postgresql")


@event.listens_for(Complaint.status, "set")
def _rank_for_queue(case: Complaint, status: str, _old, _initiator) -> None:
    case.queue_rank = 0 if status == Status.REOPENED else 1


class ComplaintIdentity(Base):
    """A real-name complainant's name and phone, encrypted, apart from the complaint."""

    __tablename__ = "complaint_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    name_cipher: Mapped[str] = mapped_column(Text)
    phone_cipher: Mapped[str] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="identity")


class CaseClock(Base):
    """One deadline of a case, computed once and stored so the queue can sort and filter in SQL."""

    __tablename__ = "case_clocks"
    __table_args__ = (
        UniqueConstraint("complaint_id", "kind", name="complaint_kind"),
        # What a reminder's foreign key names: the clock together with its case.
        UniqueConstraint("id", "complaint_id", name="id_complaint"),
        Index("ix_case_clocks_open_due", "met_at", "due_at"),
        # core/calendar counts a deadline in working days, calendar days or hours; the sweep
        # records what it announced (nothing yet, due soon, overdue).
        CheckConstraint("unit IN ('working', 'calendar', 'hours')", name="unit_valid"),
        CheckConstraint("alerted_state IN ('', 'due_soon', 'overdue')", name="alerted_state_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    kind: Mapped[ClockKind] = mapped_column(EnumText(ClockKind, 16))
    starts_at: Mapped[datetime]
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(8))  # working / calendar
    due_at: Mapped[datetime]
    met_at: Mapped[datetime | None]
    provisional: Mapped[bool] = mapped_column(default=False)  # spans a year not yet loaded
    extension_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    # What the deadline sweep has already announced, so that running it again writes nothing.
    alerted_state: Mapped[str] = mapped_column(String(16), default="")
    # While a case waits for material and the county pauses clocks: when it stopped.
    paused_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0)

    complaint: Mapped[Complaint] = relationship(back_populates="clocks")


class CaseEvent(Base):
    """The case timeline; public events are what the complainant sees, with a role, not a name."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind, 24))
    is_public: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(32), default="")

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class CaseConflict(Base):
    """A declared conflict of interest (same village, kin): the user is kept off the case."""

    __tablename__ = "case_conflicts"
    __table_args__ = (UniqueConstraint("complaint_id", "user_id", name="complaint_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


def new_attachment_token() -> str:
    return secrets.token_urlsafe(16)


class Attachment(Base):
    """A photo or voice recording, stored outside the web root under a random name."""

    __tablename__ = "complaint_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What its URL names: a sequential id would let anyone holding one file count up to the next.
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_attachment_token)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(EnumText(AttachmentKind, 8))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackingSession(Base):
    """An open tracking page. The browser's session holds a random token and this row its hash,
    so leaving, a kiosk's reset or the end of its short life closes it for every copy of the
    cookie. Rows live for hours at most: nothing here outlasts the visit."""

    __tablename__ = "tracking_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


round_members = Table(
    "inspection_round_members",
    Base.metadata,
    Column("round_id", ForeignKey("inspection_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)
round_villages = Table(
    "inspection_round_villages",
    Base.metadata,
    Column("round_id", ForeignKey("inspection_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("regions.code"), primary_key=True),
)


class InspectionRound(Base):
    """A 巡察 round: its team, villages, period and the notice (巡察公告) it posts."""

    __tablename__ = "inspection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    team_name: Mapped[str] = mapped_column(String(100))
    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    scope_text: Mapped[str] = mapped_column(Text, default="")
    focus_text: Mapped[str] = mapped_column(Text, default="")
    contact_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=round_members)
    villages: Mapped[list[Region]] = relationship(secondary=round_villages, order_by=Region.code)


class TargetKind(LabelledEnum):
    """What a QR code opens: a village's complaint form, a project's, or a round's notice."""

    VILLAGE = "village", "村"
    PROJECT = "project", "项目"
    ROUND = "round", "巡察"


class QrLink(Base):
    """A short stable token printed in a QR code; what it opens can move, the token cannot."""

    __tablename__ = "qr_links"
    __table_args__ = (UniqueConstraint("target_kind", "target_ref", name="target"),)

    token: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_kind: Mapped[TargetKind] = mapped_column(EnumText(TargetKind, 16))
    target_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintCounter(Base):
    """The last sequence number given in a township and year."""

    __tablename__ = "complaint_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    township_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
