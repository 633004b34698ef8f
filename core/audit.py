"""The append-only audit log of staff actions that change data or reveal personal data.

Entries are only ever inserted; the migration adds database triggers that refuse UPDATE and
DELETE, so not even a bug in this code can rewrite history.
"""

import json
from datetime import datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, utcnow
from core.extensions import client_address, db


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Kept beside the id so the log still reads right if the account is renamed.
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32), default="", index=True)
    target_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str] = mapped_column(String(64), default="")

    @property
    def detail_dict(self) -> dict:
        return json.loads(self.detail or "{}")


ACTION_LABELS = {
    "user.create": "创建账号",
    "user.update": "修改账号",
    "user.disable": "停用账号",
    "user.enable": "启用账号",
    "user.reset_password": "重置密码",
    "user.login": "登录",
    "user.logout": "退出登录",
    "user.2fa_enrol": "设置两步验证",
    "user.2fa_recovery_code": "用恢复码登录",
    "user.2fa_reset": "重置两步验证",
    "lookup.budget_spent": "我的补贴全县查询次数用完",
    "region.import": "导入行政区划",
    "region.rename": "修改区划名称",
    "calendar.load": "载入节假日安排",
    "settings.update": "修改县级设置",
    "disclosure.upload": "上传公开数据",
    "disclosure.publish": "公开批次",
    "disclosure.return": "退回批次",
    "disclosure.correct": "提交更正",
    "disclosure.reveal": "查看个人信息",
    "disclosure.photo_add": "添加项目照片",
    "disclosure.photo_remove": "删除项目照片",
    "complaint.register": "登记来电来信来访",
    "case.assign": "分派案件",
    "case.first_reply": "初步答复",
    "case.progress": "进展告知",
    "case.request_info": "请求补充材料",
    "case.note": "内部备注",
    "case.close": "办结",
    "case.feedback": "实名反馈",
    "case.reopen": "重新办理",
    "case.merge": "合并案件",
    "case.conflict": "申请回避",
    "case.refer": "转办",
    "case.referral_answer": "记录部门答复",
    "case.extension_request": "申请延期",
    "case.extension_decide": "审批延期",
    "case.material_received": "收到补充材料",
    "case.identity_request": "申请查看身份",
    "case.identity_decide": "审批身份查看",
    "case.identity_reveal": "查看反映人身份",
    "case.export_file": "导出案件登记表",
    "case.export_queue": "导出案件清单",
    "department.create": "新增转办部门",
    "department.enable": "启用转办部门",
    "department.disable": "停用转办部门",
    "reply_template.save": "保存答复模板",
    "reply_template.delete": "删除答复模板",
    "round.create": "新建巡察轮次",
    "round.update": "修改巡察轮次",
    "roster.import": "导入比对名单",
    "roster.view": "查看比对名单",
    "rules.run": "运行比对规则",
    "rules.settings": "修改比对规则设置",
    "rules.custom_save": "保存自定义规则",
    "case.verify": "核查启动",
    "system.restore": "从备份恢复数据",
}


def record_audit(
    action: str,
    *,
    target_type: str = "",
    target_id: str | int = "",
    detail: dict | None = None,
    actor=None,
    by_system: bool = False,
) -> AuditEntry:
    """Add an audit entry to the current transaction (flush only; the caller commits).

    `by_system`: the portal notes something a villager's request set off (a spent lookup budget);
    the entry names no actor and keeps no address, so it cannot tie a villager to a lookup."""
    actor = None if by_system else actor if actor is not None else _current_actor()
    address = "" if by_system else client_address() if has_request_context() else "cli"
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name="系统" if by_system else getattr(actor, "username", "命令行"),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        address=address,
        at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


__all__ = ["AuditEntry", "ACTION_LABELS", "record_audit"]
