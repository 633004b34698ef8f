"""A rule written as SQL by an administrator: one SELECT returning village_code and subject (and,
if it likes, subject_cipher, source and row_id for evidence links), run on a read-only connection
(SQLite `mode=ro`; a READ ONLY transaction on PostgreSQL) with a statement timeout and a row cap.
Anything else is refused with a message saying why, before it reaches the database."""

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.extensions import db

REQUIRED = ("village_code", "subject")
OPTIONAL = ("subject_cipher", "source", "row_id")
SQL_SOURCE = "sql"


class SqlRuleError(ValueError):
    """Why a SQL rule was refused or failed, in Chinese."""


@dataclass(frozen=True)
class SqlHit:
    village_code: str
    subject_key: str
    subject_cipher: str | None
    source: str
    row_id: int


def check_sql(sql: str) -> str:
    """The statement itself when it is exactly one SELECT; SqlRuleError otherwise."""
    import sqlparse  # loaded with the first custom rule, not with the app

    statements = [statement for statement in sqlparse.parse(sql or "") if statement.value.strip().rstrip(";").strip()]
    if not statements:
        raise SqlRuleError("请填写一条 SELECT 查询")
    if len(statements) > 1:
        raise SqlRuleError("只能填写一条语句，不能用分号连接多条语句")
    if statements[0].get_type() != "SELECT":
        raise SqlRuleError("只允许 SELECT 查询，不能修改数据或结构")
    return statements[0].value.strip().rstrip(";").strip()


def _limits() -> tuple[float, int]:
    return float(current_app.config["RULE_SQL_TIMEOUT_SECONDS"]), int(current_app.config["RULE_SQL_MAX_ROWS"])


def _rows_sqlite(sql: str, timeout: float, cap: int) -> tuple[list[str], list[tuple]]:
    url = make_url(str(db.engine.url))
    path = url.database
    if not path or path == ":memory:":
        raise SqlRuleError("内存数据库不支持只读连接")
    engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            deadline = time.monotonic() + timeout
            # SQLite has no statement timeout: a progress handler interrupts the query at the deadline.
            raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
            result = connection.exec_driver_sql(sql)
            return list(result.keys()), result.fetchmany(cap + 1)
    finally:
        engine.dispose()


def _rows_postgresql(sql: str, timeout: float, cap: int) -> tuple[list[str], list[tuple]]:
    with db.engine.connect() as connection:
        transaction = connection.begin()
        try:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            connection.execute(
                text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(int(timeout * 1000))}
            )
            result = connection.exec_driver_sql(sql)
            return list(result.keys()), result.fetchmany(cap + 1)
        finally:
            transaction.rollback()


def _explain(error: DBAPIError) -> str:
    message = str(error.orig) if error.orig is not None else str(error)
    if "interrupted" in message or "statement timeout" in message or "canceling statement" in message:
        return "查询超过时间上限，已中止"
    if "readonly" in message or "read-only" in message:
        return "只读连接：不能修改数据"
    return "查询出错：" + message.strip().splitlines()[0][:300]


def run_sql(sql: str) -> list[SqlHit]:
    """The hits of a SQL rule, read-only, within the time limit and the row cap."""
    # Wrapped as a subquery as well: a second statement, or a writing WITH, is then a syntax
    # error in the database itself, whatever the parser above missed.
    statement = f"SELECT * FROM (\n{check_sql(sql)}\n) AS rule_query"
    timeout, cap = _limits()
    runner = _rows_postgresql if db.engine.dialect.name == "postgresql" else _rows_sqlite
    try:
        names, rows = runner(statement, timeout, cap)
    except DBAPIError as error:
        raise SqlRuleError(_explain(error)) from None
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise SqlRuleError(f"查询结果必须包含列：{', '.join(missing)}")
    if len(rows) > cap:
        raise SqlRuleError(f"查询结果超过{cap}行的上限，请加上更严格的条件")
    position = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    hits = []
    for row in rows:
        village, subject = row[position["village_code"]], row[position["subject"]]
        if village is None or subject is None or str(subject) == "":
            continue
        hits.append(
            SqlHit(
                str(village)[:12],
                str(subject)[:100],
                row[position["subject_cipher"]] if "subject_cipher" in position else None,
                str(row[position["source"]])[:32] if "source" in position else SQL_SOURCE,
                int(row[position["row_id"]]) if "row_id" in position else 0,
            )
        )
    return hits
