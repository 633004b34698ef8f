"""Deterministic bench data: a region set, a subsidy roster (.xlsx) and a ledger (.csv).

The same seed gives the same files and the same rows, so the import and the baseline insert
exactly the same values. Every value is fictional; the county code 629901 is the samples' one.
"""

import csv
import random
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from stdnum.iso7064 import mod_11_2

COUNTY = "629901000000"
YEAR = 2025
SEED = 20251
VILLAGES_PER_TOWNSHIP = 10

SUBSIDY_COLUMNS = ("村代码", "补贴项目", "发放年月", "姓名", "身份证号", "金额", "发放日期", "银行账号")
LEDGER_COLUMNS = ("村代码", "日期", "凭证号", "收支", "科目", "摘要", "金额", "对方单位", "关联编号")
SUBSIDY_ITEMS = (
    "最低生活保障金",
    "特困人员供养金",
    "公益林补偿金",
    "耕地地力保护补贴",
    "高龄津贴",
    "乡村公益性岗位补贴",
    "残疾人两项补贴",
)
INCOME = ("经营收入", "投资收益", "补助收入", "其他收入")
EXPENSE = ("经营支出", "管理费用", "公益支出", "其他支出")
SUMMARIES = (
    "购买办公用品",
    "村道维修",
    "水电费",
    "集体经营分红",
    "上级转移支付",
    "保洁员工资",
    "路灯维护",
    "会议误餐费",
    "水渠清淤",
    "文化广场维护",
    "鱼塘发包收入",
    "报刊订阅",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志"


def villages(count: int) -> list[str]:
    """Village codes, ten to a township."""
    return [f"629901{101 + n // VILLAGES_PER_TOWNSHIP:03d}{201 + n % VILLAGES_PER_TOWNSHIP:03d}" for n in range(count)]


def regions(count: int) -> list[dict]:
    """The county, its townships and `count` villages, parents first."""
    found = [{"code": COUNTY, "name": "青川县", "level": "county", "parent_code": None}]
    for code in villages(count):
        township = code[:9] + "000"
        if found[-1]["code"][:9] != code[:9]:
            found.append({"code": township, "name": f"测试{code[6:9]}镇", "level": "township", "parent_code": COUNTY})
        found.append(
            {"code": code, "name": f"测试{code[6:9]}{code[9:]}村", "level": "village", "parent_code": township}
        )
    return sorted(found, key=lambda region: ("county", "township", "village").index(region["level"]))


def contract_no(village: str) -> str:
    return f"HT{village[-6:]}-01"


def contracts(village_codes: list[str]) -> list[dict]:
    """One lease per village, so that ledger rows can name it in 关联编号."""
    return [
        {
            "村代码": code,
            "合同编号": contract_no(code),
            "标的名称": "村东50亩耕地",
            "类别": "资源",
            "承包方": "青川县测试种植合作社",
            "承包方证件号": None,
            "起始日期": "2024-01-01",
            "终止日期": "2029-12-31",
            "年租金": "12000.00",
            "缴费周期": "年",
        }
        for code in village_codes
    ]


def _id_number(rng: random.Random) -> str:
    born = date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
    body = f"629901{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + mod_11_2.calc_check_digit(body)


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def subsidy_rows(total: int, village_codes: list[str]) -> Iterator[tuple]:
    """(村代码, 补贴项目, 发放年月, 姓名, 身份证号, 金额 Decimal, 发放日期 date, 银行账号 or None)."""
    rng = random.Random(SEED)
    for index, code in enumerate(village_codes):
        count = _share(total, len(village_codes), index)
        people = [
            (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN)),
                _id_number(rng),
                f"6228{rng.randint(10**14, 10**15 - 1)}" if rng.random() < 0.8 else None,
            )
            for _ in range(max(1, count // 12))
        ]
        for n in range(count):
            month = 1 + n * 12 // max(count, 1)
            name, id_number, account = people[n % len(people)]
            amount = Decimal(rng.randint(5000, 150000)).scaleb(-2)
            yield (
                code,
                SUBSIDY_ITEMS[n % len(SUBSIDY_ITEMS)],
                f"{YEAR}-{month:02d}",
                name,
                id_number,
                amount,
                date(YEAR, month, rng.randint(1, 28)),
                account,
            )


def ledger_rows(total: int, village_codes: list[str]) -> Iterator[tuple]:
    """(村代码, 日期 date, 凭证号, 收支, 科目, 摘要, 金额 Decimal, 对方单位, 关联编号), by village and date."""
    rng = random.Random(SEED + 1)
    for index, code in enumerate(village_codes):
        count = _share(total, len(village_codes), index)
        for n in range(count):
            day = date(YEAR, 1 + n * 12 // max(count, 1), 1 + (n * 12 * 28 // max(count, 1)) % 28)
            amount = Decimal(rng.randint(100, 5_000_000)).scaleb(-2)
            if rng.random() < 0.01:  # rent received on the village's lease
                yield (
                    code,
                    day,
                    f"记{YEAR}-{n + 1:05d}",
                    "收入",
                    "发包及上交收入",
                    "耕地发包租金",
                    amount,
                    "青川县测试种植合作社",
                    contract_no(code),
                )
                continue
            income = rng.random() < 0.3
            yield (
                code,
                day,
                f"记{YEAR}-{n + 1:05d}",
                "收入" if income else "支出",
                rng.choice(INCOME if income else EXPENSE),
                rng.choice(SUMMARIES),
                amount,
                f"青川县测试商店{rng.randint(1, 999):04d}号" if rng.random() < 0.7 else "",
                "",
            )


def write_subsidies_xlsx(path: Path, total: int, village_codes: list[str]) -> None:
    """The roster as people save it: a title line, typed cells (number, date), a 合计 row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("补贴发放")
    sheet.append([f"青川县{YEAR}年惠民惠农补贴发放名册（基准测试数据）"])
    sheet.append(list(SUBSIDY_COLUMNS))
    amounts = Decimal(0)
    for code, item, month, name, id_number, amount, paid_on, account in subsidy_rows(total, village_codes):
        amounts += amount
        sheet.append(
            [
                code,
                item,
                month,
                name,
                id_number,
                float(amount),
                datetime(paid_on.year, paid_on.month, paid_on.day),
                account,
            ]
        )
    sheet.append(["合计", None, None, None, None, float(amounts)])
    book.save(path)


def write_ledger_csv(path: Path, total: int, village_codes: list[str]) -> None:
    """The ledger as a UTF-8 CSV with title lines and 收入合计 / 支出合计 rows."""
    sums = {"收入": Decimal(0), "支出": Decimal(0)}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"青川县{YEAR}年村集体资金收支明细（基准测试数据）"])
        writer.writerow(["单位：元"])
        writer.writerow(LEDGER_COLUMNS)
        for row in ledger_rows(total, village_codes):
            sums[row[3]] += row[6]
            writer.writerow([row[0], row[1].isoformat(), *row[2:6], f"{row[6]:.2f}", *row[7:]])
        for side, amount in sums.items():
            writer.writerow([f"{side}合计", "", "", "", "", "", f"{amount:.2f}", "", ""])
