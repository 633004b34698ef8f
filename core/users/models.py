"""Staff accounts, roles and their region scopes."""

import secrets
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum
from core.regions.models import Region


class Role(LabelledEnum):
    ACCOUNTANT = "accountant", "村报账员"
    REVIEWER = "reviewer", "审核人员"
    HANDLER = "handler", "纪委监委工作人员"
    INSPECTOR = "inspector", "巡察组成员"
    ADMIN = "admin", "系统管理员"


user_regions = Table(
    "user_regions",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_code", ForeignKey("regions.code"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    # Where the deadline sweep mails this person's reminders (when SMTP_URL is set); may be empty.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(EnumText(Role, 16), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie's id: changing it (password reset, disabling) ends every session.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The second factor (core/users/second_factor.py): the TOTP key, encrypted with the field
    # cipher, and the last time step used, so that a code works once.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_last_step: Mapped[int] = mapped_column(default=0, server_default="0")
    # Failed sign-ins since the last good one, and until when the next try is refused
    # (core/users/backoff.py): the account slows down instead of locking.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    login_delay_until: Mapped[datetime | None]

    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.code)

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class RecoveryCode(Base):
    """A single-use code for a lost phone; only its hash is kept, and using it stamps used_at."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
