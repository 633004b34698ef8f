"""Back-office bench: the queue's first page, the dashboard and the deadline sweep on 200,000 cases
and 2,000,000 timeline events in PostgreSQL.

    .venv/bin/python bench/queue_bench.py [--cases 200000] [--events-per-case 10] [--repeat 30]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432] [--keep | --database NAME]

Creates a throwaway database, migrates it with Alembic (so it has exactly the production indexes),
bulk-generates the rows with INSERT … SELECT generate_series (case texts composed in Python from a
small vocabulary and sent by COPY), ANALYZEs, then times the real query
functions (admin.cases.queries.queue, admin.dashboard.dashboard_stats, admin.sweep.sweep) in
this process, client-side over a local socket. Prints Markdown: the tables for bench/README.md, then
EXPLAIN (ANALYZE, BUFFERS) plans of the statements those functions actually sent, which go in files
under bench/plans/, never inline in the README.

The generated deadlines are approximate (3 working days ≈ 5 calendar days, 10 ≈ 14): the shape
of the data matters here, not the calendar.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

NOW_SQL = "timestamptz '2026-11-25 10:00:00+08'"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 20, 15
SECRETS = {
    "SECRET_KEY": "bench-secret-key-0123456789",
    "ID_HMAC_KEY": "bench-id-hmac-key-0123456789",
    "DATA_ENCRYPTION_KEY": "bench-data-encryption-key-0123456789",
    "TRACKING_SECRET_KEY": "bench-tracking-key-0123456789",
}
TARGET_MS = {"queue": 100, "dashboard": 500, "sweep": 10_000}
# The queue's text search: each term and how many cases contain it.
TEXT_TERMS = {
    "第123456号": "one case",
    "0123456": "in a code, one case",
    "冒领": "no case",
    "账": "one character, ~20 %",
    "低保": "~10 %",
    "维修款": "~10 %",
    "核查": "~40 %",
}
EXPLAINED = (
    "(none)",
    "(none), unfinished only †",
    "clock=overdue",
    "category=subsidy",
    "text=第123456号 (one case)",
    "text=低保 (~10 %)",
    "text=维修款 (~10 %)",
    "text=核查 (~40 %)",
    "text=第123456号, LIKE alone ‡",
)

# A case's text: one clause of each list, drawn per case, so a term is about as common as its
# clauses (TEXT_TERMS). The closing number is unique: "第123456号" finds one case while
# every digit bigram in it is common — the hardest shape for a bigram index.
WHAT = (
    "我家低保从八月起就停了，",
    "村道硬化的维修款去向不明，",
    "村里招待费每月都好几千，",
    "公益岗的人平时不上岗，",
    "村东耕地承包费三年没见入账，",
    "饮水工程拖了半年还没完工，",
    "危房改造补助被村干部亲属领了，",
    "集体林地被低价租给外村老板，",
    "养老保险代缴的钱没交上去，",
    "合作社分红一直没有发，",
)
DETAIL = (
    "名单上还有已去世的人，",
    "账上今年又支出了一笔钱，",
    "问了村委会也没人答复，",
    "公示栏里什么都没贴，",
    "好几户都是这个情况，",
    "会计说钱早就拨下去了，",
    "施工队说钱没拨下来，",
    "村民代表会也没开过，",
)
ASK = ("请核查。", "请派人核查一下。", "希望公开明细。", "希望尽快答复。", "请给个说法。")


def case_texts(cases: int):
    """(number, code, text) of each generated case, one at a time."""
    rng = random.Random(5)
    for g in range(1, cases + 1):
        yield g, f"B{g:09d}", f"{rng.choice(WHAT)}{rng.choice(DETAIL)}{rng.choice(ASK)}（线索第{g}号）"


def copy_case_texts(connection, cases: int) -> None:
    """Into temp table case_text, by COPY (psycopg): INSERT … SELECT then joins it."""
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute("CREATE TEMP TABLE case_text (g int PRIMARY KEY, code text, text text)")
    with cursor.copy("COPY case_text (g, code, text) FROM STDIN") as copy:
        for row in case_texts(cases):
            copy.write_row(row)


# Status from the case's age and a hash h (0–99): old cases are mostly closed; 4 % stay open and overdue.
GENERATE = f"""
CREATE TEMP TABLE gen AS
SELECT g, h, received_at, age_days,
       CASE WHEN age_days > 60 THEN CASE WHEN h < 94 THEN 'closed' WHEN h < 96 THEN 'merged'
                                         WHEN h = 96 THEN 'reopened' ELSE 'in_progress' END
            ELSE CASE WHEN h < 20 THEN 'received' WHEN h < 55 THEN 'in_progress'
                      WHEN h < 60 THEN 'awaiting_info' WHEN h < 97 THEN 'closed' ELSE 'merged' END END AS status
