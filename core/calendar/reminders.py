"""The admin pages' reminder to load next year's schedule (published each November)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Reminder:
    """A message for the admin pages; level is a flash category, "info" or "warning"."""

    level: str
    message: str


def schedule_reminder(today: date, covered_years: Iterable[int]) -> Reminder | None:
    """Nag from 1 November (louder from 1 December, and all year if this year is missing)."""
    covered = set(covered_years)
    if today.year not in covered:
        return Reminder("warning", f"{today.year}年的节假日安排尚未载入，期限暂按周一至周五预计，请尽快载入")
    coming = today.year + 1
    if coming in covered or today.month < 11:
        return None
    if today.month == 12:
        return Reminder(
            "warning",
            f"{coming}年的节假日安排尚未载入：跨入{coming}年的期限正按周一至周五预计，请尽快载入国务院办公厅公布的安排",
        )
    return Reminder("info", f"国务院办公厅通常在11月公布{coming}年的节假日安排，公布后请在此载入")
