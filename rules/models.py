"""Runs, warnings and their evidence, the per-county rule settings.

A warning is the rules' record of a subject that breaks a rule; the handlers' queue works it as
a case (a Complaint of channel 预警) that the warning points at. The case carries the warning's
state: open while the case is not finished, 已消除 when a run closed it because the condition no
longer held, closed when a handler finished it (rules/state.py)."""

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, utcnow
from core.enums import EnumText, LabelledEnum


class RunState(LabelledEnum):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class RuleRun(Base):
    """One run of the rules: when, as of which date, what started it, how it ended, its counts."""

    __tablename__ = "rule_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date | None]
    trigger: Mapped[str] = mapped_column(String(32), default="")
    state: Mapped[RunState] = mapped_column(EnumText(RunState, 16), default=RunState.QUEUED, index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    # {rule code: {"hits": n, "new": n, "evidence": n, "cleared": n, "reopened": n, "open": n, "ms": n}}
    counts: Mapped[str] = mapped_column(Text, default="{}")
    # What the run's answer depended on (rules/fingerprint.py); equal fingerprints, equal answers.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    skipped: Mapped[bool] = mapped_column(default=False)  # nothing had changed since the last run

    @property
    def counts_dict(self) -> dict:
        return json.loads(self.counts or "{}")

    @property
    def state_label(self) -> str:
        return self.state.label


class RuleWarning(Base):
    """A (rule, village, subject) that broke a rule; sequence > 1 follows a warning a handler closed."""

    __tablename__ = "rule_warnings"
    __table_args__ = (
        UniqueConstraint("rule_code", "village_code", "subject_key", "sequence", name="subject_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(40), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    # The keyed hash of an ID number or bank account (never the number), or a 项目编号, 合同编号, 对方单位.
    subject_key: Mapped[str] = mapped_column(String(100))
    # The ID number or account itself, encrypted, for the commission's export and case page.
    subject_cipher: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(SmallInteger, default=1)
    grade: Mapped[int] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(Text)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), unique=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("rule_warnings.id"))
    created_run_id: Mapped[int] = mapped_column(ForeignKey("rule_runs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint = relationship("Complaint")


class RuleEvidence(Base):
    """A disclosed or roster row behind a warning; `source` names its table."""

    __tablename__ = "rule_evidence"
    __table_args__ = (UniqueConstraint("warning_id", "source", "row_id", name="warning_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("rule_warnings.id"))
    source: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("rule_runs.id"))


class RuleHit(Base):
    """What one rule's query found in a run, before it is merged into warnings (emptied after)."""

    __tablename__ = "rule_hits"
    __table_args__ = (Index("ix_rule_hits_run_subject", "run_id", "rule_code", "village_code", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer)
    rule_code: Mapped[str] = mapped_column(String(40))
    village_code: Mapped[str] = mapped_column(String(12))
    subject_key: Mapped[str] = mapped_column(String(100))
    subject_cipher: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int] = mapped_column(Integer)


class RuleSettings(Base):
    """A county's rule parameters beyond the approval threshold of its county settings."""

    __tablename__ = "rule_settings"

    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    split_window_days: Mapped[int] = mapped_column(default=7)
    rent_grace_days: Mapped[int] = mapped_column(default=30)
    # One pair a line, the two items separated by ×: items a person may not draw in the same month.
    exclusive_pairs: Mapped[str] = mapped_column(Text, default="最低生活保障金×特困人员供养金")