FROM (SELECT g, (g * 37) % 100 AS h,
             {NOW_SQL} - make_interval(mins => ((g::bigint * 7919) % 1051200)::int) AS received_at,
             ((g::bigint * 7919) % 1051200) / 1440.0 AS age_days
      FROM generate_series(1, :cases) AS g) AS raw;

CREATE TEMP TABLE vil AS
SELECT row_number() OVER (ORDER BY code) - 1 AS idx, code, parent_code FROM regions WHERE level = 'village';

INSERT INTO complaints (code, village_code, township_code, category, channel, text, item_summary,
    is_late_for_round, is_real_name, secret_hash, secret_is_temporary, received_at, status, assignee_id,
    result, classification, closed_at, rating, rating_comment, rated_at)
SELECT case_text.code, vil.code, vil.parent_code,
       (ARRAY['funds','subsidy','project','asset','conduct','other'])[1 + gen.g % 6],
       (ARRAY['web','qr','inspection','phone_12388','phone_12345','letter','visit'])[1 + (gen.g / 6) % 7],
       case_text.text, '', false, gen.g % 3 = 0,
       -- a merged case is written open, then merged together with the case it joins (below): the
       -- database checks that a merged case names one
       md5(gen.g::text), false, gen.received_at, CASE WHEN gen.status = 'merged' THEN 'in_progress' ELSE gen.status END,
       CASE WHEN gen.status = 'received' THEN NULL ELSE users.id END,
       CASE WHEN gen.status = 'closed' THEN '经核实，已整改到位。' ELSE '' END,
       CASE WHEN gen.status = 'closed' THEN '属实' ELSE '' END,
       CASE WHEN gen.status = 'closed' THEN least(gen.received_at + make_interval(days => 3 + gen.h % 20), {NOW_SQL}) END,
       CASE WHEN gen.status = 'closed' AND gen.g % 2 = 0 THEN (ARRAY['satisfied','basically','unsatisfied'])[1 + gen.g % 3] END,
       '', NULL
FROM gen JOIN vil ON vil.idx = gen.g % {TOWNSHIPS * VILLAGES_PER_TOWNSHIP} JOIN case_text ON case_text.g = gen.g
LEFT JOIN (SELECT user_regions.region_code, users.id FROM user_regions JOIN users ON users.id = user_regions.user_id
           WHERE users.username LIKE 'h%') AS users ON users.region_code = vil.parent_code;
UPDATE complaints SET status = 'merged', merged_into_id = complaints.id - 1
FROM case_text JOIN gen ON gen.g = case_text.g
WHERE complaints.code = case_text.code AND gen.status = 'merged' AND complaints.id > 1;

INSERT INTO case_clocks (complaint_id, kind, starts_at, amount, unit, due_at, met_at, provisional, extension_days,
                         extension_reason, alerted_state, escalation_level)
