"""Deterministic data for the rules bench, written straight into a migrated database (published
batches, sealed ID numbers and accounts as the importers store them): subsidy payments, ledger
rows, projects, contracts and the four rosters, with a small share of planted violations among
ordinary rows. Every value is fictional; 629901 is the samples' county.

    python bench/rules_data.py DATABASE_URL SUBSIDIES LEDGER ROSTERS [VILLAGES]
"""

import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import import_data  # noqa: E402  (bench/ is on sys.path when run as a script)
from import_db import app_config  # noqa: E402

SEED = 2026_12
CHUNK = 20_000
ITEMS = {
    "最低生活保障金": 650,
    "特困人员供养金": 900,
    "高龄津贴": 200,
    "乡村公益性岗位补贴": 800,
    "残疾人两项补贴": 180,
    "耕地地力保护补贴": 3000,
    "公益林补偿金": 2000,
    "职业技能培训补贴": 1500,
}
MONTHS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)][:22]  # to 2026-10
FIRST_DAY, LAST_DAY = date(2025, 1, 1), date(2026, 10, 31)


class People:
    """Persons with sealed ID numbers and accounts, encrypted once each (a cipher is per value)."""

    def __init__(self, cipher, rng: random.Random, villages: list[str], count: int):
        self.village = [villages[n % len(villages)] for n in range(count)]
        self.id_hash, self.id_cipher, self.account_hash, self.account_cipher = [], [], [], []
        for n in range(count):
            id_number, account = f"629901{19400101 + n % 600000:08d}{n % 1000:03d}X", f"6228{n:015d}"
            self.id_hash.append(cipher.lookup_hash(id_number))
            self.id_cipher.append(cipher.encrypt(id_number))
            self.account_hash.append(cipher.lookup_hash(account))
            self.account_cipher.append(cipher.encrypt(account))
        step = len(villages)  # the person `step` before lives in the same village
        for n in rng.sample(range(step, count), count // 1000):  # a few share an account with a neighbour
            self.account_hash[n], self.account_cipher[n] = self.account_hash[n - step], self.account_cipher[n - step]


def _batches(db, villages: list[str], kind: str) -> dict[str, int]:
    from disclosures.models import Batch

    rows = [
        {
            "village_code": code,
            "kind": kind,
            "status": "published",
            "row_count": 0,
            "sequence": None,
            "source_filename": "bench",
        }
        for code in villages
    ]
    db.session.execute(insert(Batch), rows)
    return dict(db.session.execute(select(Batch.village_code, Batch.id).where(Batch.kind == kind)).all())


def _store(table, rows, bulk_insert) -> int:
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        bulk_insert(table, chunk)
        total += len(chunk)
    return total


def _disclosed(batch: int, village: str, number: int) -> dict:
    return {"batch_id": batch, "village_code": village, "row_number": number, "published": True, "withdrawn": False}


def subsidy_rows(people: People, batches: dict, rng: random.Random, total: int):
    """Each person draws one item for a run of months; about 0.05% of rows repeat, exceed the
    standard, or come with the exclusive item of the same month."""
    number, person = 0, 0
    while number < total:
        village, item = people.village[person], rng.choice(list(ITEMS))
        start = rng.randrange(len(MONTHS) - 4)
        for month in MONTHS[start : start + rng.randint(2, 8)]:
            amount = Decimal(rng.randint(ITEMS[item] * 40, ITEMS[item] * 100)) / 100
            planted = rng.random()
            if planted < 0.0005:
                amount = Decimal(ITEMS[item] + 10)
            copies = [(item, amount)] * (2 if 0.0005 <= planted < 0.001 else 1)
            if item == "最低生活保障金" and 0.001 <= planted < 0.0015:
                copies.append(("特困人员供养金", Decimal(500)))
            for paid_item, paid in copies:
                number += 1
                yield {
                    **_disclosed(batches[village], village, number),
                    "item": paid_item,
                    "month": month,
                    "name": "测试",
                    "id_hash": people.id_hash[person],
                    "id_cipher": people.id_cipher[person],
                    "public_ref": "BENCH000",
                    "amount": paid,
                    "paid_on": date(int(month[:4]), int(month[5:]), 15),
                    "account_hash": people.account_hash[person],
                    "account_cipher": people.account_cipher[person],
                }
        person += 1


def ledger_rows(villages: list[str], batches: dict, rng: random.Random, total: int):
    """Ordinary income and expense rows, 50 payees a village; linked project expenses and rent."""
    per_village = max(1, total // len(villages))
    for village in villages:
        for n in range(per_village):
            day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
            kind = rng.random()
            link, category, direction, payee = "", "管理费用", "expense", f"测试商店{rng.randrange(50):02d}号"
            if kind < 0.02:
                link, category = f"XM{village[-6:]}{rng.randrange(5)}", "公益支出"
            elif kind < 0.06:
                link, category, direction = f"HT{village[-6:]}{rng.randrange(5)}", "发包及上交收入", "income"
            elif kind < 0.3:
                category, direction, payee = "补助收入", "income", "县财政局"
            yield {
                **_disclosed(batches[village], village, n + 2),
                "entry_on": day,
                "month": day.strftime("%Y-%m"),
                "year": day.year,
                "voucher_no": f"记-{n}",
                "direction": direction,
                "category": category,
                "summary": "测试",
                "amount": Decimal(rng.randint(1000, 800000)) / 100,
                "counterparty": payee,
                "link_code": link,
            }


def project_rows(villages: list[str], batches: dict, rng: random.Random):
    for village in villages:
        for p in range(5):
            budget = Decimal(rng.randint(50_000, 500_000))
            approved = FIRST_DAY + timedelta(days=rng.randrange(20))
            for update in range(4):
                paid = budget * Decimal(update + 1) / 4 * (Decimal("1.1") if rng.random() < 0.005 else 1)
                yield {
                    **_disclosed(batches[village], village, p * 4 + update + 2),
                    "project_no": f"XM{village[-6:]}{p}",
                    "name": "测试项目",
                    "project_type": "道路",
                    "budget": budget,
                    "funding_source": "",
                    "contractor": "测试建筑公司",
                    "contractor_uscc": "",
                    "approved_on": approved,
                    "start_on": approved,
                    "planned_end_on": None,
                    "progress": 25 * (update + 1),
                    "paid_total": paid.quantize(Decimal("0.01")),
                    "status": "在建",
                    "updated_on": approved + timedelta(days=60 * (update + 1)),
                    "note": "",
                }


def contract_rows(villages: list[str], batches: dict, rng: random.Random):
    for village in villages:
        for c in range(5):
            start = FIRST_DAY + timedelta(days=rng.randrange(300))
            yield {
                **_disclosed(batches[village], village, c + 2),
                "contract_no": f"HT{village[-6:]}{c}",
                "subject": "测试耕地",
                "category": "资源",
                "party": "测试合作社",
                "party_id_hash": None,
                "party_id_cipher": None,
                "start_on": start,
                "end_on": start + timedelta(days=3 * 365),
                "annual_rent": Decimal(rng.choice((1200, 6000, 12000, 30000))),
                "pay_cycle": rng.choice("年季月"),
            }


def _mostly_unpaid(rng: random.Random, paid: int, count: int, size: int) -> list[int]:
    """Persons beyond the `paid` ones (who draw subsidies), and 1% among them."""
    return [rng.randrange(paid) if rng.random() < 0.01 else rng.randrange(paid, count) for _ in range(size)]


def roster_rows(people: People, paid: int, rng: random.Random, total: int, versions: dict):
    """Deceased (most after their last payment), public employees and cadres' kin (a few paid)."""
    count = len(people.village)
    third = total // 3
    deceased = [
        {
            "version_id": versions["deceased"],
            "row_number": n + 2,
            "name": "测试",
            "id_hash": people.id_hash[p],
            "id_cipher": people.id_cipher[p],
            "died_on": date(2026, 10, 20) if rng.random() > 0.01 else date(2025, 3, 1),
            "died_month": None,
        }
        for n, p in enumerate(rng.sample(range(count), min(third, count)))
    ]
    for row in deceased:
        row["died_month"] = row["died_on"].strftime("%Y-%m")
    employees = [
        {
            "version_id": versions["public_employees"],
            "row_number": n + 2,
            "name": "测试",
            "id_hash": people.id_hash[p],
            "id_cipher": people.id_cipher[p],
            "employer": "测试局",
            "category": "公务员",
        }
        for n, p in enumerate(_mostly_unpaid(rng, paid, count, third))
    ]
    cadres = []
    for n, p in enumerate(_mostly_unpaid(rng, paid, count, total - 2 * third)):
        cadres.append(
            {
                "version_id": versions["cadres"],
                "row_number": n + 2,
                "village_code": people.village[p],
                "name": "测试",
                "id_hash": people.id_hash[p],
                "id_cipher": people.id_cipher[p],
                "post": "村委委员" if n % 10 == 0 else "",
                "cadre_id_hash": None if n % 10 == 0 else people.id_hash[p],
                "cadre_id_cipher": None,
                "relation": "本人" if n % 10 == 0 else "配偶",
            }
        )
    standards = [
        {
            "version_id": versions["standards"],
            "row_number": n + 2,
            "item": item,
            "from_month": "2025-01",
            "max_amount": Decimal(limit),
        }
        for n, (item, limit) in enumerate(ITEMS.items())
    ]
    return deceased, employees, cadres, standards


def fill(uri: str, subsidies: int, ledger: int, rosters: int, village_count: int) -> dict:
    """Migrate `uri` and fill it; the row counts stored."""
    import logging

    from flask_migrate import upgrade

    from app import create_app
    from core.bulk import bulk_insert
    from core.extensions import db
    from core.schema_migrations import migrations
    from core.fields import field_cipher
    from core.regions.models import Region
    from disclosures.models import Contract, LedgerEntry, ProjectUpdate, SubsidyPayment
    from rules.rosters.models import ROSTER_MODELS, RosterKind, RosterVersion

    app = create_app(app_config(uri, Path("/tmp")) | {"RULES_AUTORUN": False})
    rng = random.Random(SEED)
    with app.app_context():
        logging.disable(logging.INFO)
        migrations(app)
        upgrade()
        db.session.execute(insert(Region), import_data.regions(village_count))
        villages = import_data.villages(village_count)
        paid = max(1000, subsidies // 5)  # about five payments each
        people = People(field_cipher(), rng, villages, paid + rosters)
        counts = {
            "subsidy_payments": _store(
                SubsidyPayment.__table__,
                subsidy_rows(people, _batches(db, villages, "subsidies"), rng, subsidies),
                bulk_insert,
            )
        }
        counts["ledger_entries"] = _store(
            LedgerEntry.__table__, ledger_rows(villages, _batches(db, villages, "ledger"), rng, ledger), bulk_insert
        )
        counts["project_updates"] = _store(
            ProjectUpdate.__table__, project_rows(villages, _batches(db, villages, "projects"), rng), bulk_insert
        )
        counts["contracts"] = _store(
            Contract.__table__, contract_rows(villages, _batches(db, villages, "contracts"), rng), bulk_insert
        )
        versions = {}
        for kind in RosterKind:
            version = RosterVersion(kind=kind.value, filename="bench", row_count=0, is_current=True)
            db.session.add(version)
            db.session.flush()
            versions[kind.value] = version.id
        for kind, rows in zip(RosterKind, roster_rows(people, paid, rng, rosters, versions)):
            counts[ROSTER_MODELS[kind].__tablename__] = _store(ROSTER_MODELS[kind].__table__, rows, bulk_insert)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        db.session.remove()
        db.engine.dispose()
    return counts


if __name__ == "__main__":
    print(fill(sys.argv[1], *map(int, sys.argv[2:5]), int(sys.argv[5]) if len(sys.argv) > 5 else 1000))
