"""The back-office menu: only the pages a role may open."""

from flask import url_for
from flask_login import current_user

from core.users.models import Role
from rules.permissions import can_manage_rosters

# (endpoint, label, who may open it: the roles the route's guard names, or its permission function).
MENU = [
    ("admin.home", "工作台", set(Role)),
    ("admin.case_queue", "案件办理", {Role.HANDLER, Role.INSPECTOR, Role.ADMIN}),
    ("admin.dashboard", "驾驶舱", {Role.HANDLER, Role.INSPECTOR, Role.ADMIN}),
    ("complaints_staff.new", "登记来电来信", {Role.HANDLER, Role.ADMIN}),
    ("admin.users", "账号管理", {Role.ADMIN}),
    ("disclosures.home", "村务公开", {Role.ACCOUNTANT, Role.REVIEWER, Role.HANDLER, Role.ADMIN}),
    ("rounds_admin.index", "巡察轮次", {Role.ADMIN}),
    ("admin.departments", "转办部门与模板", {Role.ADMIN}),
    ("admin.settings_index", "县级设置", {Role.ADMIN}),
    ("rules.index", "比对规则", {Role.ADMIN}),
    ("rules.rosters", "比对名单", can_manage_rosters),
    ("admin.calendar", "节假日安排", {Role.ADMIN}),
    ("admin.notices", "短信通知", {Role.ADMIN}),
    ("admin.audit", "操作日志", {Role.ADMIN}),
]


def staff_menu() -> list[dict]:
    """Menu entries for the signed-in user."""
    if not current_user.is_authenticated:
        return []
    return [
        {"url": url_for(endpoint), "label": label}
        for endpoint, label, allowed in MENU
        if (allowed(current_user) if callable(allowed) else current_user.role in allowed)
    ]