SELECT c.id, k.kind, c.received_at, k.amount, 'working',
       (date_trunc('day', c.received_at AT TIME ZONE 'Asia/Shanghai') + k.days + interval '23:59:59')
           AT TIME ZONE 'Asia/Shanghai',
       CASE WHEN c.status = 'received' THEN NULL
            WHEN c.status IN ('closed', 'reopened') THEN least(c.received_at + make_interval(days => k.met_after), {NOW_SQL})
            WHEN k.kind = 'reply' THEN least(c.received_at + make_interval(days => k.met_after), {NOW_SQL})
            WHEN (c.id % 2 = 0) AND c.received_at > {NOW_SQL} - interval '60 days'
                THEN least(c.received_at + make_interval(days => k.met_after), {NOW_SQL}) END,
       false, 0, '', '', 0
FROM complaints c
CROSS JOIN LATERAL (VALUES ('reply', 3, interval '5 days', 1 + (c.id % 7)),
                           ('progress', 10, interval '14 days', 3 + (c.id % 15))) AS k(kind, amount, days, met_after);

INSERT INTO case_clocks (complaint_id, kind, starts_at, amount, unit, due_at, met_at, provisional, extension_days,
                         extension_reason, alerted_state, escalation_level)
SELECT c.id, 'legal', r.met_at, 60, 'calendar', r.met_at + interval '60 days',
       CASE WHEN c.status = 'closed' THEN c.closed_at END, false, 0, '', '', 0
FROM complaints c JOIN case_clocks r ON r.complaint_id = c.id AND r.kind = 'reply' AND r.met_at IS NOT NULL;

INSERT INTO case_clocks (complaint_id, kind, starts_at, amount, unit, due_at, met_at, provisional, extension_days,
                         extension_reason, alerted_state, escalation_level)
SELECT c.id, 'feedback', c.closed_at, 15, 'working', c.closed_at + interval '21 days',
       CASE WHEN c.id % 10 <> 0 THEN c.closed_at + interval '5 days' END, false, 0, '', '', 0
FROM complaints c WHERE c.status = 'closed' AND c.is_real_name;

UPDATE complaints SET next_due_at = open.due
FROM (SELECT complaint_id, min(due_at) AS due FROM case_clocks WHERE met_at IS NULL AND paused_at IS NULL
      GROUP BY complaint_id) AS open
WHERE open.complaint_id = complaints.id AND complaints.status <> 'merged';

INSERT INTO case_events (complaint_id, at, kind, is_public, body, actor_id, actor_label)
SELECT c.id, c.received_at + make_interval(hours => k * 7),
       (ARRAY['received','assigned','first_reply','note','progress','note','referred','referral_answer','progress','closed'])[k],
       k % 2 = 1, '第' || k || '条办理记录：已联系村委会核实有关情况。', c.assignee_id, ''
FROM complaints c CROSS JOIN generate_series(1, :events_per_case) AS k;

INSERT INTO departments (county_code, name, is_active) VALUES ('629901000000', '县农业农村局', true);
INSERT INTO referrals (complaint_id, department_id, summary, sent_at, sent_by_id, working_days, due_at,
                       provisional, extension_days, answered_at, answer)
SELECT c.id, (SELECT min(id) FROM departments), '转办核查', c.received_at + interval '2 days', c.assignee_id, 15,
       c.received_at + interval '23 days', false, 0,
       CASE WHEN c.status = 'closed' OR c.id % 3 <> 0 THEN c.received_at + interval '10 days' END,
       CASE WHEN c.status = 'closed' OR c.id % 3 <> 0 THEN '已核查' ELSE '' END
FROM complaints c WHERE c.id % 20 = 0 AND c.assignee_id IS NOT NULL;

