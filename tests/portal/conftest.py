"""Fixtures for the public disclosure pages: published batches inserted straight through the models."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from sqlalchemy import func, inspect, select

from core.extensions import db
from core.fields import field_cipher
from disclosures.models import ROW_MODELS, Batch, Kind

VILLAGE = "629901101201"
# Columns a correction does not copy from the row it replaces.
VERSION_COLUMNS = {
    "id",
    "batch_id",
    "village_code",
    "published",
    "withdrawn",
    "replaces_id",
    "superseded_by_batch_id",
    "row_number",
}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """A 身份证号 with its GB 11643 check character."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def _prepare(kind: Kind, values: dict, row_number: int) -> dict:
    values.setdefault("row_number", row_number)
    if kind is Kind.LEDGER:
        values.setdefault("month", values["entry_on"].strftime("%Y-%m"))
        values.setdefault("year", values["entry_on"].year)
    if kind is Kind.SUBSIDIES and "id_number" in values:
        cipher, number = field_cipher(), values.pop("id_number")
        values.update(
            id_hash=cipher.lookup_hash(number), id_cipher=cipher.encrypt(number), public_ref=cipher.public_ref(number)
        )
        account = values.pop("account", None)
        if account:
            values.update(account_hash=cipher.lookup_hash(account), account_cipher=cipher.encrypt(account))
    return values


class Publisher:
    """publish_rows(kind, rows, ...) → (batch, rows): a PUBLISHED batch and its rows, committed.

    A row dict with `replaces=<old row>` makes a correction: the old row is superseded by the
    new batch. `publish_rows.correction(old, **changes)` copies the old row's values for that;
    `publish_rows.ledger(...)` and `.project(...)` build row values.
    """

    def __call__(
        self,
        kind,
        rows,
        *,
        village=VILLAGE,
        period=None,
        reason="",
        published_at: datetime | None = None,
        content_hash: str | None = None,
    ):
        kind = Kind(kind)
        sequence = (db.session.scalar(select(func.max(Batch.sequence)).where(Batch.village_code == village)) or 0) + 1
        prepared = [_prepare(kind, dict(row), number) for number, row in enumerate(rows, 1)]
        if kind is Kind.LEDGER and period is None:
            period = prepared[0]["month"]
        # Letters between the digits: no fingerprint can look like digits of an ID number.
        batch = Batch(
            village_code=village,
            kind=kind.value,
            period=period,
            status="published",
            is_correction=any("replaces" in row for row in prepared),
            reason=reason,
            row_count=len(prepared),
            sequence=sequence,
            content_hash=content_hash or f"{sequence:04x}" + "ab" * 30,
            published_at=published_at or datetime(2025, 3, 1, 2, tzinfo=timezone.utc) + timedelta(hours=sequence),
        )
        db.session.add(batch)
        db.session.flush()
        made = []
        for values in prepared:
            old = values.pop("replaces", None)
            row = ROW_MODELS[kind](batch_id=batch.id, village_code=village, published=True, **values)
            if old is not None:
                row.replaces_id = old.id
                old.superseded_by_batch_id = batch.id
            db.session.add(row)
            made.append(row)
        db.session.commit()
        return batch, made

    @staticmethod
    def correction(old, **changes) -> dict:
        """The old row's values with the changes, marked as replacing it."""
        values = {
            column.key: getattr(old, column.key)
            for column in inspect(type(old)).columns
            if column.key not in VERSION_COLUMNS
        }
        return values | changes | {"replaces": old}


def ledger(day, voucher, direction, category, summary, amount, counterparty="", link=""):
    """One ledger row's values."""
    return {
        "entry_on": day,
        "voucher_no": voucher,
        "direction": direction,
        "category": category,
        "summary": summary,
        "amount": D(amount),
        "counterparty": counterparty,
        "link_code": link,
    }


def project(no, name, status, progress, paid, updated, note=""):
    """One project update's values (a road project of 300,000 元)."""
    return {
        "project_no": no,
        "name": name,
        "project_type": "道路",
        "budget": D("300000.00"),
        "funding_source": "财政衔接资金",
        "contractor": "青川县路桥有限公司",
        "approved_on": date(2024, 9, 1),
        "start_on": date(2024, 10, 8),
        "planned_end_on": date(2025, 6, 30),
        "progress": progress,
        "paid_total": D(paid),
        "status": status,
        "updated_on": updated,
        "note": note,
    }


