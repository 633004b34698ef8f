"""Account use cases; each public function is one transaction."""

import functools
import secrets

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core.audit import record_audit
from core.db import utcnow
from core.extensions import db
from core.regions.models import Region
from core.users import backoff
from core.users.models import Role, User, new_session_token
from core.users.permissions import SCOPE_LEVELS, can_give_scope, can_manage_account, in_scope
from core.transaction import transactional


@functools.cache
def _dummy_hash() -> str:
    """A hash to compare against when the username is unknown, so that timing does not tell
    whether an account exists. Made on first sign-in: scrypt costs a fifth of a second, which every
    `flask` command would otherwise pay."""
    return generate_password_hash("not-a-password")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def generate_password() -> str:
    """A random password that is easy to read aloud and type (no 0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))


def _clean_email(email: str) -> str:
    """An address the reminder mail can go to, normalised; "" for none."""
    email = email.strip()
    if not email:
        return ""
    from email_validator import EmailNotValidError, validate_email  # dnspython: loaded when used

    try:
        # Syntax only: the server must not look anything up on the network for a form.
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise AccountError(f"邮箱地址「{email}」格式不对") from None


def _distinct(codes) -> list[str]:
    """Each code once, in the order given: a code typed twice is one scope (and one row of the
    account's regions, whose key it is)."""
    return list(dict.fromkeys(code.strip() for code in codes))


def _resolve_regions(role: Role, codes: list[str]) -> list[Region]:
    regions = []
    for code in codes:
        region = db.session.get(Region, code)
        if region is None:
            raise AccountError(f"行政区划代码「{code}」不存在")
        if region.level not in SCOPE_LEVELS[role]:
            raise AccountError(f"{role.label}的范围不能是{region.level_enum.label}级「{region.name}」")
        regions.append(region)
    if role in (Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER) and not regions:
        raise AccountError(f"{role.label}必须指定管辖范围")
    return regions


def _require_reach(by: User | None, role: Role, codes: list[str]) -> None:
    """An administrator gives only what lies in its reach (the command line, `by` None, any)."""
    if by is None or can_give_scope(by, role, codes):
        return
    outside = [code for code in codes if not in_scope(by, code)]
    if outside:
        raise AccountError(f"「{outside[0]}」不在您的管辖范围内")
    if not codes:
        raise AccountError("请填写您管辖范围内的行政区划代码")
    raise AccountError("管理员账号的范围须在您的管辖范围之内，不能与您的范围相同")


def _require_manages(by: User | None, user: User) -> None:
    if by is not None and not can_manage_account(by, user):
        raise AccountError("您不能管理这个账号")


def create_user(
    username: str,
    *,
    role: Role,
    region_codes: list[str] = (),
    is_lead: bool = False,
    display_name: str = "",
    email: str = "",
    password: str | None = None,
    by: User | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its (generated unless given) password. `by` is the
    administrator doing it (None from the command line)."""
    username, region_codes = username.strip(), _distinct(region_codes)
    if not username:
        raise AccountError("用户名不能为空")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise AccountError(f"用户名「{username}」已被使用")
    if is_lead and role != Role.HANDLER:
        raise AccountError("只有纪委监委工作人员可以设为负责人")
    regions = _resolve_regions(role, list(region_codes))
    _require_reach(by, role, list(region_codes))
    password = password or generate_password()
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=_clean_email(email),
        role=role,
        is_lead=is_lead,
        password_hash=_hash(password),
        regions=regions,
    )
    db.session.add(user)
    db.session.flush()
    record_audit(
        "user.create",
        target_type="user",
        target_id=user.id,
        detail={
            "username": username,
            "role": role.value,
            "regions": list(region_codes),
            "is_lead": is_lead,
            "email": user.email,
        },
    )
    db.session.commit()
    return user, password


@transactional
def update_user(
    user: User,
    *,
    role: Role,
    region_codes: list[str],
    is_lead: bool,
    display_name: str,
    email: str = "",
    by: User | None = None,
) -> User:
    """Change an account's role, scope, lead flag, display name and e-mail address. An
    administrator (`by`) never changes its own role or scope, nor gives more than its reach."""
    email, region_codes = _clean_email(email), _distinct(region_codes)
    if is_lead and role != Role.HANDLER:
        raise AccountError("只有纪委监委工作人员可以设为负责人")
    before = {
        "role": user.role,
        "regions": [r.code for r in user.regions],
        "is_lead": user.is_lead,
        "display_name": user.display_name,
        "email": user.email,
    }
    regions = _resolve_regions(role, region_codes)
    _require_manages(by, user)
    if by is not None and by.id == user.id:
        if (role.value, set(region_codes)) != (user.role, set(before["regions"])):
            raise AccountError("不能修改自己的角色或管辖范围，请由其他管理员修改")
    else:
        _require_reach(by, role, region_codes)
    user.regions = regions
    user.role, user.is_lead, user.display_name = role, is_lead, display_name.strip()
    user.email = email
    after = {
        "role": role.value,
        "regions": list(region_codes),
        "is_lead": is_lead,
        "display_name": user.display_name,
        "email": user.email,
    }
    powers = ("role", "regions", "is_lead")
    if any(before[name] != after[name] for name in powers):
        # A changed role or scope must not keep powers in sessions opened before it.
        user.session_token = new_session_token()
    if before != after:
        record_audit("user.update", target_type="user", target_id=user.id, detail={"before": before, "after": after})
    db.session.commit()
    return user


def set_enabled(user: User, enabled: bool, *, by: User | None = None) -> None:
    """Disable (ending every session) or re-enable an account."""
    _require_manages(by, user)
    if by is not None and by.id == user.id and not enabled:
        raise AccountError("不能停用自己的账号")
    if user.is_enabled == enabled:
        return
    user.is_enabled = enabled
    user.session_token = new_session_token()
    record_audit(
        "user.enable" if enabled else "user.disable",
        target_type="user",
        target_id=user.id,
        detail={"username": user.username},
    )
    db.session.commit()


def reset_password(user: User, *, by: User | None = None) -> str:
    """Give an account a new generated password, ending its sessions; returns the password."""
    _require_manages(by, user)
    password = generate_password()
    user.password_hash = _hash(password)
    user.session_token = new_session_token()
    record_audit("user.reset_password", target_type="user", target_id=user.id, detail={"username": user.username})
    db.session.commit()
    return password


def find_user(username: str) -> User | None:
    """The account with this username (spaces around it ignored), enabled or not."""
    return db.session.scalar(select(User).where(User.username == username.strip()))


def authenticate(username: str, password: str) -> User | None:
    """The enabled account with this username and password, or None."""
    user = find_user(username)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_enabled:
        return None
    return user


def record_login(user: User) -> None:
    """Stamp a successful login, forget earlier failures, and audit it."""
    user.last_login_at = utcnow()
    backoff.clear(user)
    record_audit("user.login", target_type="user", target_id=user.id, actor=user)
    db.session.commit()


def end_sessions(user: User) -> None:
    """Sign-out: a new session token, so the cookie just dropped (and any copy of it, or of this
    account's cookies elsewhere) no longer loads the account."""
    user.session_token = new_session_token()
    record_audit("user.logout", target_type="user", target_id=user.id, actor=user)
    db.session.commit()


def load_user(user_id: str) -> User | None:
    """flask-login's loader: the id carries the session token, so reset/disable log out."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not secrets.compare_digest(user.session_token, token) or not user.is_enabled:
        return None
    return user
