"""Custom rules administrators compose (a form-built join, or a read-only SELECT), each save a
version with who made it and what changed."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow


class CustomRule(Base):
    __tablename__ = "custom_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # form / sql
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    grade: Mapped[int] = mapped_column(SmallInteger)
    definition: Mapped[str] = mapped_column(Text)  # JSON: the form's choices, or {"sql": ...}
    is_enabled: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def definition_dict(self) -> dict:
        return json.loads(self.definition or "{}")


class CustomRuleVersion(Base):
    __tablename__ = "custom_rule_versions"
    __table_args__ = (UniqueConstraint("rule_id", "version", name="rule_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("custom_rules.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    grade: Mapped[int] = mapped_column(SmallInteger)
    definition: Mapped[str] = mapped_column(Text)
    is_enabled: Mapped[bool]
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[str] = mapped_column(Text, default="[]")  # JSON: the fields this save changed

    saved_by = relationship("User")

    @property
    def changes_list(self) -> list[str]:
        return json.loads(self.changes or "[]")
