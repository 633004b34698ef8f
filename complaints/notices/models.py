"""Notices to complainants (docs/notices.md): where to send them, and the outbox.

The number lives only in `notice_contacts`, encrypted like an identity; an outbox row names the
case and what happened, never the number, and the sender decrypts it only to hand it to the
provider. Staff pages read the outbox, never the contacts.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.models import Complaint

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum


class NoticeKind(LabelledEnum):
    """What the complainant is told; each kind is one SMS template registered with the gateway."""

    REPLY = "reply", "有新的答复"
    REQUEST_INFO = "request_info", "请补充材料"
    RESULT = "result", "已办结"


class ContactChannel(LabelledEnum):
    SMS = "sms", "短信"
    # A WeChat openid would be kept the same way, for a template-message provider (docs/notices.md).
    WECHAT = "wechat", "微信"


class NoticeContact(Base):
    """Where a complainant asked to be told of news on their case: a real-name complainant's
    mobile number, or the number an anonymous one left for notices only. Encrypted; read by the
    notice sender alone — never by a page, an export or an identity reveal."""

    __tablename__ = "notice_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    channel: Mapped[ContactChannel] = mapped_column(EnumText(ContactChannel, 8), default=ContactChannel.SMS)
    address_cipher: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notice(Base):
    """One message to send. Sent once: sent_at is committed as soon as the provider took it; an
    unsent one is tried again by each deadline sweep for a while (complaints/notices/sender.py)."""

    __tablename__ = "notices"
    __table_args__ = (
        # The sweep reads only the unsent ones.
        Index(
            "ix_notices_unsent",
            "created_at",
            postgresql_where=sql_text("sent_at IS NULL"),
            sqlite_where=sql_text("sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(EnumText(NoticeKind, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    # The provider's reason, with anything like a number masked; never the recipient.
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(32), default="")
    provider_ref: Mapped[str] = mapped_column(String(64), default="")

    complaint: Mapped[Complaint] = relationship()
