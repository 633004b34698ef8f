"""SMS notices to complainants (docs/notices.md): who leaves a number, what is queued, what the
sweep sends through the log and HTTP providers, retries, and what staff see."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select, text
from support import csrf_from

from admin.cases import actions
from complaints.models import Category, Channel, Complaint, ComplaintIdentity
from complaints.notices.models import ContactChannel, Notice, NoticeContact, NoticeKind
from complaints.notices.providers import HttpSmsProvider, Message, SendFailure, parse_templates
from complaints.notices.sender import due_notices, send_notices
from complaints.services import Identity, file_complaint
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.regions.models import Region

VILLAGE = "629901101201"
NUMBER = "13912345678"
FORM = f"/complain?village={VILLAGE}"


@pytest.fixture
def people(app, township_tree, make_user):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    return {
        "handler": make_user("handler", "handler", ["629901101000"]),
        "admin": make_user("root", "admin"),
        "far_admin": make_user("far_admin", "admin", ["629901102000"]),
        "near_admin": make_user("near_admin", "admin", ["629901101000"]),
    }


def new_case(phone: str | None = NUMBER, real_name=False, village=VILLAGE) -> Complaint:
    filed = file_complaint(
        village=db.session.get(Region, village),
        category=Category.FUNDS,
        text="修路款去向不明",
        channel=Channel.WEB,
        identity=Identity("段凤", phone) if real_name else None,
        notice_phone=phone,
    )
    return db.session.scalar(select(Complaint).where(Complaint.code == filed.code))


def notices(case: Complaint) -> list[NoticeKind]:
    return list(db.session.scalars(select(Notice.kind).where(Notice.complaint_id == case.id).order_by(Notice.id)))


def file_on_web(client, **data):
    page = client.get(FORM)
    fields = {
        "csrf_token": csrf_from(page.text),
        "village": VILLAGE,
        "ticket": page.text.split('name="ticket" type="hidden" value="', 1)[1].split('"', 1)[0],
        "category": "funds",
        "text": "村里修路的钱去向不明",
        "identity": "anonymous",
    } | data
    return client.post("/complain", data=fields, content_type="multipart/form-data")


def test_anonymous_complainant_opts_in_with_a_number_kept_apart_and_encrypted(client, people):
    response = file_on_web(client, notify="y", notify_phone="139 1234 5678")
    assert response.status_code == 200 and "已收到您的反映" in response.text
    case = db.session.scalar(select(Complaint))
    assert not case.is_real_name and db.session.scalar(select(ComplaintIdentity)) is None
    contact = db.session.scalar(select(NoticeContact))
    assert contact.complaint_id == case.id and NUMBER not in contact.address_cipher
    assert field_cipher().decrypt(contact.address_cipher) == NUMBER
    raw = db.session.execute(text("SELECT * FROM notice_contacts")).one()
    assert not any(NUMBER in str(value) for value in raw)


def test_a_number_typed_but_not_ticked_is_not_kept_and_a_ticked_box_needs_a_mobile(client, people):
    assert file_on_web(client, notify_phone=NUMBER).status_code == 200
    assert db.session.scalar(select(NoticeContact)) is None
    refused = file_on_web(client, notify="y", notify_phone="12345")
    assert refused.status_code == 422 and "要接收短信通知，请填写11位手机号码" in refused.text
    assert db.session.scalar(select(NoticeContact)) is None


def test_a_real_name_complainant_is_told_on_their_own_number(client, people):
    assert file_on_web(client, identity="real", name="段凤", phone=NUMBER).status_code == 200
    assert field_cipher().decrypt(db.session.scalar(select(NoticeContact.address_cipher))) == NUMBER


def test_public_reply_request_and_result_queue_one_notice_each_and_notes_none(people):
    case, silent = new_case(), new_case(phone=None)
    handler = people["handler"]
    actions.reply(case, "first_reply", "已收到，正在核实", by=handler)
    actions.reply(case, "progress", "正在调取凭证", by=handler)  # the reply notice is still unsent: one SMS
    actions.note(case, "内部：先查账", by=handler)
    actions.reply(case, "request_info", "请补充发票照片", by=handler)
    actions.close(case, "经核实，款项已追回", "属实", by=handler)
    actions.reply(silent, "first_reply", "已收到", by=handler)
    assert notices(case) == [NoticeKind.REPLY, NoticeKind.REQUEST_INFO, NoticeKind.RESULT]
    assert notices(silent) == []


def test_a_merged_complainant_hears_the_result_of_the_case_it_joined(people):
    kept, duplicate = new_case(phone=None), new_case()
    actions.merge(duplicate, kept, by=people["handler"])
    actions.close(kept, "经核实，款项已追回", "属实", by=people["handler"])
    assert notices(duplicate) == [NoticeKind.RESULT] and notices(kept) == []


def test_the_sweep_sends_through_the_log_once_without_the_number_secret_or_text(app, cli, people):
    case = new_case()
    actions.reply(case, "request_info", "请补充发票照片", by=people["handler"])
    first = cli.invoke(args=["deadlines", "sweep"])
    assert first.exit_code == 0 and "短信通知 1 条" in first.output
    log = Path(app.config["NOTICE_LOG_FILE"]).read_text(encoding="utf-8")
    assert log.count("\n") == 1 and "尾号5678" in log and case.code in log and "需要您补充材料" in log
    assert NUMBER not in log and "修路款" not in log and "发票" not in log and "【阳光村务】" in log
    notice = db.session.scalar(select(Notice))
    assert notice.sent_at is not None and notice.attempts == 1 and notice.provider == "log"
    second = cli.invoke(args=["deadlines", "sweep"])
    assert "短信通知" not in second.output and Path(app.config["NOTICE_LOG_FILE"]).read_text(encoding="utf-8") == log


class Refusing:
    name, channel = "flaky", ContactChannel.SMS

    def __init__(self, fail=True):
        self.fail, self.sent = fail, []

    def send(self, to: str, message: Message) -> str:
        if self.fail:
            raise SendFailure(f"号码 {to} 不存在")
        self.sent.append((to, message.text))
        return "ref-1"


def test_a_failed_send_is_kept_scrubbed_retried_later_and_shown_to_the_admins_of_its_region(client, login, people):
    case = new_case()
    actions.close(case, "经核实，款项已追回", "属实", by=people["handler"])
    with time_machine.travel(utcnow(), tick=False) as clock:
        result = send_notices(due_notices(utcnow()), Refusing())
        notice = db.session.scalar(select(Notice))
        assert result.failed == 1 and notice.sent_at is None and notice.attempts == 1
        assert NUMBER not in notice.last_error and "***********" in notice.last_error
        assert due_notices(utcnow()) == []  # not called again at once
        clock.shift(timedelta(minutes=1))
        working = Refusing(fail=False)
        assert send_notices(due_notices(utcnow()), working).sent == 1
        assert working.sent == [(NUMBER, working.sent[0][1])] and "已办结" in working.sent[0][1]
    db.session.refresh(notice)
    assert notice.sent_at is not None and notice.attempts == 2 and notice.provider_ref == "ref-1"


def test_the_admin_page_lists_failed_notices_in_scope_only_and_never_a_number(client, login, people):
    case = new_case()
    actions.close(case, "经核实，款项已追回", "属实", by=people["handler"])
    send_notices(due_notices(utcnow()), Refusing())
    login("near_admin")
    page = client.get("/admin/notices")
    assert page.status_code == 200 and case.code in page.text and "发送失败" in page.text
    assert NUMBER not in page.text and "5678" not in page.text
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    login("far_admin")
    assert case.code not in client.get("/admin/notices").text


def test_a_notice_is_given_up_after_two_days(people):
    case = new_case()
    actions.close(case, "经核实，款项已追回", "属实", by=people["handler"])
    assert len(due_notices(utcnow())) == 1
    assert due_notices(utcnow() + timedelta(days=2, minutes=1)) == []


def test_the_anonymous_number_never_reaches_the_handlers_case_page(client, login, people):
    case = new_case()
    login("handler")
    page = client.get(f"/admin/cases/{case.id}")
    assert page.status_code == 200 and NUMBER not in page.text and "5678" not in page.text


class Gateway(BaseHTTPRequestHandler):
    requests: list = []
    answer = (200, {"id": "gw-42"})

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.requests.append((self.headers["Authorization"], json.loads(body)))
        status, answer = Gateway.answer
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.requests, Gateway.answer = [], (200, {"id": "gw-42"})
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_http_provider_sends_the_registered_template_with_the_key_from_configuration(app, cli, people, gateway):
    app.config.update(
        NOTICE_PROVIDER="http",
        NOTICE_SMS_HTTP_URL=gateway,
        NOTICE_SMS_HTTP_KEY="test-key",
        NOTICE_SMS_TEMPLATES="reply=SMS_1001,request_info=SMS_1002,result=SMS_1003",
        NOTICE_SMS_SIGN="清溪县纪委",
    )
    case = new_case()
    actions.reply(case, "first_reply", "已收到，正在核实", by=people["handler"])
    result = cli.invoke(args=["deadlines", "sweep"])
    assert result.exit_code == 0 and "短信通知 1 条" in result.output and NUMBER not in result.output
    assert Gateway.requests == [
        ("Bearer test-key", {"to": NUMBER, "sign": "清溪县纪委", "template": "SMS_1001", "params": {"code": case.code}})
    ]
    notice = db.session.scalar(select(Notice))
    assert notice.sent_at is not None and notice.provider == "http" and notice.provider_ref == "gw-42"


def test_the_http_provider_reports_a_refusal_without_the_number(app, gateway):
    Gateway.answer = (400, {"code": "MOBILE_NUMBER_ILLEGAL", "message": f"bad number {NUMBER}"})
    provider = HttpSmsProvider(gateway, "k", parse_templates("reply=SMS_1"))
    with pytest.raises(SendFailure) as refused:
        provider.send(NUMBER, Message(NoticeKind.REPLY, {"code": "2026-629901101-0001"}, "阳光村务"))
    assert "HTTP 400 MOBILE_NUMBER_ILLEGAL" in str(refused.value) and NUMBER not in str(refused.value)
    with pytest.raises(SendFailure, match="未配置“已办结”的短信模板"):
        provider.send(NUMBER, Message(NoticeKind.RESULT, {"code": "x"}, "阳光村务"))
    unreachable = HttpSmsProvider("http://127.0.0.1:9/sms", "k", parse_templates("reply=SMS_1"), timeout=2)
    with pytest.raises(SendFailure, match="短信网关无法连接"):
        unreachable.send(NUMBER, Message(NoticeKind.REPLY, {"code": "x"}, "阳光村务"))


def test_bad_template_setting_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="通知类型「answer」无效"):
        parse_templates("answer=SMS_1")


def test_crypto_rehash_moves_the_contacts_to_the_new_profile(app, make_app, database_uri, people):
    case = new_case()
    switched = make_app(database_uri, CRYPTO_PROFILE="sm")
    with switched.app_context():
        result = switched.test_cli_runner().invoke(args=["crypto", "rehash"])
        assert result.exit_code == 0, result.output
        contact = db.session.scalar(select(NoticeContact).where(NoticeContact.complaint_id == case.id))
        assert contact.address_cipher.startswith("v1:sm:") and field_cipher().decrypt(contact.address_cipher) == NUMBER


def test_a_staff_registered_caller_with_a_mobile_is_told_and_a_landline_is_not(app):
    from complaints.forms import StaffComplaintForm

    with app.test_request_context():
        assert StaffComplaintForm(data={"name": "段凤", "phone": "139-1234-5678"}).notice_phone() == NUMBER
        assert StaffComplaintForm(data={"name": "段凤", "phone": "0571-87654321"}).notice_phone() is None
        assert StaffComplaintForm(data={"name": "", "phone": NUMBER}).notice_phone() is None


def test_errors_keep_no_number_however_it_is_written():
    from complaints.notices.providers import scrub

    assert scrub("号码 +86 139-1234-5678 不存在") == "号码 ***************** 不存在"
    assert scrub("[Errno 111] Connection refused") == "[Errno 111] Connection refused"
    assert scrub("HTTP 400 MOBILE_NUMBER_ILLEGAL") == "HTTP 400 MOBILE_NUMBER_ILLEGAL"
