"""Back-office forms: the shape of input, nothing else."""

import re

from core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from complaints import rounds
from core.form_fields import FiniteDecimalField
from core.web import id_from
from core.users.models import Role


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


class CodeForm(Form):
    code = StringField("验证码", validators=[DataRequired("请输入验证码"), Length(max=40)])


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=64)])
    email = StringField(
        "电子邮箱（可选：收期限提醒邮件）",
        filters=[lambda value: value.strip() if value else value],
        validators=[
            Optional(),
            Length(max=254, message="邮箱地址太长"),
            Email("邮箱地址格式不对，例如 name@example.gov.cn"),
        ],
    )
    role = SelectField("角色", choices=[SelectChoice(value, label) for value, label in Role.choices()])
    region_codes = TextAreaField("管辖范围（行政区划代码，每行一个）", validators=[Optional()])
    is_lead = BooleanField("负责人（可审批身份查看和延期申请）")

    def codes(self) -> list[str]:
        return [code.strip() for code in (self.region_codes.data or "").split() if code.strip()]

    def account(self) -> dict:
        """What creating and changing an account both take from the form (the username aside)."""
        return {
            "role": Role(self.role.data),
            "region_codes": self.codes(),
            "is_lead": self.is_lead.data,
            "display_name": self.display_name.data or "",
            "email": self.email.data or "",
        }


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing
        announce_errors = False

    actor = StringField("操作人", validators=[Optional(), Length(max=64)])
    action = SelectField("操作", validators=[Optional()])
    target_type = StringField("对象类型", validators=[Optional(), Length(max=32)])
    date_from = StringField("起始日期", validators=[Optional(), Length(max=10)])
    date_to = StringField("截止日期", validators=[Optional(), Length(max=10)])


class CalendarLoadForm(Form):
    file = FileField("节假日安排 CSV（表头：日期,类型；类型为 休息 或 上班）", validators=[FileRequired("请选择文件")])
    confirm = BooleanField("我确认文件是该年度完整的节假日安排", validators=[DataRequired("请确认文件是完整安排")])


class CountySettingsForm(Form):
    review_enabled = BooleanField("公开前须经审核")
    reviewer_level = SelectField("由谁审核")
    show_full_names = BooleanField("补贴名单公开完整姓名（默认只显示部分姓名）")
    clock_pausing_enabled = BooleanField("等待补充材料期间暂停答复期限")
    referral_working_days = IntegerField(
        "转办部门答复期限（工作日）", validators=[InputRequired("请填写天数"), NumberRange(1, 60, "应为1至60天")]
    )
    approval_threshold = FiniteDecimalField(
        "村级审批限额（元，拆分报销预警用）",
        places=2,
        validators=[InputRequired("请填写金额"), NumberRange(0, 10_000_000, "金额不正确")],
    )


# Inspection rounds (admin/rounds.py).
TEXT_LIMIT = Length(max=2000, message="最多 2000 字")
# One code a line, as the label says; pasted lists with commas or 、 are read the same way.
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class DayField(DateField):
    """A date input whose every error is Chinese: an empty box counts as missing, not malformed.

    Pair it with InputRequired: DataRequired would wipe the "malformed" message."""

    def __init__(self, label, **kwargs):
        super().__init__(label, invalid_value_message="请按 2026-10-08 的格式填写日期", **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata([value for value in valuelist if value.strip()])


class RoundForm(Form):
    name = StringField(
        "巡察轮次名称", validators=[DataRequired("请填写巡察轮次名称"), Length(max=100, message="最多 100 字")]
    )
    team_name = StringField(
        "巡察组", validators=[DataRequired("请填写巡察组名称"), Length(max=100, message="最多 100 字")]
    )
    # Checked against the inspector accounts by the service, which says so in Chinese.
    member_ids = SelectMultipleField(
        "巡察组成员", validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    village_codes = TextAreaField("巡察对象（村的行政区划代码，每行一个）")
    starts_on = DayField("开始日期", validators=[InputRequired("请填写开始日期")])
    ends_on = DayField("结束日期", validators=[InputRequired("请填写结束日期")])
    scope_text = TextAreaField("巡察范围", validators=[TEXT_LIMIT])
    focus_text = TextAreaField("巡察重点", validators=[TEXT_LIMIT])
    contact_text = TextAreaField("联系方式（电话、信箱、地点）", validators=[TEXT_LIMIT])

    def fields(self) -> rounds.RoundFields:
        return rounds.RoundFields(
            name=self.name.data,
            team_name=self.team_name.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            member_ids=[member for member in map(id_from, self.member_ids.data or []) if member is not None],
            village_codes=CODE_SEPARATORS.split(self.village_codes.data or ""),
            scope_text=self.scope_text.data or "",
            focus_text=self.focus_text.data or "",
            contact_text=self.contact_text.data or "",
        )
