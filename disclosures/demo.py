"""A year of fictional disclosures for the demo county, published through the same services an
import uses. Connected to core.demo's `demo_built` signal by the app factory."""

import random
from datetime import date, timedelta
from decimal import Decimal

from core.db import utcnow
from core.demo import person_name
from core.timezone import local_date
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.models import Kind
from disclosures.services import stage_upload

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
# Paid every month at an amount set for the person when they were assessed (a household's 低保
# changes at its yearly review, not from month to month): (item, lowest, highest, rounded to).
JOB_ITEM = "乡村公益性岗位补贴"
MONTHLY_ITEMS = [
    ("最低生活保障金", 420, 680, 10),
    ("特困人员供养金", 700, 950, 10),
    (JOB_ITEM, 600, 800, 50),
]
MONTHLY_SHARE = 0.55  # the rest of a village's roster is paid by age or by land only
# 高龄津贴 by the age the ID number gives: (from age, per month).
ELDERLY_ITEM, ELDERLY_BANDS = "高龄津贴", ((100, 500), (90, 200), (80, 100))
# 耕地地力保护补贴: once a year, in May, by each household's contracted area (亩) at the
# county's rate per 亩.
LAND_ITEM, LAND_RATE, LAND_MONTH, LAND_SHARE = "耕地地力保护补贴", Decimal("112.60"), 5, 0.7
AREA = "629902"  # fictional, like the county


def _id_number(rng: random.Random, born: date) -> str:
    from stdnum.iso7064 import mod_11_2  # imported by the demo only: stdnum pulls in pydoc

    body = f"{AREA}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + mod_11_2.calc_check_digit(body)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def born_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


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


def _fresh_name(rng, taken: set[str]) -> str:
    """A name no other person of the demo has, nor holds inside their own (王伟 beside 王伟芳):
    rosters mask a recipient's name while contracts name their holder in full, and a masked
    name must not be readable on the contracts page (tests/test_demo_privacy.py)."""
    while True:
        name = person_name(rng)
        if not any(name in other or other in name for other in taken):
            taken.add(name)
            return name


def _people(rng, count: int, today: date, taken: set[str]) -> list[dict]:
    """A village's recipients: who they are, and what each is paid (the amounts fixed here)."""
    people = []
    for _ in range(count):
        # Rosters lean old: the allowances are for the elderly, the poor and the farmers.
        born = date(1922, 1, 1) + timedelta(days=int(rng.triangular(0, 365 * 80, 365 * 30)))
        monthly = {}
        # A public-welfare post is a job: for villagers of working age.
        items = [entry for entry in MONTHLY_ITEMS if entry[0] != JOB_ITEM or age_on(born, today) < 65]
        if rng.random() < MONTHLY_SHARE:
            item, low, high, step = rng.choice(items)
            monthly[item] = Decimal(rng.randrange(low, high + 1, step))
        people.append(
            {
                "name": _fresh_name(rng, taken),
                "born": born,
                "id_number": _id_number(rng, born),
                "account": "6228" + "".join(str(rng.randrange(10)) for _ in range(15)),
                "monthly": monthly,
                "land_mu": Decimal(rng.randint(8, 150)) / 10 if rng.random() < LAND_SHARE else None,
            }
        )
    return people


def _payments(person: dict, year: int, month: int) -> list[tuple[str, Decimal]]:
    paid_on = date(year, month, 15)
    payments = list(person["monthly"].items())
    age = age_on(person["born"], paid_on)
    elderly = next((amount for band, amount in ELDERLY_BANDS if age >= band), None)
    if elderly:
        payments.append((ELDERLY_ITEM, Decimal(elderly)))
    if month == LAND_MONTH and person["land_mu"]:
        payments.append((LAND_ITEM, (person["land_mu"] * LAND_RATE).quantize(Decimal("0.01"))))
    return payments


def _subsidies(people: list[dict], year: int, month: int) -> list[dict]:
    rows = []
    for person in people:
        for item, amount in _payments(person, year, month):
            rows.append(
                {
                    "row_number": len(rows) + 2,
                    "item": item,
                    "month": f"{year}-{month:02d}",
                    "name": person["name"],
                    "id_number": person["id_number"],
                    "amount": amount,
                    "paid_on": date(year, month, 15),
                    "account": person["account"],
                }
            )
    return rows


def _contracts(rng, village: str, taken: set[str]) -> list[dict]:
    start = date(2025, rng.randint(1, 12), rng.randint(1, 28))
    return [
        {
            "row_number": i + 2,
            "contract_no": f"HT{village[-6:]}{i:02d}",
            "subject": subject,
            "category": category,
            "party": _fresh_name(rng, taken),
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
    today = local_date(utcnow())
    months, total, taken = _months(today), 0, set()
    for code in villages:
        contracts = _contracts(rng, code, taken)
        batches = [ParsedBatch(code, Kind.CONTRACTS, None, contracts)]
        projects = _projects(rng, code, months)
        batches += [ParsedBatch(code, Kind.PROJECTS, None, [row]) for row in projects]
        people, counter = _people(rng, rng.randint(10, 18), today, taken), [0]
        for year, month in months:
            batches.append(
                ParsedBatch(
                    code, Kind.LEDGER, f"{year}-{month:02d}", _ledger(rng, code, year, month, counter, contracts)
                )
            )
            batches.append(ParsedBatch(code, Kind.SUBSIDIES, None, _subsidies(people, year, month)))
        for batch in batches:
            stage_upload(ParsedUpload(batch.kind, "演示数据", [batch]), uploader=None, publish=True)
            total += len(batch.rows)
    return total


def on_demo_built(rng, villages: list[str]) -> None:
    build_disclosures(rng, villages)
