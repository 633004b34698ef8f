"""A year of fictional disclosures for the demo county, published through the same services an
import uses. Connected to core.demo's `demo_built` signal by the app factory."""

import random
from datetime import date, timedelta
from decimal import Decimal

from core.db import utcnow
from core.timezone import local_date
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.models import Kind
from disclosures.services import stage_upload

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰凤建国志红林春梅海燕小云文辉鹏堃喆昇赟玥"
INCOME = [
    ("发包及上交收入", "收取承包费"),
    ("经营收入", "集体经营收入"),
    ("补助收入", "上级转移支付"),
    ("投资收益", "合作社分红"),
    ("其他收入", "利息收入"),
]
EXPENSE = [
    ("管理费用", "办公用品"),
    ("管理费用", "村干部误工补贴"),
    ("公益支出", "村道维修"),
    ("公益支出", "环境卫生保洁"),
    ("经营支出", "集体林场管护"),
    ("其他支出", "水电费"),
]
SUBSIDY_ITEMS = [
    ("最低生活保障金", 400, 650),
    ("特困人员供养金", 600, 900),
    ("高龄津贴", 100, 200),
    ("乡村公益性岗位补贴", 500, 800),
]
AREA = "629902"  # fictional, like the county


def _id_number(rng: random.Random) -> str:
    from stdnum.iso7064 import mod_11_2  # imported by the demo only: stdnum pulls in pydoc

    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
    body = f"{AREA}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + mod_11_2.calc_check_digit(body)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _months(today: date, count: int = 12) -> list[tuple[int, int]]:
    year, month, months = today.year, today.month, []
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append((year, month))
    return list(reversed(months))


def _ledger(rng, village: str, year: int, month: int, counter: list[int], contracts: list[dict]) -> list[dict]:
    rows = []
    for _ in range(rng.randint(6, 14)):
        day = date(year, month, rng.randint(1, 28))
        income = rng.random() < 0.35
        category, summary = rng.choice(INCOME if income else EXPENSE)
        link = ""
        if income and category == "发包及上交收入" and contracts:
            link = rng.choice(contracts)["contract_no"]
        counter[0] += 1
        rows.append(
            {
                "row_number": len(rows) + 2,
                "entry_on": day,
                "month": f"{year}-{month:02d}",
                "year": year,
                "voucher_no": f"记{year}-{counter[0]:04d}",
                "direction": "income" if income else "expense",
                "category": category,
                "summary": summary,
                "amount": Decimal(rng.randrange(500000, 6000000) if income else rng.randrange(20000, 1500000)) / 100,
                "counterparty": "清溪县" + rng.choice("东西南北") + "商店" if not income else "清溪县农商银行",
                "link_code": link,
            }
        )
    return rows


def _people(rng, count: int) -> list[dict]:
    return [
        {
            "name": _name(rng),
            "id_number": _id_number(rng),
            "account": "6228" + "".join(str(rng.randrange(10)) for _ in range(15)),
            "item": rng.choice(SUBSIDY_ITEMS),
        }
        for _ in range(count)
    ]


def _subsidies(rng, people: list[dict], year: int, month: int) -> list[dict]:
    return [
        {
            "row_number": i + 2,
            "item": p["item"][0],
            "month": f"{year}-{month:02d}",
            "name": p["name"],
            "id_number": p["id_number"],
            "amount": Decimal(rng.randint(p["item"][1], p["item"][2])),
            "paid_on": date(year, month, 15),
            "account": p["account"],
        }
        for i, p in enumerate(people)
    ]


def _contracts(rng, village: str) -> list[dict]:
    start = date(2025, rng.randint(1, 12), rng.randint(1, 28))
    return [
        {
            "row_number": i + 2,
            "contract_no": f"HT{village[-6:]}{i:02d}",
            "subject": subject,
            "category": category,
            "party": _name(rng),
            "party_id": "",
            "start_on": start,
            "end_on": start.replace(year=start.year + 5),
            "annual_rent": Decimal(rng.randrange(5, 60) * 1000),
            "pay_cycle": rng.choice(["年", "半年", "季", "月"]),
        }
        for i, (subject, category) in enumerate([("村东耕地", "资源"), ("临街门面", "资产")])
    ]


def _projects(rng, village: str, months: list[tuple[int, int]]) -> list[dict]:
    rows = []
    for i, (name, kind) in enumerate([("通组道路硬化", "道路"), ("人饮安全巩固", "饮水")]):
        budget = Decimal(rng.randrange(80, 300) * 1000)
        for step, (year, month) in enumerate(months[::4]):
            progress = min(100, 30 * (step + 1))
            rows.append(
                {
                    "row_number": len(rows) + 2,
                    "project_no": f"XM{village[-6:]}{i:02d}",
                    "name": name,
                    "project_type": kind,
                    "budget": budget,
                    "funding_source": "衔接资金",
                    "contractor": "清溪县建筑工程有限公司",
                    "contractor_uscc": "",
                    "approved_on": date(*months[0], 1),
                    "start_on": date(*months[0], 20),
                    "planned_end_on": date(*months[-1], 28),
                    "progress": progress,
                    "paid_total": (budget * progress / 100).quantize(Decimal("0.01")),
                    "status": "已完工" if progress == 100 else "在建",
                    "updated_on": date(year, month, 25),
                    "note": "",
                }
            )
    return rows


def build_disclosures(rng: random.Random, villages: list[str]) -> int:
    """Publish a year of ledgers and rosters, projects and contracts for each village; row count."""
    months = _months(local_date(utcnow()))
    total = 0
    for code in villages:
        contracts = _contracts(rng, code)
        batches = [ParsedBatch(code, Kind.CONTRACTS, None, contracts)]
        projects = _projects(rng, code, months)
        batches += [ParsedBatch(code, Kind.PROJECTS, None, [row]) for row in projects]
        people, counter = _people(rng, rng.randint(8, 16)), [0]
        for year, month in months:
            batches.append(
                ParsedBatch(
                    code, Kind.LEDGER, f"{year}-{month:02d}", _ledger(rng, code, year, month, counter, contracts)
                )
            )
            batches.append(ParsedBatch(code, Kind.SUBSIDIES, None, _subsidies(rng, people, year, month)))
        for batch in batches:
            stage_upload(ParsedUpload(batch.kind, "演示数据", [batch]), uploader=None, publish=True)
            total += len(batch.rows)
    return total


def on_demo_built(rng, villages: list[str]) -> None:
    build_disclosures(rng, villages)
