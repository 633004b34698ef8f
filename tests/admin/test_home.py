"""The 工作台 says what to do, per role: a handler's piles as counts that open the same filtered
queue, a reviewer's waiting batches, an accountant's overdue months and returned batches."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from support import ledger_row
from factories import new_case

from admin.cases import actions
from complaints.models import Complaint
from core.timezone import SHANGHAI
from disclosures.models import Batch, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import return_batch, stage_upload
from rule_rows import payment, person

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
COUNT = re.compile(
    r'<a href="(/admin/cases\?[^"]+)">\s*<span class="muted">([^<]+)</span>\s*'
    r'<span class="value[^"]*">(\d+)</span>'
)


@pytest.fixture(autouse=True)
def late_november():
    with time_machine.travel(NOW, tick=False):
        yield


def case(received: datetime) -> Complaint:
    return new_case(text="村里修路的钱去向不明", received_at=received)


def ledger_batch(village: str, month: str) -> Batch:
    row = ledger_row(month)
    [batch] = stage_upload(
        ParsedUpload(Kind.LEDGER, "t.csv", [ParsedBatch(village, Kind.LEDGER, month, [row])]), uploader=None
    )
    return batch


def test_a_handlers_counts_open_the_queue_that_lists_them(township_tree, make_user, login, client):
    handler = make_user("handler", "handler", ["629901000000"])
    new, old, waiting = case(NOW - timedelta(hours=2)), case(NOW - timedelta(days=12)), case(NOW - timedelta(days=1))
    actions.reply(waiting, "request_info", "请补充收据照片", by=handler)
    login("handler")
    page = client.get("/admin/")
    counts = {label: (href.replace("&amp;", "&"), int(count)) for href, label, count in COUNT.findall(page.text)}
    assert {label: count for label, (_, count) in counts.items()} == {
        "新收到": 2,
        "即将到期": 0,
        "已超期": 1,
        "待补充材料": 1,
        "重新办理": 0,
    }
    for label, (href, count) in counts.items():
        listed = client.get(href).text
        assert sum(code in listed for code in (new.code, old.code, waiting.code)) == count, label
    assert 'class="value bad">1<' in page.text  # the overdue pile stands out


def test_a_reviewer_sees_the_batches_waiting_by_village_and_month(township_tree, make_user, login, client):
    make_user("shenhe", "reviewer", ["629901101000"])
    batch = ledger_batch("629901101202", "2026-10")
    ledger_batch("629901102201", "2026-10")  # another township's
    login("shenhe")
    page = client.get("/admin/").text
    assert "待审核的公开批次（1）" in page
    assert f'href="/disclosures/batches/{batch.id}">上东村 收支明细 2026-10</a>' in page


def test_an_accountant_sees_overdue_months_and_returned_batches_with_the_reason(
    township_tree, make_user, login, client
):
    make_user("kuaiji", "accountant", ["629901101201"])
    reviewer = make_user("shenhe", "reviewer", ["629901101000"])
    returned = ledger_batch("629901101201", "2026-10")
    return_batch(returned, reviewer=reviewer, note="第3行金额与凭证不符")
    login("kuaiji")
    page = client.get("/admin/").text
    assert "第3行金额与凭证不符" in page and f"/disclosures/batches/{returned.id}" in page
    # October's ledger was due on 10 November, and the returned batch does not count as disclosed.
    assert re.search(
        r'<td data-label="村">青山村</td><td data-label="公开内容">收支明细</td><td data-label="月份">2026-10</td>'
        r'<td data-label="公开期限">2026-11-10</td>\s*<td data-label="状态"><span class="badge bad">逾期未公开',
        page,
    )
    ledger_batch("629901101201", "2026-10")  # uploaded again: no longer returned, waiting for review
    page = client.get("/admin/").text
    assert "第3行金额与凭证不符" not in page and "没有被退回的批次" in page


def test_an_accountant_follows_a_late_roster_to_the_upload_page_set_for_it(township_tree, make_user, login, client):
    make_user("kuaiji", "accountant", ["629901101201"])
    village = "629901101201"
    row = payment(person(1), "最低生活保障金", "2026-09")
    stage_upload(
        ParsedUpload(
            Kind.SUBSIDIES,
            "t.csv",
            [ParsedBatch(village, Kind.SUBSIDIES, None, [{"row_number": 2, "village_code": village, **row}])],
        ),
        uploader=None,
        publish=True,
    )
    other = payment(person(2), "特困人员供养金", "2026-09")  # another township's village: not shown
    stage_upload(
        ParsedUpload(
            Kind.SUBSIDIES,
            "t.csv",
            [
                ParsedBatch(
                    "629901102201", Kind.SUBSIDIES, None, [{"row_number": 2, "village_code": "629901102201", **other}]
                )
            ],
        ),
        uploader=None,
        publish=True,
    )
    login("kuaiji")
    page = client.get("/admin/").text
    assert "补贴发放·最低生活保障金" in page and "特困人员供养金" not in page
    link = re.search(r'href="(/disclosures/\?[^"]*kind=subsidies[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "period=2026-10" in link and f"village={village}" in link
    upload = client.get(link).text
    assert "要公开：青山村 2026-10 补贴发放·最低生活保障金" in upload
    assert '<option selected value="subsidies">' in upload
    assert f"/disclosures/templates/subsidies.xlsx?village={village}" in upload
    # 本月其余项目未发放: declared, the month waits for review and no longer counts as owed.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', upload).group(1)
    answer = client.post(
        "/disclosures/empty-month",
        data={"csrf_token": token, "kind": "subsidies", "village": village, "period": "2026-10"},
        follow_redirects=True,
    )
    assert "本月其余项目未发放" in answer.text
    assert "补贴发放·最低生活保障金" not in client.get("/admin/").text
