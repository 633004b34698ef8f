"""Custom rules: preview a definition's hits on current data, save it as a new version. Each
public function that writes is one transaction."""

import json
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.fields import field_cipher
from core.timezone import local_date
from core.transaction import transactional
from rules.cases import subject_display
from rules.custom.builder import DefinitionError, check_definition, form_query
from rules.custom.catalog import KEYS
from rules.custom.models import CustomRule, CustomRuleVersion
from rules.custom.sql_rule import SqlRuleError, check_sql, run_sql
from rules.hits import RunContext
from rules.registry import BY_CODE
from rules.settings import all_county_params, pairs_table, params_table

CODE = re.compile(r"[A-Z][A-Z0-9_]{2,39}")
PREVIEW_SUBJECTS = 50
VERSIONED = ("title", "description", "grade", "definition", "is_enabled")


class CustomRuleError(ValueError):
    """Why a custom rule cannot be previewed or saved, in Chinese."""


@dataclass(frozen=True)
class PreviewHit:
    village_code: str
    subject: str
    evidence: int


@dataclass(frozen=True)
class Preview:
    total: int
    hits: list[PreviewHit]


def _context() -> RunContext:
    as_of, counties = local_date(utcnow()), all_county_params()
    return RunContext(as_of, params_table(counties, as_of), pairs_table(counties))


def _shown(subject: str, cipher: str | None, private: bool) -> str:
    clear = field_cipher().decrypt(cipher) if cipher else subject
    return subject_display(clear, private)


@transactional
def preview(kind: str, definition: dict) -> Preview:
    """What the rule would find now: its subjects (the first few) and how many in all."""
    try:
        if kind == "sql":
            counts = Counter(
                (hit.village_code, hit.subject_key, hit.subject_cipher) for hit in run_sql(definition.get("sql", ""))
            )
            rows = sorted(counts.items())
            return Preview(
                len(rows),
                [
                    PreviewHit(village, _shown(subject, cipher, False), count)
                    for (village, subject, cipher), count in rows[:PREVIEW_SUBJECTS]
                ],
            )
        found = form_query(definition, _context()).subquery()
        grouped = (
            select(found.c.village_code, found.c.subject_key, func.max(found.c.subject_cipher), func.count())
            .group_by(found.c.village_code, found.c.subject_key)
            .subquery()
        )
        total = db.session.scalar(select(func.count()).select_from(grouped))
        rows = db.session.execute(
            select(grouped).order_by(grouped.c.village_code, grouped.c.subject_key).limit(PREVIEW_SUBJECTS)
        ).all()
    except (DefinitionError, SqlRuleError) as error:
        raise CustomRuleError(str(error)) from None
    private = definition.get("subject") in ("身份证号", "银行账号")
    return Preview(
        total,
        [PreviewHit(village, _shown(subject, cipher, private), count) for village, subject, cipher, count in rows],
    )


def _checked(kind: str, definition: dict) -> dict:
    try:
        if kind == "sql":
            return {"sql": check_sql(definition.get("sql", ""))}
        checked = check_definition(definition)
    except (DefinitionError, SqlRuleError) as error:
        raise CustomRuleError(str(error)) from None
    if checked["subject"] not in KEYS:
        raise CustomRuleError("请选择比对对象")
    return definition  # stored as the form gave it: values are parsed again at each run


@transactional
def save_custom_rule(
    rule: CustomRule | None,
    *,
    code: str,
    kind: str,
    title: str,
    description: str,
    grade: int,
    definition: dict,
    is_enabled: bool,
    by,
) -> CustomRule:
    """Create a custom rule or save a new version of it, recording who changed what."""
    code, title, description = code.strip().upper(), title.strip(), description.strip()
    if rule is None:
        if not CODE.fullmatch(code):
            raise CustomRuleError("规则代码应为3至40位大写字母、数字或下划线，以字母开头")
        if code in BY_CODE or db.session.scalar(select(CustomRule.id).where(CustomRule.code == code)):
            raise CustomRuleError("规则代码已被使用")
    if not title or not description:
        raise CustomRuleError("请填写规则名称和预警说明")
    if grade not in (1, 2, 3):
        raise CustomRuleError("预警等级应为一级、二级或三级")
    stored = json.dumps(_checked(kind, definition), ensure_ascii=False, sort_keys=True)
    values = {
        "title": title[:64],
        "description": description[:500],
        "grade": grade,
        "definition": stored,
        "is_enabled": is_enabled,
    }
    if rule is None:
        rule = CustomRule(code=code, kind=kind, version=1, **values)
        db.session.add(rule)
        changed = ["created"]
    else:
        changed = [name for name in VERSIONED if getattr(rule, name) != values[name]]
        if not changed:
            return rule
        for name, value in values.items():
            setattr(rule, name, value)
        rule.version += 1
    rule.updated_at = utcnow()
    db.session.flush()
    db.session.add(
        CustomRuleVersion(
            rule_id=rule.id,
            version=rule.version,
            saved_by_id=getattr(by, "id", None),
            changes=json.dumps(changed),
            **values,
        )
    )
    record_audit(
        "rules.custom_save",
        target_type="custom_rule",
        target_id=rule.code,
        actor=by,
        detail={"version": rule.version, "changed": changed, "kind": kind},
    )
    db.session.commit()
    return rule


def versions_of(rule: CustomRule) -> list[CustomRuleVersion]:
    return list(
        db.session.scalars(
            select(CustomRuleVersion)
            .where(CustomRuleVersion.rule_id == rule.id)
            .order_by(CustomRuleVersion.version.desc())
        )
    )


def all_custom_rules() -> list[CustomRule]:
    return list(db.session.scalars(select(CustomRule).order_by(CustomRule.code)))
