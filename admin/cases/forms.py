"""Case forms: the shape of input, nothing else. Field names differ between forms because the
case page shows them all at once and every label must point at its own field."""

from core.forms import Form
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from admin.cases import lookups
from admin.cases.actions import CLASSIFICATIONS
from admin.cases.queries import CLOCK_STATES, QueueFilters
from complaints.models import Category, Channel, Status

TEXT = 5000
REPLY_KINDS = [
    SelectChoice("first_reply", "初步答复"),
    SelectChoice("progress", "核查进展告知"),
    SelectChoice("request_info", "请反映人补充材料"),
]


def _any(label: str, items) -> list[SelectChoice]:
    return [SelectChoice("", label)] + [SelectChoice(item.value, item.label) for item in items]


def _text(label: str, message: str, limit: int = TEXT) -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(message), Length(max=limit, message=f"请不要超过{limit}字")])


class QueueFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing
        announce_errors = False

    status = SelectField("状态", choices=_any("全部", Status), validators=[Optional()])
    region = SelectField("地区", validators=[Optional()])
    category = SelectField("类别", choices=_any("全部", Category), validators=[Optional()])
    channel = SelectField("渠道", choices=_any("全部", Channel), validators=[Optional()])
    clock = SelectField(
        "期限",
        choices=[SelectChoice("", "全部")] + [SelectChoice(*item) for item in CLOCK_STATES.items()],
        validators=[Optional()],
    )
    assignee = SelectField("承办人", validators=[Optional()])
    date_from = DateField("收到日期从", validators=[Optional()])
    date_to = DateField("至", validators=[Optional()])
    q = StringField("关键词（内容或编号）", validators=[Optional(), Length(max=50)])

    def filters(self) -> QueueFilters:
        """The valid part of the query string as queue filters (a bad field is ignored, not fatal)."""

        def value(field):
            return None if field.errors else field.data

        return QueueFilters(
            status=value(self.status) or "",
            region=value(self.region) or "",
            category=value(self.category) or "",
            channel=value(self.channel) or "",
            clock=value(self.clock) or "",
            assignee=value(self.assignee) or "",
            date_from=value(self.date_from),
            date_to=value(self.date_to),
            text=value(self.q) or "",
        )


ASSIGNEE_CHOICES = [SelectChoice("", "全部"), SelectChoice("me", "我的"), SelectChoice("none", "未分派")]


def queue_filter_form(user, args) -> QueueFilterForm:
    """The queue's filters from a query string, with the user's regions and colleagues to choose
    from; the queue page and its exports read the same one."""
    form = QueueFilterForm(args)
    form.region.choices = [SelectChoice("", "全部")] + [
        SelectChoice(r.code, r.name) for r in lookups.filter_regions(user)
    ]
    form.assignee.choices = ASSIGNEE_CHOICES + [
        SelectChoice(str(u.id), u.display_name or u.username) for u in lookups.colleagues(user)
    ]
    form.validate()
    return form


class AssignForm(Form):
    assignee = SelectField("分派给", coerce=int, validators=[InputRequired("请选择承办人")])


class BulkAssignForm(Form):
    """The queue's 批量分派: the ticked cases come as repeated `case` values (checkboxes in the table)."""

    assign_to = SelectField("把勾选的案件分派给", coerce=int, validators=[InputRequired("请选择承办人")])


class ReplyForm(Form):
    kind = RadioField("答复类型", choices=REPLY_KINDS, validators=[InputRequired("请选择答复类型")])
    reply = _text("答复内容（反映人在查询页可见）", "请填写答复内容")
    reply_template = SelectField("回复模板", coerce=str, validators=[Optional()])


class NoteForm(Form):
    note = _text("内部备注（反映人看不到）", "请填写备注内容")
    note_template = SelectField("回复模板", coerce=str, validators=[Optional()])


class ReferForm(Form):
    department = SelectField("转办部门", coerce=int, validators=[InputRequired("请选择部门")])
    summary = _text("转办摘要（不得含反映人姓名、电话）", "请填写转办摘要")


class ReferralAnswerForm(Form):
    referral_id = HiddenField(validators=[DataRequired("请选择转办记录")])
    answer = _text("部门答复", "请填写部门答复")


class ExtensionForm(Form):
    extension_days = IntegerField(
        "延长天数（1至30日）", validators=[InputRequired("请填写延长天数"), NumberRange(1, 30, "延期天数为1至30天")]
    )
    extension_reason = _text("延期理由（反映人可见）", "请写明延期理由", 1000)


class ReferralExtensionForm(Form):
    referral_id = HiddenField(validators=[DataRequired("请选择转办记录")])
    referral_extension_days = IntegerField(
        "延长工作日数（1至15个）",
        validators=[InputRequired("请填写延长的工作日数"), NumberRange(1, 15, "延期为1至15个工作日")],
    )
    referral_extension_reason = _text("延期理由（反映人可见）", "请写明延期理由", 1000)


class MergeForm(Form):
    into_code = StringField("合并到案件（编号）", validators=[DataRequired("请填写案件编号"), Length(max=24)])
    merge_reason = TextAreaField(
        "合并理由（两件案件不在同一个村时必填）", validators=[Optional(), Length(max=500, message="请不要超过500字")]
    )


class CloseForm(Form):
    result = _text("办理结果（反映人可见）", "请填写办理结果")
    classification = SelectField(
        "定性",
        choices=[SelectChoice("", "请选择")] + [SelectChoice(c, c) for c in CLASSIFICATIONS],
        validators=[DataRequired("请选择办理结果的定性")],
    )


class VerifyForm(Form):
    verify = _text("核查安排（内部记录，如核查人员、方式）", "请填写核查安排", 2000)


class FeedbackForm(Form):
    feedback = _text("向实名反映人反馈的情况（方式、时间）", "请填写反馈情况")


class ReopenForm(Form):
    reopen_reason = _text("重新办理的原因（反映人可见）", "请填写重新办理的原因", 1000)


class ConflictForm(Form):
    conflict_reason = _text("回避理由（如同村、亲属关系）", "请填写回避理由", 1000)


class IdentityRequestForm(Form):
    identity_reason = _text("申请理由", "请写明需要查看身份信息的理由", 1000)


class DecisionForm(Form):
    """Approve or deny one pending request; `back` says which page to return to."""

    request_id = HiddenField(validators=[DataRequired()])
    decision = HiddenField(validators=[DataRequired()])
    decision_note = StringField("审批意见", validators=[Optional(), Length(max=1000)])
    back = HiddenField()


# The lists administrators keep for case handling (admin/departments.py).
class DepartmentForm(Form):
    county = SelectField("所属县", validators=[InputRequired("请选择县")])
    name = StringField("部门名称（如 县医保局）", validators=[DataRequired("请填写部门名称"), Length(max=64)])


class ReplyTemplateForm(Form):
    category = SelectField("适用类别", choices=_any("全部类别", Category), validators=[Optional()])
    title = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=64)])
    body = _text("模板内容", "请填写模板内容")
