"""Filing a complaint: on the web (with and without a disclosed item), and registered by staff."""

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select
from support import csrf_from, publish_ledger_row

from core.audit import AuditEntry
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.timezone import SHANGHAI, local
from core.regions.models import Region
from complaints.codes import hash_tracking_secret
from complaints.forms import ComplaintForm
from complaints.models import Channel, Complaint, ComplaintIdentity, InspectionRound
from complaints.qr import round_target, token_for
from complaints.services import open_case
from disclosures.models import Kind, LedgerEntry, SubsidyPayment
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import stage_upload

VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
TICKET = re.compile(r'name="ticket"[^>]*value="([^"]+)"')
SECRET = re.compile(r'class="secret-box">(\d{4} \d{4} \d{4} \d{4})<')
CODE = re.compile(r'class="case-code">([\d-]+)<')
HIDDEN = re.compile(r'<input id="\w+" name="(\w+)" type="hidden" value="([^"]*)">')


@pytest.fixture
def fast(app, township_tree):
    """No minimum fill time: these tests submit as soon as the page is read."""
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0


def ledger_row() -> LedgerEntry:
    return publish_ledger_row(
        VILLAGE, voucher_no="记-7", summary="购买办公桌椅", amount=Decimal("4800.00"), counterparty="青川县家具店"
    )


def open_form(client, url=FORM) -> dict:
    """The hidden fields of the form page, as the browser would send them back."""
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"  # one ticket, one person
    form = page.text.split('class="complaint-form"', 1)[0].rsplit("<form", 1)[1]
    assert 'action="/complain"' in form  # where it came from is in the body, not the logged URL
    return dict(HIDDEN.findall(page.text))


def submit(client, url=FORM, fields=None, **data):
    payload = (
        (fields or open_form(client, url))
        | {"category": "funds", "text": "村里修路的钱去向不明", "identity": "anonymous"}
        | data
    )
    return client.post("/complain", data=payload, content_type="multipart/form-data")


def filed(response) -> bool:
    """The answer to a successful submission is the done page itself (no redirect)."""
    return response.status_code == 200 and "已收到您的反映" in response.text


def done_page(response) -> tuple[str, str]:
    assert filed(response) and response.headers["Cache-Control"] == "no-store"
    return CODE.search(response.text).group(1), SECRET.search(response.text).group(1)


def is_checked(html: str, value: str) -> bool:
    return any("checked" in tag for tag in re.findall(rf'<input[^>]*value="{value}"[^>]*>', html))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint))


def test_web_complaint_from_a_ledger_row(client, app, fast):
    row = ledger_row()
    url = f"{FORM}&item=ledger:{row.id}"
    page = client.get(url)
    assert "购买办公桌椅" in page.text and "4,800.00" in page.text and "青川县家具店" in page.text
    assert is_checked(page.text, "funds")  # the item's kind suggests the category
    response = submit(client, url, category="funds")
    code, secret = done_page(response)
    assert re.fullmatch(r"\d{4}-629901101-\d{4}", code)
    case = open_case(code, secret)
    assert case.channel == Channel.WEB and case.item_kind == "ledger" and case.item_id == row.id
    assert "购买办公桌椅" in case.item_summary and "4,800.00" in case.item_summary
    assert not case.is_real_name and case.identity is None
    # The secret rides in no cookie: only the POST's answer carries it.
    session = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert "csrf_token" in session and secret.replace(" ", "") not in str(session)


def test_village_item_and_round_travel_in_the_body_not_the_url(client, fast):
    # A proxy logs the URL of every POST: the URL a filing is posted to names no village or item.
    row = ledger_row()
    page = client.get(f"{FORM}&item=ledger:{row.id}").text
    action = re.search(r'<form method="post"[^>]*action="([^"]*)"[^>]*class="complaint-form"', page).group(1)
    assert action == "/complain"
    fields = dict(HIDDEN.findall(page))
    assert fields["village"] == VILLAGE and fields["item"] == f"ledger:{row.id}"
    done_page(submit(client, fields=fields))
    case = db.session.scalar(select(Complaint))
    assert case.village_code == VILLAGE and case.item_id == row.id


