"""Exports: the case file PDF (timeline in Chinese, bundled font, identity only when revealed,
audited), the queue as CSV and XLSX (scoped, filtered, formula-safe) and the monthly report."""

import re

from factories import new_case
import pytest
from sqlalchemy import select

from admin.cases import actions, identity
from complaints.models import Category
from core.audit import AuditEntry
from core.extensions import db
from core.settings import CountySettings
from core.timezone import local

from support import csv_rows, run_tool, xlsx_rows

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "export.pdf"
    path.write_bytes(data)
    return re.sub(r"\s+", "", run_tool("pdftotext", "-enc", "UTF-8", str(path), "-"))


@pytest.fixture
def people(make_people):
    return make_people("handler", "lead", "far", "admin")


@pytest.fixture
def worked_case(people):
    case = new_case(real_name=True)
    actions.reply(case, "first_reply", "已收到，正在核实修路款的去向", by=people["handler"])
    actions.note(case, "已调取村委会会计凭证", by=people["handler"])
    actions.close(case, "经核实，款项已追回并公示", "属实", by=people["handler"])
    return case


def test_case_file_has_the_timeline_in_chinese_and_the_bundled_font(client, login, people, worked_case, tmp_path):
    login("handler")
    response = client.get(f"/admin/cases/{worked_case.id}/file.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for expected in (
        "受理登记及办理情况表",
        worked_case.code,
        "青山村",
        "资金使用",
        "网上反映",
        "修路款去向不明",
        "已收到，正在核实修路款的去向",
        "已调取村委会会计凭证",
        "内部",
        "初步答复",
        "核查进展告知",
        "按期完成",
        "经核实，款项已追回并公示",
        "属实",
    ):
        assert expected in text, expected
    assert "段凤" not in text and "13800138000" not in text and "未经批准不显示" in text
    fonts = run_tool("pdffonts", str(tmp_path / "export.pdf")).splitlines()[2:]
    assert fonts and all("WQY-MicroHei-Bundled" in line and " yes " in line for line in fonts), fonts
    audited = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(worked_case.id)))
    assert "case.export_file" in set(audited)


def test_case_file_names_clocks_and_entries_as_the_case_page_does(client, login, people, tmp_path):
    db.session.add(CountySettings(county_code="629901000000", clock_pausing_enabled=True))
    case = new_case()
    actions.reply(case, "request_info", "请补充修路合同的照片", by=people["handler"])
    login("handler")
    page = client.get(f"/admin/cases/{case.id}").text
    text = pdf_text(client.get(f"/admin/cases/{case.id}/file.pdf").data, tmp_path)
    # The clock waiting for the complainant's material reads the same on the page and on paper.
    assert "已暂停" in page and "已暂停" in text
    assert "请补充材料" in page and "请补充材料" in text


def test_case_file_shows_the_identity_only_after_an_approved_request(client, login, people, worked_case, tmp_path):
    request = identity.request_identity(worked_case, "需电话核实", by=people["handler"])
    identity.decide_identity(request, True, "同意", by=people["lead"])
    login("handler")
    response = client.get(f"/admin/cases/{worked_case.id}/file.pdf")
    text = pdf_text(response.data, tmp_path)
    assert "段凤" in text and "13800138000" in text
    assert response.headers["Cache-Control"] == "no-store"  # no cache keeps the identity
    reveals = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.identity_reveal")).all()
    assert [entry.actor_name for entry in reveals] == ["handler"]


def test_the_lead_without_a_request_sees_no_identity(client, login, people, worked_case, tmp_path):
    request = identity.request_identity(worked_case, "需电话核实", by=people["handler"])
    identity.decide_identity(request, True, "同意", by=people["lead"])
    login("lead")
    assert "段凤" not in pdf_text(client.get(f"/admin/cases/{worked_case.id}/file.pdf").data, tmp_path)


def test_case_file_is_404_outside_scope(client, login, people, worked_case):
    login("far")
    assert client.get(f"/admin/cases/{worked_case.id}/file.pdf").status_code == 404
    assert client.get("/admin/cases/999999/file.pdf").status_code == 404


@pytest.fixture
def queue_cases(people):
    return {
        "formula": new_case(text=FORMULA),
        "plus": new_case(text="+86 13800138000 打不通", category=Category.SUBSIDY),
        "far": new_case(text="河口村的事", village="629901102201"),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_queue_export_is_scoped_and_neutralised(client, login, people, queue_cases, fmt):
    login("handler")
    response = client.get(f"/admin/cases/export.{fmt}")
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert rows[0][:3] == ["案件编号", "收到时间", "乡镇"]
    codes = {row[0] for row in rows[1:]}
    assert codes == {queue_cases["formula"].code, queue_cases["plus"].code}  # not the other township's
    texts = {row[10] for row in rows[1:]}
    assert texts == {"'" + FORMULA, "'+86 13800138000 打不通"}
    assert {row[9] for row in rows[1:]} == {"进行中"}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.export_queue"))
    assert audit.detail_dict["format"] == fmt


def test_queue_export_uses_the_queue_filters(client, login, people, queue_cases):
    login("handler")
    response = client.get("/admin/cases/export.csv", query_string={"category": "subsidy"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not twice
    rows = csv_rows(response)
    assert [row[0] for row in rows[1:]] == [queue_cases["plus"].code]
    rows = csv_rows(client.get("/admin/cases/export.csv", query_string={"q": "打不通"}))
    assert [row[0] for row in rows[1:]] == [queue_cases["plus"].code]
    rows = csv_rows(client.get("/admin/cases/export.csv", query_string={"region": "629901102000"}))
    assert rows[1:] == []  # a region outside the scope finds nothing, never widens it


def test_queue_export_for_the_far_township(client, login, people, queue_cases):
    login("far")
    rows = csv_rows(client.get("/admin/cases/export.csv"))
    assert [row[0] for row in rows[1:]] == [queue_cases["far"].code]


def test_monthly_report(client, login, people, worked_case, tmp_path):
    login("handler")
    month = local(worked_case.received_at).strftime("%Y-%m")
    response = client.get("/admin/reports/monthly.pdf", query_string={"month": month})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    year, number = month.split("-")
    assert f"{year}年{int(number)}月案件办理统计" in text
    assert "黄大镇" in text and "资金使用" in text and "100.0%（1/1）" in text
    assert "河口村" not in text
    assert client.get("/admin/reports/monthly.pdf", query_string={"month": "2026-13"}).status_code == 400
