"""The deadline sweep on a frozen clock (--now) around the 2026 National Day holiday, its
idempotency, escalation to township then county leads, and reminders by e-mail."""

import socket
import threading
from email import message_from_bytes
from email import policy as email_policy
from datetime import timedelta

import factories
import pytest
from sqlalchemy import func, select, text
from support import ON_POSTGRES

from admin import sweep_cli
from admin.cases import actions, referrals
from admin.mailer import parse_smtp_url, send_reminders
from admin.models import Department, Reminder, ReminderLevel
from admin.sweep import sweep
from complaints.clocks import refresh_next_due
from complaints.models import CaseClock, ClockKind, Complaint
from core.extensions import db
from core.timezone import end_of_day, shanghai
from core.users import services
from core.users.models import Role

ARRIVAL = shanghai(2026, 9, 30, 10)  # Wed: reply due Sat 10-10 (make-up workday), progress due 10-20


@pytest.fixture
def people(make_people):
    return make_people("handler", "township_lead", "county_lead", "other_lead")


def new_case(received_at=ARRIVAL, village="629901101201", real_name=False) -> Complaint:
    return factories.new_case(received_at=received_at, village=village, real_name=real_name)


def run(cli, now: str) -> str:
    result = cli.invoke(args=["deadlines", "sweep", "--now", now])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1
    return result.output.strip()


def reminders() -> set[tuple[str, str, str]]:
    """(username, level, clock kind) of every reminder written."""
    from core.users.models import User

    rows = db.session.execute(
        select(User.username, Reminder.level, CaseClock.kind)
        .join(User, User.id == Reminder.user_id)
        .join(CaseClock, CaseClock.id == Reminder.clock_id)
    )
    return set(rows)


def test_due_soon_waits_out_the_national_day_holiday(cli, people):
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    assert case.clock(ClockKind.REPLY).due_at == end_of_day(shanghai(2026, 10, 10).date())
    # Oct 1–7 are off: on each of them, and on Thu Oct 8, the next working day is not yet Oct 10.
    for now in ("2026-10-01T09:00", "2026-10-07T18:00", "2026-10-08T09:00"):
        assert run(cli, now) == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"
    # Fri Oct 9: the next working day is the make-up Saturday Oct 10, the reply's deadline day.
    assert run(cli, "2026-10-09T09:00") == "新即将到期 1 个，新超期 0 个，写入提醒 1 条，督办 0 条"
    assert reminders() == {("handler", "due_soon", "reply")}
    assert db.session.get(CaseClock, case.clock(ClockKind.REPLY).id).alerted_state == "due_soon"


def test_second_run_writes_nothing(cli, people):
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    first = run(cli, "2026-10-11T08:00")
    assert first == "新即将到期 0 个，新超期 1 个，写入提醒 1 条，督办 1 条"
    assert run(cli, "2026-10-11T08:00") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"
    assert run(cli, "2026-10-11T08:01") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 2


def test_overdue_goes_to_township_leads_then_county_leads_three_working_days_later(cli, people):
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    run(cli, "2026-10-09T09:00")
    # Sun Oct 11: the reply (due Sat Oct 10) is overdue: the assignee and the township's lead.
    assert run(cli, "2026-10-11T00:30") == "新即将到期 0 个，新超期 1 个，写入提醒 1 条，督办 1 条"
    assert reminders() == {
        ("handler", "due_soon", "reply"),
        ("handler", "overdue", "reply"),
        ("zhenlead", "escalated_township", "reply"),
    }
    # Three more working days are Mon 12, Tue 13 and Wed 14: the county hears from Thu 15.
    assert run(cli, "2026-10-14T23:59") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"
    assert run(cli, "2026-10-15T00:10") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 1 条"
    assert ("xianlead", "escalated_county", "reply") in reminders()
    assert not any(user == "xianglead" for user, _, _ in reminders())  # another township's lead
    reply = db.session.get(CaseClock, case.clock(ClockKind.REPLY).id)
    assert (reply.alerted_state, reply.escalation_level) == ("overdue", 2)
    assert run(cli, "2026-10-16T10:00") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"


