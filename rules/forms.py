"""Forms of the rosters and rules pages: the shape of input, nothing else."""

from core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.form_fields import FiniteDecimalField
from core.timezone import FIRST_DAY, LAST_DAY
from rules.rosters.models import RosterKind
from rules.settings import PAIR_SEPARATOR, parse_pairs


class RosterUploadForm(Form):
    kind = SelectField("名单类别", choices=[SelectChoice(kind.value, kind.label) for kind in RosterKind])
    file = FileField("Excel 或 CSV 文件", validators=[FileRequired("请选择要上传的文件")])


class RosterConfirmForm(Form):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    kind = HiddenField(validators=[DataRequired()])


class RunForm(Form):
    as_of = DateField("比对日期（留空为今天）", validators=[Optional()])

    def validate_as_of(self, field):
        # The rules count back from this day (a rent's grace period): year 1 has nothing before it.
        if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
            raise ValidationError("比对日期超出范围")


class RuleSettingsForm(Form):
    approval_threshold = FiniteDecimalField(
        "村级审批限额（元，拆分报销）",
        places=2,
        validators=[
            InputRequired("请填写审批限额"),
            NumberRange(min=1, max=10_000_000, message="审批限额应在1元至1000万元之间"),
        ],
    )
    split_window_days = IntegerField(
        "拆分报销时间窗口（天）", validators=[InputRequired("请填写天数"), NumberRange(2, 90, "时间窗口应为2至90天")]
    )
    rent_grace_days = IntegerField(
        "租金宽限期（天）", validators=[InputRequired("请填写天数"), NumberRange(0, 365, "宽限期应为0至365天")]
    )
    exclusive_pairs = TextAreaField(
        f"互斥补贴（每行一对，用 {PAIR_SEPARATOR} 分隔）", validators=[Optional(), Length(max=2000)]
    )

    def validate_exclusive_pairs(self, field):
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if len(parse_pairs(field.data or "")) != len(lines):
            raise ValidationError(
                f"每行应为两个补贴项目，用 {PAIR_SEPARATOR} 分隔，如 最低生活保障金{PAIR_SEPARATOR}特困人员供养金"
            )