def test_done_page_has_a_saveable_image_and_no_secret_in_urls(client, fast):
    page = submit(client)
    assert 'src="data:image/png;base64,' in page.text
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    hrefs = re.findall(r'(?:href|src|action)="([^"]*)"', page.text)
    assert not any(secret in href for href in hrefs if not href.startswith("data:"))


def test_web_complaint_without_item_real_name(client, fast):
    response = submit(client, identity="real", name="段凤", phone="138 0013 8000", category="conduct")
    code, secret = done_page(response)
    case = open_case(code, secret)
    assert case.is_real_name and case.category == "conduct" and case.item_kind is None
    identity = db.session.scalar(select(ComplaintIdentity))
    assert field_cipher().decrypt(identity.phone_cipher) == "13800138000"


def test_bad_mobile_is_refused_and_text_kept(client, fast):
    response = submit(client, identity="real", name="段凤", phone="12345", text="低保名单里有村干部亲属")
    assert response.status_code == 422
    assert "请填写11位手机号码" in response.text and "低保名单里有村干部亲属" in response.text
    assert count() == 0


def test_anonymous_drops_typed_identity(client, fast):
    submit(client, identity="anonymous", name="段凤", phone="13800138000")
    assert count() == 1 and db.session.scalar(select(func.count()).select_from(ComplaintIdentity)) == 0


def test_category_and_text_required(client, fast):
    response = submit(client, category="", text="  ")
    assert response.status_code == 422 and "请选择问题类别" in response.text and "请写下发生了什么" in response.text


def test_subsidy_item_shows_masked_name(client, fast):
    cipher = field_cipher()
    stage_upload(
        ParsedUpload(
            Kind.SUBSIDIES,
            "s.csv",
            [
                ParsedBatch(
                    VILLAGE,
                    Kind.SUBSIDIES,
                    None,
                    [
                        {
                            "row_number": 2,
                            "item": "最低生活保障金",
                            "month": "2026-09",
                            "name": "欧阳小锋",
                            "id_number": "340823198705260013",
                            "account": "",
                            "amount": Decimal("620.00"),
                            "paid_on": date(2026, 9, 10),
                        }
                    ],
                )
            ],
        ),
        uploader=None,
        publish=True,
    )
    row = db.session.scalar(select(SubsidyPayment))
    url = f"{FORM}&item=subsidies:{row.id}"
    page = client.get(url)
    assert "欧**锋" in page.text and "欧阳小锋" not in page.text and "340823" not in page.text
    assert is_checked(page.text, "subsidy")
    # From 我的补贴's 「我没有收到这笔钱」: one's own payment names the filer, even 匿名.
    assert "办理人员从这条记录就能知道是谁反映的" in page.text
    assert "就能知道是谁反映的" not in client.get(f"{FORM}&item=ledger:{ledger_row().id}").text
    submit(client, url, category="subsidy")
    case = db.session.scalar(select(Complaint))
    assert "欧**锋" in case.item_summary and "欧阳小锋" not in case.item_summary
    assert cipher.public_ref("340823198705260013") in case.item_summary


def test_unknown_or_foreign_item_is_ignored(client, fast):
    row = ledger_row()
    page = client.get(f"/complain?village=629901101202&item=ledger:{row.id}")  # another village's row
    assert page.status_code == 200 and "购买办公桌椅" not in page.text and "没有找到这一条公开内容" in page.text


@pytest.mark.parametrize("period,late", [((-5, 25), False), ((-40, -10), True)])
def test_report_through_an_inspection_round(client, fast, period, late):
    today = local(utcnow()).date()
    inspection = InspectionRound(
        name="第三轮巡察",
        team_name="县委第一巡察组",
        county_code="629901000000",
        starts_on=today + timedelta(days=period[0]),
        ends_on=today + timedelta(days=period[1]),
        villages=[db.session.get(Region, VILLAGE)],
    )
    db.session.add(inspection)
    db.session.commit()
    url = f"{FORM}&round={token_for(round_target(inspection.id))}"
    page = client.get(url)
    assert "县委第一巡察组" in page.text and ("巡察期外反映" in page.text) == late
    assert filed(submit(client, url))
    case = db.session.scalar(select(Complaint))
    assert case.channel == Channel.INSPECTION and case.round_id == inspection.id and case.is_late_for_round == late


