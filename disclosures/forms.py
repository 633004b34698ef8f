"""Accountants' and reviewers' forms: the shape of input, nothing else."""

import re

from core.forms import Form
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp

from disclosures.models import Kind

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in Kind]
# \Z, not $: "2026-10\n" is no month (the importer would refuse it with a ValueError, a 500).
MONTH = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")


class UploadForm(Form):
    kind = SelectField("公开类别", choices=KIND_CHOICES)
    period = StringField("公开月份（收支明细必填）", validators=[Optional(), Length(max=7)])
    file = FileField("Excel 或 CSV 文件", validators=[FileRequired("请选择要上传的文件")])

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() would stop the chain before it runs on an empty month.
        valid = super().validate(extra_validators)
        period = self.period.data or ""
        if self.kind.data == Kind.LEDGER and not MONTH.match(period):
            self.period.errors = [*self.period.errors, "收支明细请填写公开月份，格式如 2026-10"]
            return False
        if period and not MONTH.match(period):  # another kind's month is optional, but a month
            self.period.errors = [*self.period.errors, "公开月份格式如 2026-10"]
            return False
        return valid


ACCEPT_WARNINGS = "以上提示我已核对，确认无误"


class ConfirmUploadForm(Form):
    token = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
    kind = HiddenField(validators=[DataRequired(), AnyOf([kind.value for kind in Kind])])
    period = HiddenField(validators=[Optional(), Regexp(MONTH.pattern)])
    accept_warnings = BooleanField(ACCEPT_WARNINGS)
    # The preview page to show: its 上一页/下一页 buttons post this form back to the preview.
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])


class CancelUploadForm(Form):
    token = HiddenField(validators=[DataRequired()])


class ReviewForm(Form):
    note = TextAreaField("退回原因（退回时必填）", validators=[Optional(), Length(max=500)])


class CorrectionForm(Form):
    reason = TextAreaField(
        "更正原因（必填，将向村民公开）", validators=[DataRequired("请填写更正原因"), Length(max=500)]
    )
    withdraw = BooleanField("撤回这一行（这一行本不应公开）")
    accept_warnings = BooleanField(ACCEPT_WARNINGS)


class EmptyMonthForm(Form):
    kind = HiddenField(default=Kind.LEDGER.value, validators=[AnyOf([Kind.LEDGER.value, Kind.SUBSIDIES.value])])
    village = HiddenField(validators=[DataRequired(), Regexp(r"^\d{12}$")])
    period = HiddenField(validators=[DataRequired(), Regexp(MONTH.pattern)])


class RowEntryForm(Form):
    """Carries the CSRF token; the row's cells are the template's columns, checked by the importer.
    A warning (a credit code's check character, an ID ending in 000) is confirmed, as on an upload."""

    accept_warnings = BooleanField(ACCEPT_WARNINGS)


class PhotoForm(Form):
    """A site photo for one project update of a batch awaiting review."""

    READ_LIMIT = 10 * 1024 * 1024 + 1  # one byte past the limit, so the service can say it is too big
    photo = FileField("现场照片", validators=[FileRequired("请选择照片")])
    caption = StringField("照片说明（可不填）", validators=[Optional(), Length(max=100)])


class RemovePhotoForm(Form):
    """Carries the CSRF token of 删除 under a photo of a batch awaiting review."""
