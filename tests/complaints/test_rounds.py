"""Inspection rounds: the service, routing a report by its period, the admin pages, the round page."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from support import csrf_from

from core.audit import AuditEntry
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.timezone import local_date, shanghai
from complaints.models import Category, Channel, Complaint, InspectionRound
from complaints.qr import round_target, token_for, village_target
from complaints.rounds import RoundError, RoundFields, create_round, round_context, round_for_report, update_round
from complaints.services import file_complaint

QINGSHAN, SHANGDONG, HEKOU = "629901101201", "629901101202", "629901102201"


@pytest.fixture
def team(township_tree, make_user):
    """Two inspectors and, to be refused as a member, a handler."""
    return {
        "a": make_user("xuncha1", role="inspector"),
        "b": make_user("xuncha2", role="inspector"),
        "handler": make_user("handler1", role="handler", regions=["629901000000"]),
    }


def fields(team, **changes) -> RoundFields:
    values = {
        "name": "2026年第三轮巡察",
        "team_name": "县委第一巡察组",
        "starts_on": date(2026, 10, 8),
        "ends_on": date(2026, 11, 7),
        "member_ids": [team["a"].id],
        "village_codes": [QINGSHAN, SHANGDONG],
        "scope_text": "村“两委”班子及成员",
        "focus_text": "惠民补贴发放\n集体“三资”管理",
        "contact_text": "电话 0839-1234567",
    }
    return RoundFields(**(values | changes))


def rounds_count() -> int:
    return db.session.scalar(select(func.count()).select_from(InspectionRound))


# The service ----------------------------------------------------------------------------------


def test_create_round_is_audited_and_gets_a_token(team, make_user):
    inspection = create_round(fields(team), by=make_user("admin1", role="admin"))
    assert inspection.county_code == "629901000000"
    assert [v.code for v in inspection.villages] == [QINGSHAN, SHANGDONG]
    assert [m.username for m in inspection.members] == ["xuncha1"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.create"))
    assert entry.actor_name == "admin1" and entry.target_id == str(inspection.id)
    assert entry.detail_dict["villages"] == [QINGSHAN, SHANGDONG]
    assert token_for(round_target(inspection.id))  # issued at creation, the same one from now on


def test_update_keeps_the_token_and_audits_what_it_was(team):
    inspection = create_round(fields(team))
    token = token_for(round_target(inspection.id))
    update_round(
        inspection,
        fields(team, team_name="县委第二巡察组", member_ids=[team["a"].id, team["b"].id], village_codes=[QINGSHAN]),
    )
    assert token_for(round_target(inspection.id)) == token
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.update"))
    assert entry.detail_dict["before"]["team_name"] == "县委第一巡察组"
    assert entry.detail_dict["after"]["villages"] == [QINGSHAN]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"village_codes": ["629901101000"]}, "「黄大镇」（629901101000）是乡镇级"),
        ({"village_codes": ["629901101299"]}, "行政区划代码「629901101299」不存在"),
        ({"village_codes": []}, "请至少填写一个村"),
        ({"ends_on": date(2026, 10, 7)}, "结束日期不能早于开始日期"),
        ({"member_ids": []}, "请至少选择一名巡察组成员"),
        ({"name": "  "}, "请填写巡察轮次名称"),
    ],
)
def test_bad_input_is_refused(team, changes, message):
    with pytest.raises(RoundError, match=message):
        create_round(fields(team, **changes))
    assert rounds_count() == 0


def test_members_must_be_enabled_inspectors(team):
    with pytest.raises(RoundError, match="「handler1」不是可用的巡察组成员账号"):
        create_round(fields(team, member_ids=[team["a"].id, team["handler"].id]))
    team["b"].is_enabled = False
    db.session.commit()
    with pytest.raises(RoundError, match="xuncha2"):
        create_round(fields(team, member_ids=[team["b"].id]))


def test_villages_of_one_county(team, make_region):
    make_region("629902000000", "白河县", "county")
    make_region("629902101000", "新镇", "township", "629902000000")
    make_region("629902101201", "新村", "village", "629902101000")
    with pytest.raises(RoundError, match="同一个县"):
        create_round(fields(team, village_codes=[QINGSHAN, "629902101201"]))


# Routing a report -------------------------------------------------------------------------------


def test_round_for_report_by_the_shanghai_day(team):
    inspection = create_round(fields(team))
    assert round_for_report(inspection, QINGSHAN, shanghai(2026, 10, 8, 0, 5)) == (inspection.id, False)
    assert round_for_report(inspection, QINGSHAN, shanghai(2026, 11, 7, 23, 50)) == (inspection.id, False)
    assert round_for_report(inspection, QINGSHAN, shanghai(2026, 11, 8, 0, 10)) == (inspection.id, True)
    assert round_for_report(inspection, QINGSHAN, shanghai(2026, 10, 7, 23, 50)) == (inspection.id, True)
    with pytest.raises(RoundError, match="不在本轮巡察范围内"):
        round_for_report(inspection, HEKOU, shanghai(2026, 10, 9))


def test_round_context_for_the_form(team):
    inspection = create_round(fields(team))
    token = token_for(round_target(inspection.id))
    inside = round_context(token.lower(), SHANGDONG, shanghai(2026, 10, 20, 9))
    assert (inside.round_id, inside.late, inside.name, inside.team_name) == (
        inspection.id,
        False,
        "2026年第三轮巡察",
        "县委第一巡察组",
    )
    assert inside.village_code == SHANGDONG and inside.late_notice == ""
    after = round_context(token, QINGSHAN, shanghai(2026, 11, 20, 9))
    assert after.late and "已于2026年11月7日结束" in after.late_notice and "县纪委监委" in after.late_notice
    assert round_context(token, HEKOU, shanghai(2026, 10, 20)) is None
    assert round_context(token_for(village_target(QINGSHAN)), QINGSHAN, shanghai(2026, 10, 20)) is None
    assert round_context("ZZZZZZ", QINGSHAN, shanghai(2026, 10, 20)) is None


@pytest.mark.parametrize("received_at, late", [(shanghai(2026, 10, 20, 9), False), (shanghai(2026, 11, 9, 9), True)])
def test_report_filed_with_the_round_context(team, received_at, late):
    inspection = create_round(fields(team))
    context = round_context(token_for(round_target(inspection.id)), QINGSHAN, received_at)
    filed = file_complaint(
        village=db.session.get(Region, QINGSHAN),
        category=Category.CONDUCT,
        text="村干部优亲厚友",
        channel=Channel.INSPECTION,
        identity=None,
        received_at=received_at,
        round_id=context.round_id,
        late_for_round=context.late,
    )
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    assert case.round_id == inspection.id and case.is_late_for_round is late
    assert case.channel == Channel.INSPECTION and case.inspection_round.team_name == "县委第一巡察组"


# The admin pages --------------------------------------------------------------------------------


@pytest.fixture
def admin(team, make_user, login):
    make_user("admin1", role="admin")
    assert login("admin1").status_code == 302


def form_data(client, url, team, **changes) -> dict:
    data = {
        "csrf_token": csrf_from(client.get(url).text),
        "name": "2026年第三轮巡察",
        "team_name": "县委第一巡察组",
        "starts_on": "2026-10-08",
        "ends_on": "2026-11-07",
        "member_ids": [str(team["a"].id), str(team["b"].id)],
        "village_codes": f"{QINGSHAN}\n{SHANGDONG}\n",
        "scope_text": "村“两委”班子",
        "focus_text": "惠民补贴",
        "contact_text": "电话 0839-1234567",
    }
    return data | changes


def test_admin_creates_and_edits_a_round(client, team, admin):
    assert "巡察轮次" in client.get("/admin/").text  # in the menu
    response = client.post("/admin/rounds/new", data=form_data(client, "/admin/rounds/new", team))
    assert response.status_code == 302
    inspection = db.session.scalar(select(InspectionRound))
    assert response.location == f"/admin/rounds/{inspection.id}"
    page = client.get(response.location)
    token = token_for(round_target(inspection.id))
    assert f"http://portal.test/q/{token}" in page.text and "巡察轮次已创建" in page.text
    assert f"{QINGSHAN}\n{SHANGDONG}</textarea>" in page.text and "checked" in page.text
    edited = client.post(
        response.location,
        data=form_data(client, response.location, team, team_name="县委第二巡察组", village_codes=QINGSHAN),
    )
    assert edited.status_code == 302
    db.session.expire_all()
    inspection = db.session.get(InspectionRound, inspection.id)
    assert inspection.team_name == "县委第二巡察组" and [v.code for v in inspection.villages] == [QINGSHAN]
    listing = client.get("/admin/rounds/")
    assert "县委第二巡察组" in listing.text and "2026年10月8日至2026年11月7日" in listing.text


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"village_codes": "629901101000"}, "是乡镇级，巡察对象请填写村（社区）的代码"),
        ({"village_codes": "629901101299"}, "行政区划代码「629901101299」不存在"),
        ({"village_codes": ""}, "请至少填写一个村（社区）的行政区划代码"),
        ({"ends_on": "2026-10-01"}, "结束日期不能早于开始日期"),
        ({"ends_on": ""}, "请填写结束日期"),
        ({"starts_on": "2026年10月8日"}, "请按 2026-10-08 的格式填写日期"),
        ({"member_ids": []}, "请至少选择一名巡察组成员"),
        ({"name": ""}, "请填写巡察轮次名称"),
    ],
)
def test_admin_create_with_bad_input_saves_nothing(client, team, admin, changes, message):
    response = client.post("/admin/rounds/new", data=form_data(client, "/admin/rounds/new", team, **changes))
    assert response.status_code == 422
    assert message in response.text and "没有保存" in response.text
    assert rounds_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("round.%"))) == 0


def test_admin_cannot_make_a_handler_a_member(client, team, admin):
    data = form_data(client, "/admin/rounds/new", team, member_ids=[str(team["handler"].id)])
    response = client.post("/admin/rounds/new", data=data)
    assert response.status_code == 422 and "「handler1」不是可用的巡察组成员账号" in response.text
    assert rounds_count() == 0


def test_admin_edit_with_bad_input_changes_nothing(client, team, admin):
    inspection = create_round(fields(team))
    url = f"/admin/rounds/{inspection.id}"
    response = client.post(
        url, data=form_data(client, url, team, ends_on="2026-09-30", member_ids=[str(team["handler"].id)])
    )
    assert response.status_code == 422 and "结束日期不能早于开始日期" in response.text
    db.session.expire_all()
    kept = db.session.get(InspectionRound, inspection.id)
    assert kept.ends_on == date(2026, 11, 7) and [m.username for m in kept.members] == ["xuncha1"]


def test_edit_without_csrf_is_refused(client, team, admin):
    inspection = create_round(fields(team))
    data = form_data(client, f"/admin/rounds/{inspection.id}", team, team_name="改掉") | {"csrf_token": ""}
    assert client.post(f"/admin/rounds/{inspection.id}", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(InspectionRound, inspection.id).team_name == "县委第一巡察组"


def test_scoped_admin_sees_only_rounds_in_scope(client, team, make_user, login):
    inspection = create_round(fields(team))
    make_user("admin2", role="admin", regions=["629901102000"])
    login("admin2")
    assert client.get(f"/admin/rounds/{inspection.id}").status_code == 404
    assert client.get(f"/admin/rounds/{inspection.id}/notice.pdf").status_code == 404
    assert "2026年第三轮巡察" not in client.get("/admin/rounds/").text
    response = client.post("/admin/rounds/new", data=form_data(client, "/admin/rounds/new", team))
    assert response.status_code == 422 and "「青山村」不在您的管辖范围内" in response.text


# The round page a villager opens ----------------------------------------------------------------


def round_page(client, team, starts: int, ends: int):
    today = local_date(utcnow())
    inspection = create_round(
        fields(team, starts_on=today + timedelta(days=starts), ends_on=today + timedelta(days=ends))
    )
    return client.get(f"/q/{token_for(round_target(inspection.id))}").text


def test_round_page_inside_the_period(client, team):
    page = round_page(client, team, -3, 3)
    assert "县委第一巡察组" in page and "惠民补贴发放" in page and "集体“三资”管理" in page
    assert "电话 0839-1234567" in page and "巡察期间反映的问题由县委第一巡察组受理" in page
    assert "县纪委监委" not in page and "巡察期外" not in page
    # The CSP allows no style attribute, and inline code only by hash: the page's one script (大字)
    # is listed there (tests/core/test_assets.py).
    assert "style=" not in page and page.count("<script") == 1 and "<script>" in page


def test_round_page_after_the_period_says_the_commission_handles_it(client, team):
    page = round_page(client, team, -30, -1)
    assert "已于" in page and "结束" in page
    assert "问题将由县纪委监委办理" in page and "标记为“巡察期外反映”" in page
    assert "请先选择您要反映的村" in page  # still accepted


def test_round_page_before_the_period(client, team):
    page = round_page(client, team, 2, 30)
    assert "还不在巡察期内" in page and "县纪委监委" in page
