"""Working-day calendar tables: the exception days, and which years they cover."""

from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.enums import EnumText, LabelledEnum


class Source(LabelledEnum):
    LIBRARY = "library", "随库复制"
    ADMIN = "admin", "管理员载入"


class CalendarDay(Base):
    """A day that differs from Mon–Fri: a holiday, or a 调休 make-up workday."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    source: Mapped[Source] = mapped_column(EnumText(Source, 8, check_name="source"))

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'上班' if self.is_workday else '休息'}>"


class CalendarYear(Base):
    """A year whose whole schedule is in calendar_days; unlisted dates in it follow Mon–Fri."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[Source] = mapped_column(EnumText(Source, 8, check_name="source"))
    loaded_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<CalendarYear {self.year} {self.source}>"
