"""Demo cases for the fictional county: complaints at every stage, worked by the demo handlers
through the same services the back office uses, plus departments and reply templates."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from admin.cases import actions
from admin.reference import add_department, save_template
from complaints.models import Category, Channel, ClockKind, Complaint
from complaints.services import Identity, file_complaint, rate_case
from core.db import clock_reads, utcnow
from core.demo import person_name
from core.extensions import db
from core.regions.models import Region
from core.users.models import User

DEPARTMENTS = ("县农业农村局", "县民政局", "县医疗保障局", "县住房和城乡建设局")
TEXTS = (
    "村道硬化工程去年就验收了，账上今年又支出了一笔维修费，路却没修。",
    "我家低保从八月起就停了，名单上却还有我的名字和发放记录。",
    "村东耕地承包费三年没见入账，承包户说早就交了。",
    "公益岗的人平时不上岗，工资照领，请核实。",
    "村里招待费每月都好几千，希望公开明细。",
    "饮水工程拖了半年还没完工，施工队说钱没拨下来。",
)
# About one step in twelve misses its clock, and one case in twenty is left unanswered: a county
# that mostly works, with something for the reminders, the queue's 逾期 filter and /stats to show.
LATE_SHARE = 0.08
UNANSWERED_SHARE = 0.05
REPLIES = (
    "您反映的问题已收到，已安排专人核实，我们会在规定期限内答复。",
    "经初步了解，已调取相关凭证和发放记录，正在逐项核对。",
    "经核查，相关款项已责令退回，并对相关人员进行了批评教育。",
)


def build_cases(rng: random.Random, villages: list[str], count: int = 36) -> int:
    """File and work `count` demo complaints over the past ten weeks; returns how many were filed.

    Each step happens when a working commission would have taken it: most first replies and
    progress notices well within their clocks, a few late, a couple of cases still waiting past
    their deadline, the newest not answered yet."""
    county = villages[0][:6] + "000000"
    for name in DEPARTMENTS:
        add_department(county, name, by=None)
    save_template(None, category="", title="收到答复", body=REPLIES[0], by=None)
    save_template(None, category=Category.SUBSIDY, title="补贴核实中", body=REPLIES[1], by=None)
    lead = db.session.scalar(select(User).where(User.username == "jiwei"))
    township_handler = db.session.scalar(select(User).where(User.username == "jiwei2"))
    now = utcnow()
    for index in range(count):
        village = db.session.get(Region, rng.choice(villages))
        channel = rng.choice([Channel.WEB] * 4 + [Channel.QR, Channel.PHONE_12388])
        # The first two arrived this morning: the queue always has something new.
        received = now - (
            timedelta(hours=rng.randint(1, 8))
            if index < 2
            else timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 23))
        )
        with clock_reads(received):
            filed = file_complaint(
                village=village,
                category=rng.choice(list(Category)),
                text=rng.choice(TEXTS),
                channel=channel,
                identity=_identity(rng) if rng.random() < 0.3 else None,
                received_at=received,
                registered_by=lead if channel.is_staff_registered else None,
            )
        case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
        handler = township_handler if village.code.startswith(township_handler.regions[0].prefix) else lead
        _work(rng, case, handler, now)
    return count


def _identity(rng: random.Random) -> Identity:
    """A real-name complainant: a made-up villager with a mobile number of the 1380000 block."""
    return Identity(person_name(rng), f"1380000{rng.randrange(10000):04d}")


def _when(rng: random.Random, after: datetime, due: datetime) -> datetime:
    """A moment for the next step: usually comfortably before `due`, now and then after it."""
    if rng.random() < LATE_SHARE:
        return due + timedelta(hours=rng.randint(3, 60))
    return after + (due - after) * rng.uniform(0.15, 0.8)


def _work(rng: random.Random, case: Complaint, handler: User, now: datetime) -> None:
    if rng.random() < UNANSWERED_SHARE:
        return  # still waiting: overdue if it came in more than three working days ago
    first = _when(rng, case.received_at, case.clock(ClockKind.REPLY).due_at)
    if first >= now:
        return
    with clock_reads(first):
        actions.reply(case, "first_reply", REPLIES[0], by=handler)
    progress = _when(rng, first, case.clock(ClockKind.PROGRESS).due_at)
    if progress >= now:
        return
    with clock_reads(progress):
        actions.reply(case, "progress", REPLIES[1], by=handler)
    closed = progress + timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8))
    if closed >= now or rng.random() < 0.15:
        return
    with clock_reads(closed):
        actions.close(case, REPLIES[2], rng.choice(actions.CLASSIFICATIONS[:4]), by=handler)
    rated = closed + timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 20))
    if rated < now and rng.random() < 0.8:
        with clock_reads(rated):
            rate_case(case, rng.choice(["satisfied"] * 6 + ["basically"] * 3 + ["unsatisfied"]))


def on_demo_built(rng, villages: list[str]) -> None:
    build_cases(rng, villages)
