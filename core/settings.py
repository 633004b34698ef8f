"""Per-county settings that administrators change: review, names on public rosters, thresholds."""

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import record_audit
from core.db import Base
from core.extensions import db
from core.regions.codes import CODE_LENGTH
from core.transaction import transactional


class CountySettings(Base):
    __tablename__ = "county_settings"

    county_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    # 村民委员会组织法 第32条: the village's 村务监督委员会 may review instead of the township.
    review_enabled: Mapped[bool] = mapped_column(default=True)
    reviewer_level: Mapped[str] = mapped_column(String(8), default="township")
    show_full_names: Mapped[bool] = mapped_column(default=False)
    approval_threshold: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("5000"))
    # docs/clocks.md: clocks run on while waiting for a complainant's material unless this is on.
    clock_pausing_enabled: Mapped[bool] = mapped_column(default=False)
    referral_working_days: Mapped[int] = mapped_column(default=15)


# What an administrator edits on the county settings page.
EDITABLE = (
    "review_enabled",
    "reviewer_level",
    "show_full_names",
    "clock_pausing_enabled",
    "referral_working_days",
    "approval_threshold",
)


def county_code_of(region_code: str) -> str:
    """The county a region lies in (its first six digits, padded)."""
    return region_code[:6].ljust(CODE_LENGTH, "0")


def settings_for(region_code: str) -> CountySettings:
    """The settings of the region's county, defaults when none are stored (not added to the session)."""
    found = db.session.scalar(select(CountySettings).where(CountySettings.county_code == county_code_of(region_code)))
    return found or CountySettings(
        county_code=county_code_of(region_code),
        review_enabled=True,
        reviewer_level="township",
        show_full_names=False,
        approval_threshold=Decimal("5000"),
        clock_pausing_enabled=False,
        referral_working_days=15,
    )


@transactional
def save_settings(county_code: str, values: dict, *, by) -> CountySettings:
    """Store a county's settings, auditing what changed."""
    settings = db.session.get(CountySettings, county_code) or CountySettings(county_code=county_code)
    before = {name: str(getattr(settings_for(county_code), name)) for name in EDITABLE}
    for name in EDITABLE:
        setattr(settings, name, values[name])
    db.session.add(settings)
    record_audit(
        "settings.update",
        target_type="county",
        target_id=county_code,
        actor=by,
        detail={"before": before, "after": {name: str(values[name]) for name in EDITABLE}},
    )
    return settings
