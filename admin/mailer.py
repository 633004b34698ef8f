"""Reminders by e-mail, through the SMTP server SMTP_URL names (smtp://host:port, smtps://…,
optionally user:password@host). Off when SMTP_URL is unset.

A reminder goes to the address on its staff account (set in the back office or with `users create
--email`); accounts without one keep their reminders in the back office only. A deployment whose
addresses live elsewhere (a directory) can name a function from a user to an address instead:
REMINDER_ADDRESS_OF, a callable or "module:function".
"""

import importlib
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from admin.models import Reminder
from complaints.models import CaseClock, Complaint
from core.db import utcnow
from core.extensions import db
from core.timezone import format_local
from core.users.models import User

TIMEOUT_SECONDS = 10
CHUNK = 1000
# A reminder whose mail failed is tried again by each sweep for this long; after that its news is
# stale and it stays in the back office's list only.
RETRY_FOR = timedelta(days=2)


@dataclass(frozen=True)
class MailResult:
    sent: int
    error: str = ""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    use_ssl: bool
    username: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://host:port (default 25), smtps://host (default 465), with optional credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL 应形如 smtp://host:port")
    use_ssl = parts.scheme == "smtps"
    return SmtpServer(
        parts.hostname,
        parts.port or (465 if use_ssl else 25),
        use_ssl,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def account_address(user: User) -> str | None:
    """The address on the staff account, if any; none for a disabled account (someone who left
    keeps no news of cases in a mailbox)."""
    return user.email if user.email and user.is_enabled else None


def address_function(setting) -> Callable[[User], str | None]:
    """The configured user → address function (a callable or "module:function"), else the account's."""
    if not setting:
        return account_address
    if callable(setting):
        return setting
    module, _, name = str(setting).partition(":")
    return getattr(importlib.import_module(module), name)


def unmailed_reminders(now: datetime) -> list[int]:
    """Clock reminders written in the last RETRY_FOR and not mailed yet: this sweep's new ones and
    those whose mail failed before (a server down, a refused recipient)."""
    return list(
        db.session.scalars(
            select(Reminder.id)
            .where(
                Reminder.emailed_at.is_(None), Reminder.clock_id.is_not(None), Reminder.created_at >= now - RETRY_FOR
            )
            .order_by(Reminder.id)
        )
    )


def _message(reminder: Reminder, user: User, case_code: str, clock: CaseClock, to: str, sender: str) -> EmailMessage:
    what = reminder.level.label
    clock_label = clock.kind.label
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = f"【阳光村务】{what}：案件 {case_code} {clock_label}"
    # Only the case number and the deadline: no complainant, no complaint text in a mailbox.
    message.set_content(
        f"{user.display_name or user.username}：\n\n案件 {case_code} 的“{clock_label}”期限"
        f"为 {format_local(clock.due_at)}（北京时间），现为：{what}。\n"
        "请登录阳光村务工作人员后台查看办理。\n"
    )
    return message


def _connect(server: SmtpServer) -> smtplib.SMTP:
    smtp_class = smtplib.SMTP_SSL if server.use_ssl else smtplib.SMTP
    connection = smtp_class(server.host, server.port, timeout=TIMEOUT_SECONDS)
    if server.username:
        connection.login(server.username, server.password)
    return connection


def send_reminders(
    reminders: Sequence[Reminder | int], address_of: Callable[[User], str | None], *, smtp_url: str, sender: str
) -> MailResult:
    """Mail each reminder whose user has an address, once: each one's emailed_at is committed as
    soon as the server took it, so a failure later in the run (or a crash) sends it no second time."""
    ids = [getattr(reminder, "id", reminder) for reminder in reminders]
    outgoing = []
    for start in range(0, len(ids), CHUNK):  # a first sweep can write tens of thousands
        rows = db.session.execute(
            select(Reminder, User, Complaint.code, CaseClock)
            .join(User, User.id == Reminder.user_id)
            .join(Complaint, Complaint.id == Reminder.complaint_id)
            .join(CaseClock, CaseClock.id == Reminder.clock_id)
            .where(Reminder.id.in_(ids[start : start + CHUNK]), Reminder.emailed_at.is_(None))
            .order_by(Reminder.id)
        )
        outgoing += [
            (reminder, _message(reminder, user, code, clock, to, sender))
            for reminder, user, code, clock in rows
            if (to := address_of(user))
        ]
    if not outgoing:
        return MailResult(0)
    sent, error = 0, ""
    try:
        with _connect(parse_smtp_url(smtp_url)) as connection:
            for reminder, message in outgoing:
                try:
                    connection.send_message(message)
                except smtplib.SMTPRecipientsRefused as refused:
                    error = str(refused) or type(refused).__name__  # one address: the others still go
                    continue
                reminder.emailed_at = utcnow()
                db.session.commit()
                sent += 1
    except (OSError, ValueError, smtplib.SMTPException) as failure:
        # The unsent keep emailed_at empty: the next sweep tries them again (unmailed_reminders).
        error = str(failure) or type(failure).__name__
    db.session.rollback()
    return MailResult(sent, error)