Publisher.ledger = staticmethod(ledger)
Publisher.project = staticmethod(project)


@pytest.fixture
def publish_rows(app, township_tree):
    return Publisher()


@pytest.fixture
def people():
    """Fictional recipients: name, ID number, bank account."""
    return {
        "zhang": ("张三", id_number("11010119800101002"), "6228480402564890018"),
        "wang": ("王小明", id_number("11010119750312003"), "6217003810026655442"),
        "wang2": ("王小明", id_number("13010219880523004"), "6222020200114477553"),
        "ouyang": ("欧阳小锋", id_number("37020219900718005"), "6230580000998877664"),
    }


@pytest.fixture
def seeded(publish_rows, people):
    """Two months of 青山村's ledger with a correction and a withdrawal, rosters, projects, a
    contract, and a row in 上东村 that no 青山村 page may show."""

    def roster(who, item, month, amount, paid):
        name, number, account = people[who]
        return {
            "item": item,
            "month": month,
            "name": name,
            "id_number": number,
            "account": account,
            "amount": D(amount),
            "paid_on": paid,
        }

    _, jan = publish_rows(
        "ledger",
        [
            ledger(
                date(2025, 1, 5), "记-001", "income", "发包及上交收入", "村东耕地承包费", "5000.00", "李大山", "HT-001"
            ),
            ledger(date(2025, 1, 10), "记-002", "expense", "管理费用", "办公用品", "300.00", "县城文具店"),
            ledger(
                date(2025, 1, 20), "记-003", "income", "补助收入", "上级转移支付 分红100元", "10000.00", "黄大镇财政所"
            ),
            ledger(date(2025, 1, 25), "记-004", "expense", "公益支出", "道路维修", "2000.00", "青山建筑队"),
        ],
    )
    _, feb = publish_rows(
        "ledger",
        [
            ledger(
                date(2025, 2, 3),
                "记-005",
                "expense",
                "管理费用",
                '=HYPERLINK("http://evil.example")',
                "100.00",
                "@SUM(1)",
            ),
            ledger(date(2025, 2, 15), "记-006", "income", "经营收入", "分红100%_纯利", "800.00", "村合作社"),
            ledger(date(2025, 2, 20), "记-007", "expense", "管理费用", "电费", "150.50", "国网供电所"),
        ],
    )
    _, fixes = publish_rows(
        "ledger",
        [publish_rows.correction(jan[3], amount=D("2200.00")), publish_rows.correction(jan[1], withdrawn=True)],
        period="2025-01",
        reason="金额录入错误，办公用品为重复入账",
    )
    publish_rows(
        "ledger",
        [ledger(date(2025, 2, 10), "记-001", "income", "经营收入", "分红100%_纯利", "999.00", "上东合作社")],
        village="629901101202",
    )
    _, roster_rows = publish_rows(
        "subsidies",
        [
            roster("zhang", "最低生活保障金", "2025-02", "500.00", date(2025, 2, 10)),
            roster("wang", "最低生活保障金", "2025-02", "620.00", date(2025, 2, 10)),
            roster("ouyang", "最低生活保障金", "2025-02", "700.00", date(2025, 2, 10)),
            roster("wang2", "最低生活保障金", "2025-02", "620.00", date(2025, 2, 10)),
            roster("zhang", "耕地地力保护补贴", "2025-01", "120.50", date(2025, 1, 20)),
        ],
    )
    publish_rows(
        "projects",
        [
            project("XM-001", "村道硬化", "未开工", 0, "0.00", date(2024, 10, 1), "完成招标"),
            project("XM-002", "饮水改造", "已验收", 100, "80000.00", date(2024, 12, 1)),
        ],
    )
    publish_rows("projects", [project("XM-001", "村道硬化", "在建", 40, "100000.00", date(2025, 1, 15), "路基完成")])
    _, contracts = publish_rows(
        "contracts",
        [
            {
                "contract_no": "HT-001",
                "subject": "村东50亩耕地",
                "category": "资源",
                "party": "李大山",
                "start_on": date(2024, 7, 1),
                "end_on": date(2029, 6, 30),
                "annual_rent": D("10000.00"),
                "pay_cycle": "半年",
            }
        ],
    )
    return {"jan": jan, "feb": feb, "fixes": fixes, "roster": roster_rows, "contracts": contracts}
