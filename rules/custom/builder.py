"""A form-built rule as one query: rows of a base table, optionally joined to another table on a
shared key (in the same village where both have one), filtered by the conditions; each hit's
subject is the chosen key, its evidence the rows of both tables."""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from rules.custom.catalog import BASE_TABLES, DATE, KEYS, NUMBER, OPERATORS, TABLES
from rules.hits import RunContext, current_roster, hit, hits
from disclosures.public import is_public

_LIST = re.compile(r"[、,，;；\s]+")
MAX_CONDITIONS = 5


class DefinitionError(ValueError):
    """What is wrong with a rule's definition, in Chinese."""


def _value(kind: str, op: str, raw: str):
    raw = (raw or "").strip()
    if not raw:
        raise DefinitionError("条件的值不能为空")
    if op == "within":
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 3650:
            raise DefinitionError("“比对日前N天内”的值应为1至3650的天数")
        return int(raw)
    if op == "in":
        return [part for part in _LIST.split(raw) if part]
    if kind == NUMBER:
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise DefinitionError(f"「{raw}」不是数字") from None
    if kind == DATE:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise DefinitionError(f"「{raw}」不是日期，请写成 2026-10-05") from None
    return raw


def _allowed_ops(kind: str) -> tuple[str, ...]:
    return {NUMBER: ("eq", "gt", "lt", "in"), DATE: ("eq", "before", "after", "within")}.get(kind, ("eq", "in"))


def check_definition(definition: dict) -> dict:
    """The definition with its values parsed, or DefinitionError naming the first problem."""
    base, other, key, subject = (definition.get(name) or None for name in ("base", "join", "key", "subject"))
    if base not in BASE_TABLES:
        raise DefinitionError("请选择要比对的公开数据表")
    if subject not in KEYS or base not in KEYS[subject]:
        raise DefinitionError(f"{TABLES[base].label}没有可作为比对对象的“{subject or ''}”")
    if other:
        if other not in TABLES:
            raise DefinitionError("请选择要关联的表")
        if key not in KEYS or base not in KEYS[key] or other not in KEYS[key]:
            raise DefinitionError(f"{TABLES[base].label}与{TABLES[other].label}不能按“{key or ''}”关联")
    conditions = []
    for condition in definition.get("conditions") or []:
        table, _, column = (condition.get("column") or "").partition(".")
        if table not in (base, other) or column not in TABLES[table].columns:
            raise DefinitionError("条件只能使用所选两张表的列")
        kind = TABLES[table].columns[column][1]
        if condition.get("op") not in _allowed_ops(kind):
            raise DefinitionError(
                f"“{TABLES[table].columns[column][0]}”不能用“{OPERATORS.get(condition.get('op'), '')}”比较"
            )
        conditions.append(
            {
                "table": table,
                "column": column,
                "op": condition["op"],
                "value": _value(kind, condition["op"], condition.get("value")),
            }
        )
    if len(conditions) > MAX_CONDITIONS:
        raise DefinitionError(f"最多{MAX_CONDITIONS}个条件")
    return {"base": base, "join": other, "key": key if other else None, "subject": subject, "conditions": conditions}


def _present(table, model, run: RunContext):
    if table.roster is not None:
        return current_roster(model, table.roster)
    return is_public(model)


def _compare(column, op: str, value, as_of: date):
    if op == "eq":
        return column == value
    if op == "in":
        return column.in_(value)
    if op in ("gt", "after"):
        return column > value
    if op in ("lt", "before"):
        return column < value
    return column.between(as_of - timedelta(days=value), as_of)


def form_query(definition: dict, run: RunContext):
    """The rule's evidence rows (see rules/hits.py)."""
    checked = check_definition(definition)
    base_table = TABLES[checked["base"]]
    models = {checked["base"]: aliased(base_table.model, name="base_rows")}
    subject_column, cipher_column = KEYS[checked["subject"]][checked["base"]]
    base = models[checked["base"]]
    subject = getattr(base, subject_column)
    conditions = [_present(base_table, base, run), subject.is_not(None), subject != ""]
    columns = [
        base.village_code,
        subject.label("subject_key"),
        (getattr(base, cipher_column) if cipher_column else None),
        base.id.label("base_id"),
    ]
    statement = select(*[column for column in columns if column is not None])
    other_table = TABLES.get(checked["join"]) if checked["join"] else None
    if other_table is not None:
        other = models.setdefault(checked["join"] + "#", aliased(other_table.model, name="other_rows"))
        on = getattr(base, KEYS[checked["key"]][checked["base"]][0]) == getattr(
            other, KEYS[checked["key"]][checked["join"]][0]
        )
        if other_table.has_village:
            on = and_(on, other.village_code == base.village_code)
        if other_table is base_table:
            on = and_(on, other.id != base.id)  # another row of the same table, not the row itself
        statement = statement.add_columns(other.id.label("other_id")).join(other, on)
        conditions.append(_present(other_table, other, run))
    for condition in checked["conditions"]:
        model = base if condition["table"] == checked["base"] else models[checked["join"] + "#"]
        conditions.append(_compare(getattr(model, condition["column"]), condition["op"], condition["value"], run.as_of))
    found = statement.where(*conditions).cte("custom_found")
    cipher = found.c[cipher_column] if cipher_column else None
    parts = [hit(found.c.village_code, found.c.subject_key, cipher, base_table.name, found.c.base_id)]
    if other_table is not None:
        parts.append(hit(found.c.village_code, found.c.subject_key, cipher, other_table.name, found.c.other_id))
    return hits(*parts)
