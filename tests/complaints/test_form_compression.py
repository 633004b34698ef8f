"""The complaint form goes gzipped (BREACH-safe): its CSRF token is masked afresh in every
response (core/csrf.py), so no secret repeats across responses; only the GET form is compressed,
and only when all it echoes from its address is a code that resolved; an answer to a POST never."""

import gzip
import re
from datetime import timedelta

import pytest
from decimal import Decimal

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from support import csrf_from, publish_ledger_row

from core.csrf import mask, unmask
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import local
from complaints.models import Complaint, InspectionRound
from complaints.qr import round_target, token_for

VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
HIDDEN = re.compile(r'<input id="\w+" name="(\w+)" type="hidden" value="([^"]*)">')
PHONE = {"Accept-Encoding": "gzip, deflate"}
REFUSED = "页面已过期或来源无法验证，请刷新页面后重新提交。"


@pytest.fixture
def fast(app, township_tree):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0


def ledger_row():
    return publish_ledger_row(VILLAGE, voucher_no="记-7", summary="购买办公桌椅", amount=Decimal("4800.00"))


def submit(client, fields: dict, **data):
    payload = fields | {"category": "funds", "text": "村里修路的钱去向不明", "identity": "anonymous"} | data
    return client.post("/complain", data=payload, content_type="multipart/form-data")


def filed(response) -> bool:
    return response.status_code == 200 and "已收到您的反映" in response.text


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint))


def session_of(app, client) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


def unmasked_token(app, client) -> str:
    """The token as Flask-WTF signs it for this session: what pages printed before masking."""
    raw = session_of(app, client)["csrf_token"]
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def zipped_page(client, url) -> str:
    response = client.get(url, headers=PHONE)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.vary and response.headers["Cache-Control"] == "no-store"
    return gzip.decompress(response.data).decode()


def test_two_visits_carry_different_token_strings_and_never_the_sessions_own(app, client, fast):
    first, second = (csrf_from(client.get(FORM).text) for _ in range(2))
    assert first != second
    raw = session_of(app, client)["csrf_token"]
    for page in (client.get(FORM).text, zipped_page(client, FORM)):
        assert raw not in page and unmasked_token(app, client).split(".")[0] not in page
    assert unmask(first).split(".")[0] == unmask(second).split(".")[0]  # one session, one secret


def test_a_masked_token_files(client, fast):
    fields = dict(HIDDEN.findall(client.get(FORM).text))
    assert "." not in fields["csrf_token"]  # masked: base64url, unlike Flask-WTF's signed token
    assert filed(submit(client, fields)) and count() == 1


def test_a_token_printed_before_masking_still_files(app, client, fast):
    # A form left open in a phone over an upgrade still posts; the server prints no such token now.
    fields = dict(HIDDEN.findall(client.get(FORM).text)) | {"csrf_token": unmasked_token(app, client)}
    assert filed(submit(client, fields)) and count() == 1


def flip(token: str) -> str:
    """The same token with one character changed."""
    return token[:10] + ("A" if token[10] != "A" else "B") + token[11:]


@pytest.mark.parametrize(
    "forge",
    [
        lambda app, client, token: flip(token),  # tampered
        lambda app, client, token: token[: len(token) // 2],  # cut
        lambda app, client, token: "not a token at all!",
        lambda app, client, token: "",
        lambda app, client, token: mask(flip(unmask(token))),  # well masked, wrong inside
        lambda app, client, token: flip(unmasked_token(app, client)),  # unmasked and wrong
    ],
)
def test_a_wrong_token_is_refused_with_the_usual_message(app, client, fast, forge):
    fields = dict(HIDDEN.findall(client.get(FORM).text))
    response = submit(client, fields | {"csrf_token": forge(app, client, fields["csrf_token"])})
    assert response.status_code == 400 and REFUSED in response.text and count() == 0


def test_another_sessions_token_is_refused_masked_or_not(app, client, fast):
    other = app.test_client()
    stolen = csrf_from(other.get(FORM).text)
    for token in (stolen, unmask(stolen)):
        fields = dict(HIDDEN.findall(client.get(FORM).text)) | {"csrf_token": token}
        response = submit(client, fields)
        assert response.status_code == 400 and REFUSED in response.text
    assert count() == 0


def test_the_form_is_gzipped_when_asked_and_files_from_it(client, fast):
    plain = client.get(FORM)
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.vary
    page = zipped_page(client, FORM)
    assert 'class="complaint-form"' in page and "<style>" in page
    assert filed(submit(client, dict(HIDDEN.findall(page))))


def test_with_a_resolved_item_and_round_it_is_gzipped_too(client, fast):
    today = local(utcnow()).date()
    inspection = InspectionRound(
        name="第三轮巡察",
        team_name="县委第一巡察组",
        county_code="629901000000",
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=25),
        villages=[db.session.get(Region, VILLAGE)],
    )
    db.session.add(inspection)
    db.session.commit()
    url = f"{FORM}&item=ledger:{ledger_row().id}&round={token_for(round_target(inspection.id))}"
    page = zipped_page(client, url)
    assert "购买办公桌椅" in page and "县委第一巡察组" in page


@pytest.mark.parametrize(
    "query",
    [
        "&item=ledger:999999",  # names no row: the page echoes the text as it came
        "&item=ledger:0{row}",  # resolves, but not as the server writes it
        "&item=%3Cguess%3E",
        "&round=ZZZZZZ",  # no such round
        "&round={round_lower}",  # resolves, but not as the server writes it
    ],
)
def test_a_page_echoing_what_did_not_resolve_goes_plain(client, fast, query):
    inspection = InspectionRound(
        name="第三轮巡察",
        team_name="县委第一巡察组",
        county_code="629901000000",
        starts_on=local(utcnow()).date(),
        ends_on=local(utcnow()).date() + timedelta(days=5),
        villages=[db.session.get(Region, VILLAGE)],
    )
    db.session.add(inspection)
    db.session.commit()
    query = query.format(row=ledger_row().id, round_lower=token_for(round_target(inspection.id)).lower())
    response = client.get(FORM + query, headers=PHONE)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


def test_the_text_size_link_names_only_what_resolved(client, fast):
    # What else the address carried is not echoed: the page holds no text the requester chose.
    row = ledger_row()
    page = zipped_page(client, f"{FORM}&item=ledger:{row.id}&guess=csrf_token%3DIm")
    link = re.search(r'href="(/prefs/text-size[^"]*)"', page).group(1)
    assert "guess" not in page
    assert "village%3D" + VILLAGE in link and f"item%3Dledger:{row.id}" in link


@pytest.mark.parametrize(
    "data, status",
    [
        ({"text": "啊"}, 422),  # refused: the answer echoes what was typed
        ({}, 200),  # filed: the done page with the case's secret
    ],
)
def test_an_answer_to_a_post_is_never_gzipped(client, fast, data, status):
    fields = dict(HIDDEN.findall(zipped_page(client, FORM)))
    payload = fields | {"category": "funds", "text": "村里修路的钱去向不明", "identity": "anonymous"} | data
    response = client.post("/complain", data=payload, content_type="multipart/form-data", headers=PHONE)
    assert response.status_code == status and "Content-Encoding" not in response.headers
