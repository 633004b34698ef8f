"""Inspection rounds (巡察): their team, villages and period, and how a report filed through a
round's QR code is routed. Each public write function is one transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from core.audit import record_audit
from core.extensions import db
from core.regions.models import Level, Region
from core.timezone import local_date
from core.users.models import Role, User
from core.users.permissions import in_scope
from core.transaction import transactional
from complaints.models import InspectionRound
from complaints.qr import TargetKind, resolve, round_target, token_for

COMMISSION = "县纪委监委"


class RoundError(ValueError):
    """Input a round cannot take; the message is for the person, `field` names the form field."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass
class RoundFields:
    name: str
    team_name: str
    starts_on: date
    ends_on: date
    member_ids: list[int] = field(default_factory=list)
    village_codes: list[str] = field(default_factory=list)
    scope_text: str = ""
    focus_text: str = ""
    contact_text: str = ""


@dataclass(frozen=True)
class RoundContext:
    """What the complaint form needs from ?round=<token>: the round and whether it is late."""

    round_id: int
    late: bool
    name: str
    team_name: str
    village_code: str
    starts_on: date
    ends_on: date
    late_notice: str  # empty inside the period


def format_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(inspection: InspectionRound) -> str:
    """2026年10月8日至2026年11月7日"""
    return f"{format_day(inspection.starts_on)}至{format_day(inspection.ends_on)}"


def in_period(inspection: InspectionRound, now: datetime) -> bool:
    """Whether `now` falls on a Shanghai day from the first to the last day of the round."""
    return inspection.starts_on <= local_date(now) <= inspection.ends_on


def state_label(inspection: InspectionRound, now: datetime) -> str:
    """未开始 / 进行中 / 已结束, for the back-office list."""
    today = local_date(now)
    if today < inspection.starts_on:
        return "未开始"
    return "已结束" if today > inspection.ends_on else "进行中"


def late_notice(inspection: InspectionRound, now: datetime) -> str:
    """The plain words shown beside a report filed outside the round's period; empty inside it."""
    if in_period(inspection, now):
        return ""
    if local_date(now) < inspection.starts_on:
        when = f"本轮巡察{format_day(inspection.starts_on)}开始，现在还不在巡察期内。"
    else:
        when = f"本轮巡察已于{format_day(inspection.ends_on)}结束。"
    return when + f"您仍然可以反映问题，问题将由{COMMISSION}办理，并标记为“巡察期外反映”。"


def round_for_report(inspection: InspectionRound, village_code: str, now: datetime) -> tuple[int, bool]:
    """(round id, late) for a report from a village of the round: late outside the period, when
    the county commission handles it instead of the team."""
    if village_code not in {village.code for village in inspection.villages}:
        raise RoundError("该村不在本轮巡察范围内")
    return inspection.id, not in_period(inspection, now)


def round_by_token(token: str) -> InspectionRound | None:
    """The round a QR token opens, or None when it opens something else or nothing."""
    target = resolve(token)
    if target is None or target.kind != TargetKind.ROUND:
        return None
    return db.session.get(InspectionRound, int(target.ref))


def round_context(token: str, village_code: str, now: datetime) -> RoundContext | None:
    """The round behind ?round=<token> for a report from `village_code`; None when the token is
    not a round's or the village is not in it (the form then files an ordinary complaint)."""
    inspection = round_by_token(token)
    if inspection is None:
        return None
    try:
        round_id, late = round_for_report(inspection, village_code, now)
    except RoundError:
        return None
    return RoundContext(
        round_id=round_id,
        late=late,
        name=inspection.name,
        team_name=inspection.team_name,
        village_code=village_code,
        starts_on=inspection.starts_on,
        ends_on=inspection.ends_on,
        late_notice=late_notice(inspection, now),
    )


def can_manage_round(user: User, inspection: InspectionRound) -> bool:
    """An administrator manages a round whose villages all lie in their scope."""
    return user.role == Role.ADMIN and all(in_scope(user, v.code) for v in inspection.villages)


def rounds_for(user: User) -> list[InspectionRound]:
    """The rounds the user manages, latest first (rounds are few: filtering here is fine)."""
    found = db.session.scalars(
        select(InspectionRound).order_by(InspectionRound.starts_on.desc(), InspectionRound.id.desc())
    )
    return [inspection for inspection in found if can_manage_round(user, inspection)]