INSERT INTO case_conflicts (complaint_id, user_id, reason, declared_at)
SELECT c.id, c.assignee_id, '亲属回避', c.received_at FROM complaints c WHERE c.id % 997 = 0 AND c.assignee_id IS NOT NULL;
"""


def regions() -> list[dict]:
    found = [{"code": "629901000000", "name": "青川县", "level": "county", "parent_code": None}]
    for t in range(TOWNSHIPS):
        township = f"629901{101 + t:03d}000"
        found.append({"code": township, "name": f"第{t + 1}镇", "level": "township", "parent_code": "629901000000"})
        found += [
            {
                "code": f"{township[:9]}{201 + v:03d}",
                "name": f"第{t + 1}镇{v + 1}村",
                "level": "village",
                "parent_code": township,
            }
            for v in range(VILLAGES_PER_TOWNSHIP)
        ]
    return [dict(r, pinyin="", initials="") for r in found]


def seed(db, cases: int, events_per_case: int) -> dict:
    from core.regions.models import Region
    from core.users.models import Role
    from core.users.services import create_user

    db.session.execute(Region.__table__.insert(), regions())
    db.session.commit()
    for t in range(TOWNSHIPS):
        township = f"629901{101 + t:03d}000"
        create_user(f"h{t + 1:02d}", role=Role.HANDLER, region_codes=[township], password="bench-password-1")
        create_user(
            f"lead{t + 1:02d}", role=Role.HANDLER, region_codes=[township], is_lead=True, password="bench-password-1"
        )
    create_user("county", role=Role.HANDLER, region_codes=["629901000000"], is_lead=True, password="bench-password-1")
    create_user("admin", role=Role.ADMIN, region_codes=[], password="bench-password-1")
    started = time.perf_counter()
    connection = db.session.connection()
    copy_case_texts(connection, cases)
    for statement in GENERATE.split(";\n"):
        if statement.strip():
            connection.execute(text(statement), {"cases": cases, "events_per_case": events_per_case})
    db.session.commit()
    generated = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))
    return count_rows(db) | {"seconds": round(generated, 1)}


def count_rows(db) -> dict:
    counts = {
        table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        for table in ("complaints", "case_events", "case_clocks", "referrals")
    }
    counts["open"] = db.session.scalar(text("SELECT count(*) FROM complaints WHERE status NOT IN ('closed','merged')"))
    return counts | {"seconds": "(reused)"}


class Recorder:
    """The SQL statements (with their DBAPI parameters) sent while recording."""

    def __init__(self, engine):
        self.statements, self.on = [], False
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))

    @contextmanager
    def recording(self):
        self.statements, self.on = [], True
        try:
            yield self.statements
        finally:
            self.on = False


def explain(db, sent: list) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement sent, in one transaction that is rolled back
    (sweep statements write); SET statements are run as they were."""
    connection = db.engine.raw_connection()
    plans = []
    try:
        cursor = connection.cursor()
        for statement, parameters in sent:
            if statement.lstrip().upper().startswith("SET "):
                cursor.execute(statement, parameters)
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        connection.rollback()
        return plans
    finally:
        connection.close()


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]


def timed(call, repeat: int) -> list[float]:
    call()  # warm: plans and caches, as on a server that has been up a while
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        found.append((time.perf_counter() - started) * 1000)
    return found


def queue_filters(user, now) -> dict:
    from admin.cases.queries import QueueFilters

    township = user.regions[0].code if user.regions and user.regions[0].level == "township" else "629901105000"
    village = township[:9] + "203"
    return {
        "(none)": QueueFilters(),
        "status=in_progress": QueueFilters(status="in_progress"),
        "region=village": QueueFilters(region=village),
        "region=township": QueueFilters(region=township),
        "category=subsidy": QueueFilters(category="subsidy"),
        "channel=phone_12345": QueueFilters(channel="phone_12345"),
        "clock=overdue": QueueFilters(clock="overdue"),
        "clock=due_soon": QueueFilters(clock="due_soon"),
        "clock=running": QueueFilters(clock="running"),
        "clock=done": QueueFilters(clock="done"),
        "assignee=me": QueueFilters(assignee="me"),
        "assignee=none": QueueFilters(assignee="none"),
        "date=last 30 days": QueueFilters(date_from=(now - timedelta(days=30)).date(), date_to=now.date()),
        **{f"text={term} ({note})": QueueFilters(text=term) for term, note in TEXT_TERMS.items()},
    }