def test_a_late_first_run_writes_both_escalations_but_no_due_soon(cli, people):
    case = new_case()  # unassigned: no assignee reminder, the leads still hear
    assert run(cli, "2026-10-19T09:00") == "新即将到期 1 个，新超期 1 个，写入提醒 0 条，督办 2 条"
    assert reminders() == {("zhenlead", "escalated_township", "reply"), ("xianlead", "escalated_county", "reply")}
    db.session.expire_all()
    clocks = {clock.kind: (clock.alerted_state, clock.escalation_level) for clock in case.clocks}
    # The progress clock (due Oct 20) is due soon; the reply clock was announced to both levels.
    assert clocks == {ClockKind.REPLY: ("overdue", 2), ClockKind.PROGRESS: ("due_soon", 0)}
    assert run(cli, "2026-10-19T09:05") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"


def test_closed_merged_and_paused_are_left_alone(cli, people):
    handler = people["handler"]
    closed, merged, target, paused = new_case(), new_case(), new_case(), new_case()
    for case in (closed, merged, target, paused):
        actions.assign(case, handler, by=handler)
    actions.close(closed, "经核实已整改", "属实", by=handler)
    closed.clock(ClockKind.REPLY).met_at = None  # even a clock left unmet on a closed case is not swept
    actions.merge(merged, target, by=handler)
    paused.clock(ClockKind.REPLY).paused_at = shanghai(2026, 10, 2)
    paused.clock(ClockKind.PROGRESS).paused_at = shanghai(2026, 10, 2)
    refresh_next_due(paused)
    db.session.commit()
    run(cli, "2026-10-11T08:00")
    written = db.session.scalars(select(Reminder.complaint_id)).all()
    assert set(written) == {target.id}


def test_real_name_feedback_clock_runs_after_closing(cli, people):
    handler = people["handler"]
    case = new_case(real_name=True)
    actions.assign(case, handler, by=handler)
    actions.close(case, "经核实已整改", "属实", by=handler)
    feedback = case.clock(ClockKind.FEEDBACK)
    run(cli, (feedback.due_at + timedelta(minutes=1)).isoformat())
    assert ("handler", "overdue", "feedback") in reminders()


def test_overdue_referral_reminds_the_assignee_once(cli, people):
    handler = people["handler"]
    case = new_case()
    actions.assign(case, handler, by=handler)
    db.session.add(Department(county_code="629901000000", name="县农业农村局"))
    db.session.commit()
    referral = referrals.refer(case, db.session.scalar(select(Department)), "修路款去向核查", by=handler)
    run(cli, (referral.due_at + timedelta(minutes=1)).isoformat())
    again = run(cli, (referral.due_at + timedelta(minutes=2)).isoformat())
    found = db.session.scalars(select(Reminder).where(Reminder.level == "referral_overdue")).all()
    assert [(r.user_id, r.clock_id) for r in found] == [(handler.id, case.clock(ClockKind.PROGRESS).id)]
    assert again.endswith("写入提醒 0 条，督办 0 条")


def test_a_deadline_moved_later_is_news_again(cli, people):
    case = new_case()
    run(cli, "2026-10-09T09:00")
    reply = db.session.get(CaseClock, case.clock(ClockKind.REPLY).id)
    reply.due_at = end_of_day(shanghai(2026, 10, 30).date())  # as an extension or a calendar change would
    db.session.commit()
    run(cli, "2026-10-09T10:00")
    db.session.refresh(reply)
    assert reply.alerted_state == "" and reply.escalation_level == 0


def test_bad_now_is_refused(cli, people):
    result = cli.invoke(args=["deadlines", "sweep", "--now", "yesterday"])
    assert result.exit_code != 0 and "无效" in result.output


# --- e-mail -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}", inbox
    controller.stop()


