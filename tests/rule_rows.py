"""Rows, ID numbers and a roster upload for the rules' tests (tests/rules), importable by name."""

import io
from datetime import date
from decimal import Decimal

from stdnum.iso7064 import mod_11_2

V1, V2, V3 = "629901101201", "629901101202", "629901102201"


def person(serial: int, born: str = "19500101") -> str:
    """A valid 身份证号 (fictional area 629901): birth date, a serial, the MOD 11-2 check character."""
    body = f"629901{born}{serial:03d}"
    return body + mod_11_2.calc_check_digit(body)


def payment(
    id_number: str,
    item: str = "最低生活保障金",
    month: str = "2026-09",
    amount: str = "500.00",
    account: str | None = None,
    name: str = "张三",
) -> dict:
    year, number = map(int, month.split("-"))
    return {
        "item": item,
        "month": month,
        "name": name,
        "id_number": id_number,
        "amount": Decimal(amount),
        "paid_on": date(year, number, 15),
        "account": account,
    }


def entry(
    day: date,
    amount: str,
    *,
    direction: str = "expense",
    category: str = "管理费用",
    counterparty: str = "",
    link: str = "",
    voucher: str | None = None,
) -> dict:
    return {
        "entry_on": day,
        "month": day.strftime("%Y-%m"),
        "year": day.year,
        "voucher_no": voucher or f"记-{day.isoformat()}-{amount}-{counterparty}{link}",
        "direction": direction,
        "category": category,
        "summary": "支出" if direction == "expense" else "收入",
        "amount": Decimal(amount),
        "counterparty": counterparty,
        "link_code": link,
    }


def upload_roster(client, kind: str, text: str):
    """Post a roster file to the upload form as a signed-in user; the preview (or errors) page."""
    from support import csrf_from

    page = client.get("/admin/rosters")
    return client.post(
        "/admin/rosters/upload",
        data={"csrf_token": csrf_from(page.text), "kind": kind, "file": (io.BytesIO(text.encode()), f"{kind}.csv")},
        content_type="multipart/form-data",
    )
