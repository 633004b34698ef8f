"""Rent due on a collective-asset contract against rent received: pure date and money arithmetic."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# 缴费周期 → installments per year; each installment is 年租金 divided by this, to the fen.
CYCLES = {"年": 1, "半年": 2, "季": 4, "月": 12}


@dataclass(frozen=True)
class RentStatus:
    """How much rent fell due up to a day, in how many installments, and how much came in."""

    installments: int
    due: Decimal
    received: Decimal
    more_to_come: bool = True  # an installment still falls due after today

    @property
    def shortfall(self) -> Decimal:
        """Rent due but not received (never negative: paying ahead is not a debt)."""
        return max(self.due - self.received, Decimal("0.00"))

    @property
    def surplus(self) -> Decimal:
        """Rent received beyond what fell due: paid ahead while the contract runs, else overpaid."""
        return max(self.received - self.due, Decimal("0.00"))

    @property
    def surplus_label(self) -> str:
        """预收 while installments are still to come, 多收 once none are: then no later due date
        can absorb the difference and it is money the village should explain or return."""
        return "预收" if self.more_to_come else "多收"


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def installment(annual_rent: Decimal, cycle: str) -> Decimal:
    """One installment: 年租金 × 1, ½, ¼ or 1/12, rounded half up to the fen."""
    return (Decimal(annual_rent) / _per_year(cycle)).quantize(CENT, rounding=ROUND_HALF_UP)


def due_dates(start: date, end: date, cycle: str, today: date) -> list[date]:
    """起始日期 and each period after it, up to today and not after 终止日期."""
    step = 12 // _per_year(cycle)
    dates, count = [], 0
    # Each date counts from the start, not from the previous date, so Jan 31 → Feb 28 → Mar 31.
    while (due := add_months(start, count * step)) <= min(today, end):
        dates.append(due)
        count += 1
    return dates


def rent_status(
    *, start: date, end: date, annual_rent: Decimal, cycle: str, received: Decimal, today: date
) -> RentStatus:
    """Rent due up to today under the contract, beside what the ledger shows received."""
    count = len(due_dates(start, end, cycle, today))
    every = len(due_dates(start, end, cycle, end))
    return RentStatus(
        installments=count,
        due=installment(annual_rent, cycle) * count,
        received=Decimal(received).quantize(CENT),
        more_to_come=count < every,
    )


def _per_year(cycle: str) -> int:
    if cycle not in CYCLES:
        raise ValueError(f"unknown 缴费周期 {cycle!r}")
    return CYCLES[cycle]
