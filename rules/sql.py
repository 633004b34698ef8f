"""Date arithmetic the rules need, written once and compiled for each database.

SQLite keeps dates as ISO text and PostgreSQL as dates; these few functions give both the same
answers (day numbers, year/month/day parts, the length of a month), so each rule's query is the
same code on either database."""

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day_number(FunctionElement):
    """Whole days since a fixed day: two dates' difference in days is the difference of these."""

    type = Integer()
    inherit_cache = True
    name = "day_number"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '2000-01-01')"


class _DatePart(FunctionElement):
    type = Integer()
    inherit_cache = True
    sqlite_format = ""
    postgresql_field = ""


class year_of(_DatePart):
    inherit_cache = True
    name = "year_of"
    sqlite_format, postgresql_field = "%Y", "YEAR"


class month_of(_DatePart):
    inherit_cache = True
    name = "month_of"
    sqlite_format, postgresql_field = "%m", "MONTH"


class day_of(_DatePart):
    inherit_cache = True
    name = "day_of"
    sqlite_format, postgresql_field = "%d", "DAY"


@compiles(_DatePart, "sqlite")
def _part_sqlite(element, compiler, **kw):
    return f"CAST(strftime('{element.sqlite_format}', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_DatePart, "postgresql")
def _part_postgresql(element, compiler, **kw):
    return f"CAST(EXTRACT({element.postgresql_field} FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class days_in_month(FunctionElement):
    """How many days the month of a date has (28–31)."""

    type = Integer()
    inherit_cache = True
    name = "days_in_month"


@compiles(days_in_month, "sqlite")
def _days_in_month_sqlite(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%d', {value}, 'start of month', '+1 month', '-1 day') AS INTEGER)"


@compiles(days_in_month, "postgresql")
def _days_in_month_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(DAY FROM date_trunc('month', {value}) + INTERVAL '1 month' - INTERVAL '1 day') AS INTEGER)"


class date_value(FunctionElement):
    """A date given to the query as a value: typed as a date in PostgreSQL's text too (SQLite
    compares its ISO text, and a CAST there would turn it into a number)."""

    type = Date()
    inherit_cache = True
    name = "date_value"


@compiles(date_value, "sqlite")
def _date_value_sqlite(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(date_value, "postgresql")
def _date_value_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


def cents(amount):
    """An amount in whole fen, so that sums and comparisons are exact on SQLite's REAL too."""
    from sqlalchemy import cast, func

    return cast(func.round(amount * 100), Integer)
