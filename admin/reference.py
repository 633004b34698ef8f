"""Lists administrators keep for case handling: the departments cases are referred to (per county)
and the reply templates handlers insert (per complaint category). Each function is one transaction."""

from sqlalchemy import select

from admin.models import Department, ReplyTemplate
from core.audit import record_audit
from core.extensions import db
from core.users.models import User


class ListError(ValueError):
    """A change the list does not allow; the message is for the administrator."""


def add_department(county_code: str, name: str, *, by: User) -> Department:
    """Add a department to a county's list (names are unique within a county)."""
    name = (name or "").strip()[:64]
    if not name:
        raise ListError("请填写部门名称")
    if db.session.scalar(select(Department.id).where(Department.county_code == county_code, Department.name == name)):
        raise ListError("本县已有同名部门")
    department = Department(county_code=county_code, name=name, is_active=True)
    db.session.add(department)
    db.session.flush()
    record_audit(
        "department.create",
        target_type="department",
        target_id=department.id,
        actor=by,
        detail={"county": county_code, "name": name},
    )
    db.session.commit()
    return department


def set_department_active(department: Department, active: bool, *, by: User) -> None:
    """Stop offering a department for new referrals (old referrals keep it), or offer it again."""
    department.is_active = active
    record_audit(
        "department.enable" if active else "department.disable",
        target_type="department",
        target_id=department.id,
        actor=by,
        detail={"name": department.name},
    )
    db.session.commit()


def save_template(template: ReplyTemplate | None, *, category: str, title: str, body: str, by: User) -> ReplyTemplate:
    """Create a reply template or change one."""
    title, body = (title or "").strip()[:64], (body or "").strip()
    if not title or not body:
        raise ListError("请填写模板标题和内容")
    if template is None:
        template = ReplyTemplate()
        db.session.add(template)
    template.category, template.title, template.body = category, title, body[:5000]
    db.session.flush()
    record_audit(
        "reply_template.save",
        target_type="reply_template",
        target_id=template.id,
        actor=by,
        detail={"title": title, "category": category},
    )
    db.session.commit()
    return template


def delete_template(template: ReplyTemplate, *, by: User) -> None:
    """Remove a template; texts already sent are on the case timelines and stay."""
    record_audit(
        "reply_template.delete",
        target_type="reply_template",
        target_id=template.id,
        actor=by,
        detail={"title": template.title},
    )
    db.session.delete(template)
    db.session.commit()