def test_sweep_mails_new_reminders_when_configured(app, cli, people, smtp_server):
    url, inbox = smtp_server
    app.config.update(
        SMTP_URL=url, MAIL_FROM="sweep@portal.test", REMINDER_ADDRESS_OF=lambda user: f"{user.username}@example.test"
    )
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    assert run(cli, "2026-10-09T09:00").endswith("写入提醒 1 条，督办 0 条，发送邮件 1 封")
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["handler@example.test"]
    text = envelope.content.decode()
    assert "sweep@portal.test" in text and "修路款" not in text  # the complaint's text stays out of mailboxes
    assert db.session.scalar(select(Reminder.emailed_at)) is not None
    assert run(cli, "2026-10-09T09:05") == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"
    assert len(inbox.messages) == 1


def test_reminders_go_to_the_address_on_the_account(app, cli, people, smtp_server):
    url, inbox = smtp_server
    app.config.update(SMTP_URL=url)
    services.update_user(
        people["handler"],
        role=Role.HANDLER,
        region_codes=["629901101000"],
        is_lead=False,
        display_name="",
        email="zhang@jiwei.example.cn",
    )
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    assert run(cli, "2026-10-09T09:00").endswith("发送邮件 1 封")
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["zhang@jiwei.example.cn"]]
    actions.assign(new_case(), people["handler"], by=people["handler"])
    services.set_enabled(people["handler"], False)  # left the commission: no more mail
    assert run(cli, "2026-10-09T09:01").endswith("发送邮件 0 封") and len(inbox.messages) == 1


def test_no_mail_without_smtp_url_or_addresses(app, cli, people, smtp_server):
    url, inbox = smtp_server
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    assert "邮件" not in run(cli, "2026-10-09T09:00")  # no SMTP_URL
    app.config.update(SMTP_URL=url)  # the accounts have no address
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    assert run(cli, "2026-10-09T09:01").endswith("发送邮件 0 封")
    assert inbox.messages == [] and db.session.scalar(select(Reminder.emailed_at)) is None


def test_unreachable_server_leaves_reminders_unmailed(app, people):
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    found = sweep(shanghai(2026, 10, 9, 9))
    result = send_reminders(
        found.new_reminder_ids,
        lambda user: "x@example.test",
        smtp_url=f"smtp://127.0.0.1:{_free_port()}",
        sender="a@b.test",
    )
    assert result.sent == 0 and result.error
    assert db.session.scalar(select(Reminder.emailed_at)) is None


def test_a_failed_mail_is_sent_by_the_next_sweep_and_only_once(app, cli, people, smtp_server):
    url, inbox = smtp_server
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{_free_port()}",  # the mail server is down
        REMINDER_ADDRESS_OF=lambda user: f"{user.username}@example.test",
    )
    actions.assign(new_case(), people["handler"], by=people["handler"])
    assert "发送邮件 0 封（失败：" in run(cli, "2026-10-09T09:00")
    assert db.session.scalar(select(Reminder.emailed_at)) is None
    app.config.update(SMTP_URL=url)  # back up: the next sweep writes nothing new but mails the old one
    assert run(cli, "2026-10-09T09:01").endswith("写入提醒 0 条，督办 0 条，发送邮件 1 封")
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["handler@example.test"]]
    assert "邮件" not in run(cli, "2026-10-09T09:02") and len(inbox.messages) == 1


def test_a_refused_address_does_not_hold_up_the_others(app, cli, people, smtp_server):
    url, inbox = smtp_server
    app.config.update(
        SMTP_URL=url,
        REMINDER_ADDRESS_OF=lambda user: (
            "nobody@refused.test" if user.username == "handler" else f"{user.username}@example.test"
        ),
    )
    refuse = inbox.handle_RCPT = _refusing("nobody@refused.test")
    actions.assign(new_case(), people["handler"], by=people["handler"])
    assert "发送邮件 1 封（失败：" in run(cli, "2026-10-11T08:00")  # overdue: the handler and the lead
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [["zhenlead@example.test"]]
    assert refuse.calls == 1
    assert "发送邮件 0 封（失败：" in run(cli, "2026-10-11T08:01")  # tried again, the lead not mailed twice
    assert refuse.calls == 2 and len(inbox.messages) == 1


