"""`flask deadlines sweep [--now ISO]`: the cron job behind reminders and escalations."""

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from admin.mailer import address_function, send_reminders, unmailed_reminders
from admin.sweep import SweepResult, sweep
from complaints.notices.providers import DEFAULT_SIGN, provider_from_config
from complaints.notices.sender import due_notices, send_notices
from core.db import utcnow
from core.locks import single_runner
from core.timezone import SHANGHAI

# The whole command, mail included (admin/sweep.py locks its own transaction with another key).
COMMAND_LOCK_KEY = 620_426_002
deadlines_cli = AppGroup("deadlines", help="办理期限巡检")


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        now = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(f"时间「{value}」无效，应为ISO格式，例如 2026-10-09T09:00") from None
    return now if now.tzinfo else now.replace(tzinfo=SHANGHAI)


@deadlines_cli.command("sweep")
@click.option("--now", "now_text", metavar="ISO", help="假定的当前时间（北京时间，除非带时区）")
def sweep_command(now_text: str | None) -> None:
    """Write reminders and escalations for clocks that became due soon or overdue (idempotent),
    mail the reminders not mailed yet and send the complainants' notices not sent yet. Every
    host's cron may start it: one runs, the others skip (core/locks.py), so nothing goes twice."""
    now = _parse_now(now_text)
    with single_runner(COMMAND_LOCK_KEY) as mine:
        click.echo(_sweep_and_mail(now) if mine else SweepResult(skipped=True).summary())


def _sweep_and_mail(now: datetime) -> str:
    result = sweep(now)
    line = result.summary()
    config = current_app.config
    address_of = address_function(config.get("REMINDER_ADDRESS_OF"))
    # The new reminders and those whose mail failed in an earlier run.
    if not result.skipped and config.get("SMTP_URL") and (pending := unmailed_reminders(now)):
        sent = send_reminders(
            pending, address_of, smtp_url=config["SMTP_URL"], sender=config.get("MAIL_FROM") or "noreply@localhost"
        )
        line += f"，发送邮件 {sent.sent} 封" + (f"（失败：{sent.error}）" if sent.error else "")
    # SMS notices to complainants: the new ones and the failed ones whose next try is due.
    if notices := due_notices(now):
        try:
            provider = provider_from_config(config)
        except (ValueError, ImportError, AttributeError) as wrong:
            raise click.ClickException(f"{line}；短信通知未发送，配置有误：{wrong}") from None
        result = send_notices(notices, provider, sign=config.get("NOTICE_SMS_SIGN") or DEFAULT_SIGN)
        line += f"，短信通知 {result.sent} 条" + (
            f"（失败 {result.failed} 条：{result.error}）" if result.failed else ""
        )
    return line