def test_same_ticket_twice_makes_one_complaint_and_shows_the_same_secret(client, fast):
    fields = open_form(client)
    first = done_page(submit(client, fields=fields))
    second = done_page(submit(client, fields=fields))  # a double tap, a reload, a retry after a timeout
    assert first == second and count() == 1
    assert open_case(*second) is not None


def test_secret_is_random_and_not_rebuilt_from_what_is_stored(client, app, fast):
    fields = open_form(client)
    code, secret = done_page(submit(client, fields=fields))
    case = db.session.scalar(select(Complaint))
    assert case.secret_hash == hash_tracking_secret(secret)
    # Once it was an HMAC of the stored idempotency key under the tracking key: whoever held the
    # database and the key file could rebuild every secret. Now nothing stored leads to it.
    key = app.config["TRACKING_SECRET_KEY"].encode()
    derived = hmac.new(key, b"secret-for-token:" + case.idempotency_key.encode(), hashlib.sha256).digest()
    assert case.secret_hash != hash_tracking_secret(f"{int.from_bytes(derived, 'big') % 10**16:016d}")
    assert secret.replace(" ", "") not in str(session_of(app, client))
    assert code not in str(session_of(app, client))  # the session keeps them for a retry, encrypted


def session_of(app, client) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


def refused_without_a_trace(response, code: str, secret: str) -> None:
    assert response.status_code == 409 and "已经提交过了" in response.text
    assert code not in response.text and secret not in response.text and 'class="secret-box' not in response.text
    assert count() == 1


def test_ticket_from_another_session_files_nothing_and_reveals_nothing(app, fast):
    owner, stranger = app.test_client(), app.test_client()
    fields = open_form(owner)
    code, secret = done_page(submit(owner, fields=fields))
    # The stranger has the hidden ticket (a shared phone's history, a proxy) but not the session.
    copied = open_form(stranger) | {"ticket": fields["ticket"]}
    refused_without_a_trace(submit(stranger, fields=copied), code, secret)
    refused_without_a_trace(submit(stranger, fields=copied, text="换一个说法"), code, secret)


def test_same_session_with_other_text_or_minutes_later_sees_nothing(client, fast):
    fields = open_form(client)
    start = datetime.now(SHANGHAI)
    with time_machine.travel(start, tick=False) as clock:
        code, secret = done_page(submit(client, fields=fields))
        refused_without_a_trace(submit(client, fields=fields, text="改了几个字的内容"), code, secret)
        clock.shift(timedelta(minutes=9))
        assert done_page(submit(client, fields=fields)) == (code, secret)  # a reload, still within minutes
        clock.shift(timedelta(minutes=2))
        refiled = submit(client, fields=fields)
    refused_without_a_trace(refiled, code, secret)
    # What was written is kept, with a new ticket: sending it once more files a new case on purpose.
    assert "村里修路的钱去向不明" in refiled.text and fields["ticket"] not in refiled.text


def test_honeypot_is_refused(client, fast):
    response = submit(client, website="http://spam.example")
    assert response.status_code == 422 and "提交未成功" in response.text and count() == 0


def test_too_fast_is_refused_then_accepted(client, app, township_tree):
    fields = open_form(client)
    response = submit(client, fields=fields, text="刚写完就提交")
    assert response.status_code == 422 and "提交太快了" in response.text and "刚写完就提交" in response.text
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0  # as if the person had read it over
    assert filed(submit(client, fields=fields)) and count() == 1


def test_forged_ticket_is_refused(client, fast):
    fields = open_form(client) | {"ticket": "made-up"}
    assert submit(client, fields=fields).status_code == 422 and count() == 0