def _refusing(address: str):
    async def handle_RCPT(server, session, envelope, rcpt, options):
        if rcpt == address:
            handle_RCPT.calls += 1
            return "550 no such user"
        envelope.rcpt_tos.append(rcpt)
        return "250 OK"

    handle_RCPT.calls = 0
    return handle_RCPT


def test_smtp_url_forms():
    assert parse_smtp_url("smtp://mail.example:2525") == parse_smtp_url("smtp://mail.example:2525/")
    server = parse_smtp_url("smtps://bot%40x:p%2Fw@mail.example")
    assert (server.port, server.use_ssl, server.username, server.password) == (465, True, "bot@x", "p/w")
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example")


def test_an_escalation_reads_the_same_in_the_mail_and_the_reminder_list(app, cli, client, login, people, smtp_server):
    url, inbox = smtp_server
    app.config.update(SMTP_URL=url, REMINDER_ADDRESS_OF=lambda user: f"{user.username}@example.test")
    case = new_case()
    actions.assign(case, people["handler"], by=people["handler"])
    run(cli, "2026-10-09T09:00")
    run(cli, "2026-10-11T00:30")
    [mail] = [
        message_from_bytes(envelope.content, policy=email_policy.default)
        for envelope in inbox.messages
        if envelope.rcpt_tos == ["zhenlead@example.test"]
    ]
    label = ReminderLevel.ESCALATED_TOWNSHIP.label
    assert label in mail["Subject"] and label in mail.get_content()
    login("zhenlead")
    assert label in client.get("/admin/reminders").get_data(as_text=True)


# Every app host's cron starts the sweep (issue 15, item 4): while one runs, another skips, on
# PostgreSQL across hosts (an advisory lock) and on SQLite on its one host (a file lock).
SKIPPED = "另一次期限巡检正在进行，本次跳过"
OVERDUE_NOW = "2026-10-11T08:00"


def reminder_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Reminder))


def test_a_second_sweep_skips_while_the_first_is_running(app, cli, people, monkeypatch):
    actions.assign(new_case(), people["handler"], by=people["handler"])
    db.session.remove()
    started, release, outputs = threading.Event(), threading.Event(), []
    real_sweep = sweep_cli.sweep

    def slow_sweep(now):
        started.set()
        assert release.wait(30)
        return real_sweep(now)

    monkeypatch.setattr(sweep_cli, "sweep", slow_sweep)

    def first_host():
        with app.app_context():
            outputs.append(app.test_cli_runner().invoke(args=["deadlines", "sweep", "--now", OVERDUE_NOW]).output)
            db.session.remove()

    first = threading.Thread(target=first_host)
    first.start()
    try:
        assert started.wait(30)
        assert run(cli, OVERDUE_NOW) == SKIPPED  # the sweep already under way is left to finish
    finally:
        release.set()
        first.join(30)
    assert outputs == ["新即将到期 0 个，新超期 1 个，写入提醒 1 条，督办 1 条\n"]
    assert reminder_count() == 2
    monkeypatch.setattr(sweep_cli, "sweep", real_sweep)
    assert run(cli, OVERDUE_NOW) == "新即将到期 0 个，新超期 0 个，写入提醒 0 条，督办 0 条"  # the lock was let go


@pytest.mark.skipif(not ON_POSTGRES, reason="an advisory lock held by another host's connection: PostgreSQL")
def test_a_sweep_held_by_another_host_on_postgresql_is_skipped(app, cli, people):
    actions.assign(new_case(), people["handler"], by=people["handler"])
    with db.engine.connect() as other_host:
        assert other_host.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": sweep_cli.COMMAND_LOCK_KEY})
        assert run(cli, OVERDUE_NOW) == SKIPPED
        assert reminder_count() == 0
        other_host.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": sweep_cli.COMMAND_LOCK_KEY})
    assert run(cli, OVERDUE_NOW) == "新即将到期 0 个，新超期 1 个，写入提醒 1 条，督办 1 条"
