"""Back-office forms: the shape of input, nothing else."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, IntegerField, PasswordField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from core.form_fields import FiniteDecimalField
from core.users.models import Role


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField("验证码", validators=[DataRequired("请输入验证码"), Length(max=40)])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=64)])
    email = StringField("电子邮箱（可选：收期限提醒邮件）", filters=[lambda value: value.strip() if value else value],
                        validators=[Optional(), Length(max=254, message="邮箱地址太长"),
                                    Email("邮箱地址格式不对，例如 name@example.gov.cn")])
    role = SelectField("角色", choices=[SelectChoice(value, label) for value, label in Role.choices()])
    region_codes = TextAreaField("管辖范围（行政区划代码，每行一个）", validators=[Optional()])
    is_lead = BooleanField("负责人（可审批身份查看和延期申请）")

    def codes(self) -> list[str]:
        return [code.strip() for code in (self.region_codes.data or "").split() if code.strip()]


class ConfirmForm(FlaskForm):
    """A button-only form: carries the CSRF token for a state-changing POST."""


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    actor = StringField("操作人", validators=[Optional(), Length(max=64)])
    action = SelectField("操作", validators=[Optional()])
    target_type = StringField("对象类型", validators=[Optional(), Length(max=32)])
    date_from = StringField("起始日期", validators=[Optional(), Length(max=10)])
    date_to = StringField("截止日期", validators=[Optional(), Length(max=10)])


class CalendarLoadForm(FlaskForm):
    file = FileField("节假日安排 CSV（表头：日期,类型；类型为 休息 或 上班）",
                     validators=[FileRequired("请选择文件")])
    confirm = BooleanField("我确认文件是该年度完整的节假日安排", validators=[DataRequired("请确认文件是完整安排")])


class CountySettingsForm(FlaskForm):
    review_enabled = BooleanField("公开前须经审核")
    reviewer_level = SelectField("由谁审核")
    show_full_names = BooleanField("补贴名单公开完整姓名（默认只显示部分姓名）")
    clock_pausing_enabled = BooleanField("等待补充材料期间暂停答复期限")
    referral_working_days = IntegerField("转办部门答复期限（工作日）",
                                         validators=[InputRequired("请填写天数"), NumberRange(1, 60, "应为1至60天")])
    approval_threshold = FiniteDecimalField("村级审批限额（元，拆分报销预警用）", places=2,
                                      validators=[InputRequired("请填写金额"), NumberRange(0, 10_000_000, "金额不正确")])
