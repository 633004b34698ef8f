"""Administrative regions: county → township → village, keyed by 12-digit 统计用区划代码."""
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class Level(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def prefix_length(self) -> int:
        """How many leading digits of a code identify this region and everything under it."""
        return {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}[self]


LEVEL_LABELS = {Level.COUNTY: "县", Level.TOWNSHIP: "乡镇", Level.VILLAGE: "村"}


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("level in ('county', 'township', 'village')", name="level"),)

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    # Lower-case pinyin without tones, whole and initials, so 青山村 is found by "qingshan" and "qs".
    pinyin: Mapped[str] = mapped_column(String(200), default="", index=True)
    initials: Mapped[str] = mapped_column(String(64), default="", index=True)

    parent: Mapped["Region | None"] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent", order_by="Region.code")

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def prefix(self) -> str:
        """The code digits shared by this region and all regions under it."""
        return self.code[: self.level_enum.prefix_length]

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"
