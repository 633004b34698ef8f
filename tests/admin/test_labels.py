"""One label per value: a case's status and its timeline entries read the same on the case page,
in the case file PDF and in the queue export (core/enums.py; the PDF once had its own copy of the
event labels, 延期 where the page said 延长办理期限)."""

import re

import pytest
from sqlalchemy import select
from factories import new_case

from admin.cases import actions, referrals
from admin.models import ClockExtension
from complaints.models import EventKind, Status
from core.extensions import db

from support import csv_rows, run_tool


@pytest.fixture
def people(make_people):
    return make_people("handler", "lead")


@pytest.fixture
def extended_and_closed(people):
    case = new_case()
    actions.reply(case, "first_reply", "已收到，正在核实", by=people["handler"])
    referrals.request_extension(case, 10, "需调取乡镇账目", by=people["handler"])
    extension = db.session.scalar(select(ClockExtension).where(ClockExtension.complaint_id == case.id))
    referrals.decide_extension(extension, True, by=people["lead"])
    actions.close(case, "经核实，款项已追回并公示", "属实", by=people["handler"])
    return case.id, case.code


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "case.pdf"
    path.write_bytes(data)
    return re.sub(r"\s+", "", run_tool("pdftotext", "-enc", "UTF-8", str(path), "-"))


def test_a_status_and_an_event_read_the_same_on_the_page_the_pdf_and_the_export(
    client, login, extended_and_closed, tmp_path
):
    case_id, code = extended_and_closed
    status, event = Status.CLOSED.label, EventKind.EXTENDED.label
    login("handler")
    page = client.get(f"/admin/cases/{case_id}").get_data(as_text=True)
    pdf = pdf_text(client.get(f"/admin/cases/{case_id}/file.pdf").data, tmp_path)
    rows = csv_rows(client.get("/admin/cases/export.csv?status=closed"))
    header, row = rows[0], next(row for row in rows if row[0] == code)
    assert status in page and status in pdf and row[header.index("状态")] == status
    assert event in page and event in pdf


def test_an_unknown_status_in_the_exports_query_string_matches_nothing(client, login, extended_and_closed):
    login("handler")
    response = client.get("/admin/cases/export.csv?status=lost")
    assert response.status_code == 200 and len(csv_rows(response)) == 1  # the header alone
