"""QR tokens: short, stable, resolved at scan time; /q/<token> per target kind."""

import gzip
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from complaints import qr
from complaints.models import InspectionRound, QrLink
from complaints.qr import ALPHABET, Target, TargetKind, project_target, resolve, round_target, token_for, village_target

QINGSHAN, SHANGDONG, HEKOU = "629901101201", "629901101202", "629901102201"


@pytest.fixture
def make_round(township_tree):
    def make(*codes, starts_on=date(2026, 10, 8), ends_on=date(2026, 11, 7)):
        inspection = InspectionRound(
            name="2026年第三轮巡察",
            team_name="县委第一巡察组",
            county_code="629901000000",
            starts_on=starts_on,
            ends_on=ends_on,
            villages=[db.session.get(Region, code) for code in codes],
        )
        db.session.add(inspection)
        db.session.commit()
        return inspection

    return make


def test_same_target_same_token(township_tree):
    token = token_for(village_target(QINGSHAN))
    assert len(token) == 6 and set(token) <= set(ALPHABET)
    assert token_for(village_target(QINGSHAN)) == token
    assert db.session.scalar(select(func.count()).select_from(QrLink)) == 1


def test_different_targets_different_tokens(township_tree):
    tokens = {
        token_for(village_target(QINGSHAN)),
        token_for(village_target(SHANGDONG)),
        token_for(project_target(QINGSHAN, "XM-001")),
        token_for(project_target(QINGSHAN, "XM-002")),
        token_for(round_target(1)),
    }
    assert len(tokens) == 5


def test_resolve(township_tree):
    token = token_for(project_target(QINGSHAN, "XM/2026-01"))
    target = resolve(token)
    assert target == Target(TargetKind.PROJECT, f"{QINGSHAN}/XM/2026-01")
    assert (target.village_code, target.project_no) == (QINGSHAN, "XM/2026-01")
    assert resolve("ZZZZZZZZZ") is None and resolve("") is None and resolve("七KD3QX") is None


def test_hand_typed_token_resolves(township_tree, monkeypatch):
    monkeypatch.setattr(qr, "new_token", lambda: "70K1QX")
    token_for(village_target(QINGSHAN))
    # Lower case, O for 0 and l for 1: what people type when they copy a code by hand.
    assert resolve("7ok1qx") == resolve("7OKlQX") == village_target(QINGSHAN)


def test_collision_is_retried(township_tree, monkeypatch):
    first = token_for(village_target(QINGSHAN))
    drawn = iter([first, first, "ABC123"])
    monkeypatch.setattr(qr, "new_token", lambda: next(drawn))
    assert token_for(village_target(SHANGDONG)) == "ABC123"
    assert resolve(first) == village_target(QINGSHAN)


def test_village_code_answers_with_the_village_page_itself(client, township_tree):
    # No redirect on the way in: on a weak signal it costs a round trip before anything paints.
    token = token_for(village_target(QINGSHAN))
    scanned = client.get(f"/q/{token}", headers={"Accept-Encoding": "gzip"})
    assert scanned.status_code == 200 and "Location" not in scanned.headers
    html = gzip.decompress(scanned.data).decode()
    assert "青山村" in html and f'href="/complain?village={QINGSHAN}">我要反映问题' in html
    # The scan and the village's own address are one page, one cached copy, one validator.
    clicked = client.get(f"/r/{QINGSHAN}", headers={"Accept-Encoding": "gzip"})
    assert clicked.headers["ETag"] == scanned.headers["ETag"] and clicked.data == scanned.data
    assert client.get(f"/q/{token.lower()}").status_code == 200


def test_a_scanned_village_page_revalidates_like_the_village_page(client, township_tree):
    token = token_for(village_target(QINGSHAN))
    etag = client.get(f"/q/{token}").headers["ETag"]
    assert client.get(f"/q/{token}", headers={"If-None-Match": etag}).status_code == 304


def test_project_code_answers_with_the_project_page_itself(client, township_tree):
    token = token_for(project_target(QINGSHAN, "XM-001"))
    response = client.get(f"/q/{token}")
    # No such project published yet: the project page's own 404, not a redirect to it.
    assert response.status_code == 404 and "Location" not in response.headers


def test_unknown_token_is_a_chinese_404(client, township_tree):
    for path in ("/q/ZZZZZZ", "/q/not-a-token-at-all"):
        response = client.get(path)
        assert response.status_code == 404
        assert "这个二维码没有对应的页面" in response.text and 'lang="zh-CN"' in response.text


def test_round_code_with_several_villages_lets_the_person_choose(client, make_round):
    inspection = make_round(QINGSHAN, SHANGDONG)
    token = token_for(round_target(inspection.id))
    page = client.get(f"/q/{token}")
    assert page.status_code == 200
    assert "请先选择您要反映的村" in page.text and "县委第一巡察组" in page.text
    # Each village links straight to the complaint form: no redirect between the tap and the form.
    for code in (QINGSHAN, SHANGDONG):
        assert f'href="/complain?village={code}&amp;round={token}"' in page.text
    assert client.get(f"/complain?village={SHANGDONG}&round={token}").status_code == 200
    # The address the page linked before still leads there, for pages already open.
    chosen = client.get(f"/q/{token}/{SHANGDONG}")
    assert chosen.status_code == 302
    parts = urlsplit(chosen.location)
    assert parts.path == "/complain"
    assert parse_qs(parts.query) == {"village": [SHANGDONG], "round": [token]}


def test_round_code_with_one_village_has_one_button(client, make_round):
    token = token_for(round_target(make_round(QINGSHAN).id))
    page = client.get(f"/q/{token}")
    assert "我要反映</a>" in page.text and "请先选择" not in page.text
    assert f'href="/complain?village={QINGSHAN}&amp;round={token}"' in page.text


def test_a_rounds_notice_goes_gzipped_to_a_phone(client, make_round):
    # A public notice: no form, nothing of the session, so no secret compression could leak.
    token = token_for(round_target(make_round(QINGSHAN).id))
    plain = client.get(f"/q/{token}")
    zipped = client.get(f"/q/{token}", headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.vary and gzip.decompress(zipped.data) == plain.data
    assert "csrf_token" not in plain.text and "Set-Cookie" not in plain.headers


def test_round_refuses_a_village_outside_it(client, make_round):
    token = token_for(round_target(make_round(QINGSHAN).id))
    assert client.get(f"/q/{token}/{HEKOU}").status_code == 404
    village_token = token_for(village_target(QINGSHAN))
    assert client.get(f"/q/{village_token}/{QINGSHAN}").status_code == 404


def test_a_deleted_round_is_a_404(client, make_round):
    inspection = make_round(QINGSHAN)
    token = token_for(round_target(inspection.id))
    db.session.delete(inspection)
    db.session.commit()
    assert client.get(f"/q/{token}").status_code == 404
