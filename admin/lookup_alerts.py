"""When 我的补贴's county-wide budget of misses is spent: the workbench of every administrator says
so for a day, and administrators with an e-mail address get a mail (when SMTP_URL is set)."""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from admin.mailer import _connect, account_address, parse_smtp_url
from core.audit import AuditEntry
from core.db import utcnow
from core.extensions import db
from core.users.models import Role, User

log = logging.getLogger(__name__)
SHOWN_FOR = timedelta(days=1)


def budget_spent_recently():
    """The newest budget alert of the last day, or None."""
    return db.session.scalar(
        select(AuditEntry.at)
        .where(AuditEntry.action == "lookup.budget_spent", AuditEntry.at >= utcnow() - SHOWN_FOR)
        .order_by(AuditEntry.at.desc())
        .limit(1)
    )


def on_budget_spent(app, limit: str) -> None:
    url = app.config.get("SMTP_URL")
    if not url:
        return
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN)).all()
    recipients = [address for user in admins if (address := account_address(user))]
    if not recipients:
        return
    message = EmailMessage()
    message["From"] = app.config.get("MAIL_FROM") or "noreply@localhost"
    message["To"] = ", ".join(recipients)
    message["Subject"] = "【阳光村务】我的补贴：今天全县的查询次数已用完"
    message.set_content(
        f"“我的补贴”今天未查到的次数已达全县上限（{limit}），今天的网上查询已暂停。\n"
        "可能有人在用姓名猜测身份证号，也可能是上限对本县太小（LOOKUP_MISSES_PER_COUNTY）。\n"
        "请登录阳光村务工作人员后台查看操作日志。\n"
    )
    try:
        with _connect(parse_smtp_url(url)) as connection:
            connection.send_message(message)
    except (OSError, ValueError, smtplib.SMTPException):
        # The workbench shows the alert all the same; a villager's lookup must not fail for mail.
        log.exception("lookup budget alert mail failed")