def bench_queue(db, users, now, repeat: int, recorder: Recorder) -> tuple[list, dict]:
    from admin.cases.queries import QueueFilters, queue, queue_count

    from complaints.models import Complaint

    rows, plans = [], {}
    for user in users:
        # name → (filters, how the statement is made): the page is timed from queue(), which may
        # itself ask the database first (a text search on PostgreSQL), the count as the route counts.
        statements = {
            name: (filters, lambda f=filters: queue(user, f, now)) for name, filters in queue_filters(user, now).items()
        }
        # Not what the queue does today: the first page if it were drawn from unfinished cases only.
        statements["(none), unfinished only †"] = (
            QueueFilters(),
            lambda: queue(user, QueueFilters(), now).where(Complaint.next_due_at.is_not(None)),
        )
        # Not what the queue does today either: its text search before migration 0009 (LIKE alone,
        # as on SQLite), for a before-and-after on the same data.
        for term in ("第123456号", "低保"):
            statements[f"text={term}, LIKE alone ‡"] = (
                QueueFilters(text=term),
                lambda t=term: _like_alone(user, t, now),
            )
        for name, (filters, make) in statements.items():
            page = lambda: db.session.execute(make().limit(50)).scalars().all()  # noqa: E731
            statement = make()
            count = lambda: queue_count(statement, filters)  # noqa: E731
            page_ms, count_ms = timed(page, repeat), timed(count, repeat)
            total, more = count()
            rows.append(
                (
                    user.username,
                    name,
                    p95(page_ms),
                    p95(count_ms),
                    statistics.median(page_ms) + statistics.median(count_ms),
                    len(page()),
                    f"{total:,}+" if more else f"{total:,}",
                )
            )
            db.session.expire_all()
            if user.username != "admin" and name in EXPLAINED:
                with recorder.recording() as sent:
                    page()
                    count()
                plans[f"queue {user.username} {name}"] = explain(db, sent)
    return rows, plans


def _like_alone(user, term: str, now):
    from admin.cases.queries import QueueFilters, queue

    with mock.patch("admin.cases.queries._on_postgres", return_value=False):
        return queue(user, QueueFilters(text=term), now)


def bench_dashboard(db, users, now, repeat: int, recorder: Recorder) -> tuple[list, dict]:
    from admin.dashboard import dashboard_stats, month_starts

    rows, plans = [], {}
    for user in users:
        samples = timed(lambda: dashboard_stats(user, month_starts(now), now), repeat)
        rows.append((user.username, p95(samples), statistics.median(samples)))
    with recorder.recording() as sent:
        dashboard_stats(users[-1], month_starts(now), now)
    plans[f"dashboard {users[-1].username}"] = explain(db, sent)
    return rows, plans


def bench_sweep(db, now, recorder: Recorder) -> tuple[list, dict]:
    from admin.sweep import sweep

    unswept(db)
    rows = []
    runs = (
        ("first run: every open case's clocks are news", now),
        ("again, same minute", now),
        ("next minute", now + timedelta(minutes=1)),
        ("next day", now + timedelta(days=1)),
    )
    for index, (label, at) in enumerate(runs):
        with recorder.recording() as sent:
            started = time.perf_counter()
            result = sweep(at)
            rows.append((label, (time.perf_counter() - started) * 1000, result.summary()))
        if index == 0:
            first = list(sent)
    with recorder.recording() as sent:
        sweep(now + timedelta(days=1, minutes=1))
    db.session.rollback()
    plans = {"sweep (steady state, one minute later)": explain(db, _writes(sent))}
    unswept(db)  # the first run's plans, on the clocks as they were for it
    plans["sweep (first run)"] = explain(db, _writes(first))
    return rows, plans


