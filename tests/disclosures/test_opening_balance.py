"""A village's 期初余额: a ledger row of its own kind, imported, reviewed, published and chained like
any other, from which the public balances start."""

import html
import re
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from core.fields import field_cipher
from core.problems import Rejected
from core.timezone import SHANGHAI
from disclosures import correction_form
from disclosures.chain import verify_chain
from disclosures.importers import validate_rows, validate_upload
from disclosures.models import BatchStatus, Direction, Kind, LedgerEntry
from disclosures.services import approve_batch, correct_row, stage_upload

VILLAGE = "629901101201"
V = f"/r/{VILLAGE}"
HEADER = "村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n"


def row(day, voucher, side, category, summary, amount) -> dict:
    return {
        "村代码": VILLAGE,
        "日期": day,
        "凭证号": voucher,
        "收支": side,
        "科目": category,
        "摘要": summary,
        "金额": amount,
        "对方单位": "",
        "关联编号": "",
    }


def opening(amount="50000.00", voucher="期初", day="2026-01-01") -> dict:
    return row(day, voucher, "期初余额", "期初余额", "2025年末结转", amount)


def problems(rows) -> list[tuple[int, str, str]]:
    with pytest.raises(Rejected) as caught:
        validate_rows(Kind.LEDGER, rows, villages=None)
    return [(p.row, p.column, p.reason) for p in caught.value.problems]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def people(make_people):
    return make_people("accountant", "reviewer")


def publish_csv(people, body: str, period: str):
    upload = validate_upload(Kind.LEDGER, (HEADER + body).encode(), "ledger.csv", villages=None, period=period)
    batches = stage_upload(upload, uploader=people["accountant"])
    for batch in batches:
        approve_batch(batch, reviewer=people["reviewer"])
    return batches


def test_an_opening_balance_row_is_read_as_neither_income_nor_expense(township_tree):
    upload = validate_rows(
        Kind.LEDGER, [opening(), row("2026-01-05", "记-1", "支出", "管理费用", "办公用品", "300")], villages=None
    )
    [batch] = upload.batches
    assert [r["direction"] for r in batch.rows] == [Direction.OPENING, Direction.EXPENSE]


def test_opening_balance_rows_are_checked(people):
    assert problems([opening(), opening(voucher="期初2")]) == [
        (2, "收支", "期初余额与第1行重复（每个村只有一个期初余额）")
    ]
    assert [(r, c) for r, c, _ in problems([row("2026-01-01", "期初", "期初余额", "管理费用", "结转", "1")])] == [
        (1, "科目")
    ]
    assert problems([row("2026-01-01", "期初", "结余", "期初余额", "结转", "1")])[0][2] == "应为 收入、支出 或 期初余额"
    publish_csv(people, "629901101201,2026-01-01,期初,期初余额,期初余额,2025年末结转,50000.00,,\n", "2026-01")
    assert problems([opening(voucher="期初2", day="2026-02-01")]) == [
        (1, "收支", "本村已上报过期初余额；要改请对那一行提交更正")
    ]


def test_a_totals_row_leaves_the_opening_balance_out(township_tree):
    rows = [
        opening(),
        row("2026-01-05", "记-1", "收入", "其他收入", "利息", "20"),
        {
            "村代码": "合计",
            "日期": "",
            "凭证号": "",
            "收支": "",
            "科目": "",
            "摘要": "",
            "金额": "20",
            "对方单位": "",
            "关联编号": "",
        },
    ]
    body = HEADER + "\n".join(",".join(r.values()) for r in rows) + "\n"
    assert validate_upload(Kind.LEDGER, body.encode(), "l.csv", villages=None).row_count == 2


def test_a_published_opening_balance_starts_the_public_balances(people, client, cli):
    publish_csv(
        people,
        "629901101201,2026-01-01,期初,期初余额,期初余额,2025年末结转,50000.00,,\n"
        "629901101201,2026-01-05,记-1,支出,管理费用,办公用品,300.00,,\n",
        "2026-01",
    )
    publish_csv(
        people,
        "629901101201,2026-02-03,记-2,收入,其他收入,利息,20.00,,\n"
        "629901101201,2026-02-08,记-3,支出,公益支出,路灯,1000.00,,\n",
        "2026-02",
    )
    assert verify_chain(VILLAGE, field_cipher()) == []
    assert cli.invoke(args=["disclosures", "verify"]).exit_code == 0
    with time_machine.travel(datetime(2026, 2, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        village = text(client.get(V))
        january = text(client.get(f"{V}/ledger?month=2026-01"))
        february = text(client.get(f"{V}/ledger?month=2026-02"))
    # The year's 结余 is income minus expense only; the book balance starts from the opening.
    assert "结余 -980.00 -1,280.00" in village
    assert "期初余额（2026年1月1日，本村开始公开时账上的钱）： 50,000.00 元" in village
    assert "账面余额（到2026年2月末账上应有的钱）： 48,720.00 元" in village
    assert "不是账上有多少钱" in village and "本村还没有公开期初余额" not in village
    assert "期初余额 50,000.00 本月收入 0.00 本月支出 300.00 期末余额 49,700.00" in january
    assert "公开了期初余额 50,000.00 元（凭证号 期初，2025年末结转）" in january
    assert "2026-01-05 记-1 管理费用 办公用品 300.00 49,700.00" in january
    assert "期初余额 49,700.00 本月收入 20.00 本月支出 1,000.00 期末余额 48,720.00" in february
    lines = client.get(f"{V}/ledger.csv?month=2026-01").get_data(as_text=True).splitlines()
    assert lines[1].endswith("期初,期初余额,期初余额,2025年末结转,,,,,50000.00")
    assert lines[2].endswith("记-1,支出,管理费用,办公用品,,,,300.00,49700.00")


def test_an_opening_balance_is_corrected_like_any_row(people, client):
    publish_csv(people, "629901101201,2026-01-01,期初,期初余额,期初余额,2025年末结转,50000.00,,\n", "2026-01")
    old = db.session.scalars(select(LedgerEntry).where(LedgerEntry.direction == Direction.OPENING)).one()
    # Through the correction form's own checks: the row it replaces is no second opening balance.
    assert correction_form.column_values(Kind.LEDGER, old, viewer=people["accountant"])["收支"] == "期初余额"
    form = {
        "日期": "2026-01-01",
        "收支": "期初余额",
        "科目": "期初余额",
        "摘要": "2025年末结转",
        "金额": "52000.00",
        "对方单位": "",
        "关联编号": "",
    }
    values = correction_form.correction_values(Kind.LEDGER, old, form, people["accountant"])
    correction = correct_row(old, new_values=values, reason="期初余额抄错", by=people["accountant"])
    assert correction.status == BatchStatus.PENDING
    approve_batch(correction, reviewer=people["reviewer"])
    with time_machine.travel(datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        village = text(client.get(V))
        revisions = text(client.get(f"{V}/revisions"))
    assert "52,000.00" in village and "50,000.00" not in village
    assert "期初余额抄错" in revisions
    assert verify_chain(VILLAGE, field_cipher()) == []


def test_without_an_opening_balance_the_page_says_the_balance_starts_at_disclosure(people, client):
    publish_csv(people, "629901101201,2026-01-05,记-1,收入,其他收入,利息,20.00,,\n", "2026-01")
    with time_machine.travel(datetime(2026, 1, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        village = text(client.get(V))
    assert "本村还没有公开期初余额，所以账面余额只从开始公开算起" in village