def test_filing_is_rate_limited_per_device(client, fast):
    for _ in range(5):
        assert filed(submit(client))
    response = submit(client)
    assert response.status_code == 429 and "操作太频繁" in response.text
    assert count() == 5


def test_device_limit_is_per_device(app, fast):
    first, second = app.test_client(), app.test_client()
    for _ in range(5):
        assert filed(submit(first))
    assert submit(first).status_code == 429
    assert filed(submit(second))  # a neighbour on the same mobile network


def test_village_picker_without_village(client, fast):
    page = client.get("/complain")
    assert page.status_code == 200 and "黄大镇" in page.text and "/complain?region=629901101000" in page.text
    township = client.get("/complain?region=629901101000")
    assert f"/complain?village={VILLAGE}" in township.text and "青山村" in township.text
    assert 'action="/search"' in township.text
    assert client.get("/complain?village=999999999999").status_code == 404


def test_form_page_is_small(client, fast):
    # Its CSS inline (site.css and complaints.css, minified): nothing else to fetch before painting.
    page = client.get(f"{FORM}&item=ledger:{ledger_row().id}")
    static = Path(__file__).resolve().parents[2] / "static"
    assert len(page.data) <= 20 * 1024 and 'rel="stylesheet"' not in page.text
    # Two scripts: the 大字 switch inline (its hash in the CSP), sparing the link its round trip,
    # and one small deferred file (the draft and the resend on a weak signal). The form renders
    # and posts before it arrives, and without either.
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert len(scripts) == 2 and "data-text-size" in page.text
    assert [tag for tag in scripts if "complaint-form" in tag and "defer" in tag]
    assert len(page.data) + (static / "js" / "complaint-form.js").stat().st_size <= 40 * 1024


# Staff registration ----------------------------------------------------------------------------


@pytest.fixture
def handler(township_tree, make_user, login):
    user = make_user("clerk", "handler", ["629901101000"])
    assert login("clerk").status_code == 302
    return user


def register(client, **data):
    page = client.get("/staff/complaints/new")
    fields = {
        "csrf_token": csrf_from(page.text),
        "ticket": TICKET.search(page.text).group(1),
        "channel": "phone_12388",
        "village": VILLAGE,
        "category": "subsidy",
        "text": "来电反映：低保户名单有误",
        "received_at": "2026-09-30T10:00",
    }
    return client.post("/staff/complaints/new", data=fields | data)


@pytest.fixture
def after_call():
    """The form says the call came 2026-09-30 10:00: run after it, whatever the real date (first
    in a test's fixtures, so the sign-in happens on the same clock)."""
    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)):
        yield


def test_staff_registers_a_phone_complaint(after_call, client, handler):
    response = register(client, name="王大妈", phone="0839-1234567")
    assert response.status_code == 302
    page = client.get("/staff/complaints/registered")
    code, secret = CODE.search(page.text).group(1), SECRET.search(page.text).group(1)
    case = open_case(code, secret)
    assert case.channel == Channel.PHONE_12388 and case.secret_is_temporary and case.registered_by_id == handler.id
    assert local(case.received_at).strftime("%Y-%m-%d %H:%M") == "2026-09-30 10:00"
    assert code.startswith("2026-629901101-")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.register"))
    assert audit.target_id == code and audit.actor_id == handler.id
    assert "王大妈" not in audit.detail and "1234567" not in audit.detail
    assert client.get("/staff/complaints/registered").status_code == 302  # shown once


def test_staff_double_submit_shows_the_paper_secret_only_to_the_same_session(
    after_call, app, client, handler, make_user
):
    page = client.get("/staff/complaints/new")
    ticket = TICKET.search(page.text).group(1)
    assert register(client, ticket=ticket).status_code == 302
    first = client.get("/staff/complaints/registered").text
    assert register(client, ticket=ticket).status_code == 302  # a double click on 提交
    again = client.get("/staff/complaints/registered").text
    shown = CODE.search(first).group(1), SECRET.search(first).group(1)
    assert (CODE.search(again).group(1), SECRET.search(again).group(1)) == shown and count() == 1
    make_user("colleague", "handler", ["629901101000"])
    colleague = app.test_client()
    colleague_page = colleague.get("/staff/login")
    colleague.post(
        "/staff/login",
        data={"username": "colleague", "password": "pw-for-tests-1", "csrf_token": csrf_from(colleague_page.text)},
    )
    copied = register(colleague, ticket=ticket)
    assert copied.status_code == 422 and "已经提交过了" in copied.text
    assert shown[0] not in copied.text and shown[1] not in copied.text and count() == 1
    assert colleague.get("/staff/complaints/registered").status_code == 302