def inspector_accounts() -> list[User]:
    """Enabled inspection-team accounts, the people a round's team may hold."""
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.INSPECTOR, User.is_enabled.is_(True)).order_by(User.username)
        )
    )


@transactional
def create_round(fields: RoundFields, *, by: User | None = None) -> InspectionRound:
    """Create a round with its team and villages, audited; its QR token is issued right after."""
    members, villages, county_code = _validate(fields, by)
    inspection = InspectionRound(county_code=county_code, members=members, villages=villages)
    _assign(inspection, fields)
    db.session.add(inspection)
    db.session.flush()
    record_audit(
        "round.create", target_type="inspection_round", target_id=inspection.id, detail=_snapshot(inspection), actor=by
    )
    db.session.commit()
    token_for(round_target(inspection.id))  # its own small transaction; a retry issues it anyway
    return inspection


@transactional
def update_round(inspection: InspectionRound, fields: RoundFields, *, by: User | None = None) -> InspectionRound:
    """Change a round; the audit entry keeps what it was before. Its QR token never changes."""
    members, villages, county_code = _validate(fields, by)
    before = _snapshot(inspection)
    inspection.members, inspection.villages, inspection.county_code = members, villages, county_code
    _assign(inspection, fields)
    after = _snapshot(inspection)
    if after != before:
        record_audit(
            "round.update",
            target_type="inspection_round",
            target_id=inspection.id,
            detail={"before": before, "after": after},
            actor=by,
        )
    db.session.commit()
    return inspection


def _assign(inspection: InspectionRound, fields: RoundFields) -> None:
    inspection.name, inspection.team_name = fields.name.strip(), fields.team_name.strip()
    inspection.starts_on, inspection.ends_on = fields.starts_on, fields.ends_on
    inspection.scope_text, inspection.focus_text = fields.scope_text.strip(), fields.focus_text.strip()
    inspection.contact_text = fields.contact_text.strip()


def _snapshot(inspection: InspectionRound) -> dict:
    return {
        "name": inspection.name,
        "team_name": inspection.team_name,
        "starts_on": inspection.starts_on.isoformat(),
        "ends_on": inspection.ends_on.isoformat(),
        "members": sorted(user.username for user in inspection.members),
        "villages": sorted(village.code for village in inspection.villages),
        "scope_text": inspection.scope_text,
        "focus_text": inspection.focus_text,
        "contact_text": inspection.contact_text,
    }


def _validate(fields: RoundFields, by: User | None) -> tuple[list[User], list[Region], str]:
    if not fields.name.strip():
        raise RoundError("请填写巡察轮次名称", "name")
    if not fields.team_name.strip():
        raise RoundError("请填写巡察组名称", "team_name")
    if fields.ends_on < fields.starts_on:
        raise RoundError("结束日期不能早于开始日期", "ends_on")
    villages, county_code = _villages(fields.village_codes, by)
    return _members(fields.member_ids), villages, county_code


def _villages(codes: list[str], by: User | None) -> tuple[list[Region], str]:
    villages = []
    for code in dict.fromkeys(code.strip() for code in codes if code.strip()):
        region = db.session.get(Region, code)
        if region is None:
            raise RoundError(f"行政区划代码「{code}」不存在", "village_codes")
        if region.level != Level.VILLAGE:
            raise RoundError(
                f"「{region.name}」（{code}）是{region.level_enum.label}级，巡察对象请填写村（社区）的代码",
                "village_codes",
            )
        if by is not None and not in_scope(by, code):
            raise RoundError(f"「{region.name}」不在您的管辖范围内", "village_codes")
        villages.append(region)
    if not villages:
        raise RoundError("请至少填写一个村（社区）的行政区划代码", "village_codes")
    counties = {village.parent.parent_code if village.parent else None for village in villages}
    if len(counties) != 1 or None in counties:
        # One county commission takes the reports filed after the round, so one county per round.
        raise RoundError("同一轮巡察的村须属于同一个县", "village_codes")
    return villages, counties.pop()


def _members(member_ids: list[int]) -> list[User]:
    members = []
    for user_id in dict.fromkeys(member_ids):
        user = db.session.get(User, user_id)
        if user is None:
            raise RoundError("所选账号不存在", "member_ids")
        if user.role != Role.INSPECTOR or not user.is_enabled:
            raise RoundError(f"「{user.display_name or user.username}」不是可用的巡察组成员账号", "member_ids")
        members.append(user)
    if not members:
        raise RoundError("请至少选择一名巡察组成员", "member_ids")
    return members