def _writes(sent: list) -> list:
    return [(s, p) for s, p in sent if s.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH"))]


def unswept(db) -> None:
    """No reminders, no clock announced. Only the clocks a run marked are reset, and then
    vacuumed: rewriting all 656,000 would double the table just before a timed first run."""
    db.session.execute(text("DELETE FROM reminders"))
    reset = db.session.execute(
        text(
            "UPDATE case_clocks SET alerted_state = '', escalation_level = 0 "
            "WHERE alerted_state <> '' OR escalation_level <> 0"
        )
    ).rowcount
    db.session.commit()
    if reset:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE case_clocks, reminders"))


def report(counts, queue_rows, dashboard_rows, sweep_rows, plans, repeat: int) -> str:
    out = [
        f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.",
        f"Data: {counts['complaints']:,} cases ({counts['open']:,} open), {counts['case_events']:,} timeline "
        f"events, {counts['case_clocks']:,} clocks, {counts['referrals']:,} referrals; generated in "
        f"{counts['seconds']} s. Times are p95 of {repeat} calls after one warm-up, in ms.",
        "",
        "#### Queue, first page (50 rows) and its count",
        "",
        "| user | filter | page p95 | count p95 | page + count p95 | median of both | rows | matches |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for user, name, page, count, median, shown, total in queue_rows:
        flag = "" if page + count <= TARGET_MS["queue"] else " ⚠"
        out.append(
            f"| {user} | {name} | {page:.1f} | {count:.1f} | {page + count:.1f}{flag} | {median:.1f} | {shown} "
            f"| {total} |"
        )
    out += [
        "",
        "† Not what the queue does today: its first page if drawn from unfinished cases only.",
        "‡ Not what the queue does today on PostgreSQL: its text search before migration 0009, `LIKE` alone.",
    ]
    out += [
        "",
        "#### Dashboard (three grouped queries + region names)",
        "",
        "| user | p95 | median |",
        "|---|---:|---:|",
    ]
    out += [f"| {user} | {p:.0f} | {m:.0f} |" for user, p, m in dashboard_rows]
    out += ["", "#### Sweep", "", "| run | ms | summary |", "|---|---:|---|"]
    out += [f"| {label} | {ms:.0f} | {summary} |" for label, ms, summary in sweep_rows]
    out += ["", "#### Plans (EXPLAIN ANALYZE, BUFFERS)", ""]
    for name, found in plans.items():
        out += [f"<details><summary>{name}</summary>", "", "```"] + ["\n\n".join(found), "```", "", "</details>", ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="reuse this database from an earlier --keep run")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db
    from core.schema_migrations import migrations
    from core.timezone import shanghai
    from core.users.models import User

    server = make_url(args.server)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = args.database or f"bench_queue_{uuid.uuid4().hex[:8]}"
    if not args.database:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    print(f"database {name}", file=sys.stderr)
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": server.set(database=name).render_as_string(hide_password=False),
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "PUBLIC_BASE_URL": "http://bench.test",
                **SECRETS,
            }
        )
        with app.app_context():
            migrations(app)
            upgrade()
            counts = count_rows(db) if args.database else seed(db, args.cases, args.events_per_case)
            recorder = Recorder(db.engine)
            now = shanghai(2026, 11, 25, 10)
            users = [db.session.scalar(select(User).where(User.username == u)) for u in ("h01", "county", "admin")]
            queue_rows, plans = bench_queue(db, users, now, args.repeat, recorder)
            dashboard_rows, more = bench_dashboard(db, users, now, max(5, args.repeat // 3), recorder)
            plans.update(more)
            sweep_rows, more = bench_sweep(db, now, recorder)
            plans.update(more)
            print(report(counts, queue_rows, dashboard_rows, sweep_rows, plans, args.repeat))
            db.session.remove()
            db.engine.dispose()
    finally:
        if not (args.keep or args.database):
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