def test_staff_registration_checks_scope_and_time(after_call, client, handler):
    outside = register(client, village="629901102201")
    assert outside.status_code == 422 and "负责范围" in outside.text
    future = local(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert "不能晚于现在" in register(client, received_at=future).text
    assert count() == 0


def test_staff_registration_lists_only_villages_in_scope(client, handler):
    page = client.get("/staff/complaints/new")
    assert "青山村" in page.text and "河口村" not in page.text


def _inputs(html: str) -> dict[str, dict]:
    """Each input and textarea of the filing form: id → attributes, without values that vary."""
    parsed = {}
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html.split('class="complaint-form"', 1)[-1]):
        attributes = dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', tag.split(None, 1)[1].rstrip(">")))
        attributes.pop("value" if attributes.get("type") in ("hidden", "text", "tel") else "", None)
        parsed[attributes["id"]] = attributes
    return parsed


def test_hand_written_inputs_match_what_the_form_class_renders(client, app, fast):
    # form.html writes its inputs out for speed; they must stay what ComplaintForm would render.
    with app.test_request_context(FORM):
        form = ComplaintForm()
        rendered = "".join(
            str(html)
            for html in [
                'class="complaint-form"',
                form.csrf_token(),
                form.ticket(),
                form.village(),
                form.item(),
                form.round(),
                *(option() for option in form.category),
                form.text(rows=6, maxlength=2000),
                form.photos(accept="image/*"),
                form.voice(accept="audio/*", capture=True),
                *(option() for option in form.identity),
                form.name(autocomplete="name"),
                form.phone(type="tel", inputmode="numeric", autocomplete="tel", maxlength=20),
                form.notify(),
                form.notify_phone(type="tel", inputmode="numeric", autocomplete="tel", maxlength=20),
                form.website(tabindex="-1", autocomplete="off"),
            ]
        )
    written = _inputs(client.get(FORM).text)
    assert written == _inputs(rendered)
    page = submit(client, category="asset", identity="real", name="段凤", phone="12", text="写好的内容")
    assert page.status_code == 422 and 'value="asset" checked' in page.text and 'value="real" checked' in page.text
    assert 'value="段凤"' in page.text and ">\n写好的内容</textarea>" in page.text


def test_without_public_base_url_the_receipt_names_the_address_the_page_came_from(app, client, fast):
    """Development (bin/serve --port 8000, a phone on the LAN): the receipt's address works from there."""
    app.config["PUBLIC_BASE_URL"] = ""
    lan = "http://192.168.1.5:8000"
    fields = dict(HIDDEN.findall(client.get(FORM, base_url=lan).text))
    page = client.post(
        "/complain",
        base_url=lan,
        content_type="multipart/form-data",
        data=fields | {"category": "funds", "text": "村里修路的钱去向不明", "identity": "anonymous"},
    )
    assert page.status_code == 200
    assert '<span class="nowrap">http://192.168.1.5:8000/track</span>' in page.text


def test_real_name_with_nothing_filled_in_names_both_missing_fields(client, fast):
    response = submit(client, identity="real", name="", phone="")
    assert response.status_code == 422
    assert "实名反映请填写姓名" in response.text and "请填写11位手机号码" in response.text
    assert count() == 0


def test_a_one_character_complaint_is_refused_with_a_reason(client, fast):
    response = submit(client, text="啊")
    assert response.status_code == 422
    assert "请多写几个字" in response.text
    assert count() == 0
    assert submit(client, text="低保不公").status_code == 200  # a short but real complaint is filed
