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
        r"<td>青山村</td><td>2026-10</td><td>2026-11-10</td>\s*<td><span class=\"badge bad\">逾期未公开", page
    )
    ledger_batch("629901101201", "2026-10")  # uploaded again: no longer returned, waiting for review
    page = client.get("/admin/").text
    assert "第3行金额与凭证不符" not in page and "没有被退回的批次" in page
