"""Administrative regions: county → township → village, keyed by 12-digit 统计用区划代码."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.enums import EnumText, LabelledEnum


class Level(LabelledEnum):
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    VILLAGE = "village", "村"

    @property
    def prefix_length(self) -> int:
        """How many leading digits of a code identify this region and everything under it."""
        return {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}[self]


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[Level] = mapped_column(EnumText(Level, 8, check_name="level"), index=True)
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
