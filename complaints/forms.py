"""Complaint forms: the shape of input, and the signed ticket each filing form carries."""

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from core.forms import Form
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.db import utcnow
from core.timezone import SHANGHAI, local
from complaints.models import Category, Channel, Rating
from complaints.services import Identity

MOBILE = re.compile(r"1[3-9]\d{9}")
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")  # staff may note a landline from a letter
TEXT_LIMIT = 2000
EARLIEST_RECEIVED_YEAR = 2000
MIN_TEXT_CHARS = 3  # "路没修" is a report; "啊" is not
TICKET_SALT = "complaint-ticket"
TICKET_MAX_AGE = 7 * 86400  # a form left open for a week is refilled from a fresh page
FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
STAFF_CHANNELS = [Channel.PHONE_12388, Channel.PHONE_12345, Channel.LETTER, Channel.VISIT]
CATEGORY_CHOICES = [SelectChoice(category.value, category.label) for category in Category]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TICKET_SALT)


def new_ticket() -> str:
    """A signed, timestamped idempotency token for one rendering of a filing form."""
    return _serializer().dumps(secrets.token_urlsafe(24))


def _clean_phone(value: str | None) -> str:
    return re.sub(r"[\s-]", "", value or "").removeprefix("+86")


class TicketMixin:
    """A hidden signed ticket: its token is the idempotency key; its age shows a too-fast robot."""

    ticket = HiddenField()
    min_seconds = 0
    token = ""

    def validate_ticket(self, field):
        try:
            self.token, signed_at = _serializer().loads(field.data or "", max_age=TICKET_MAX_AGE, return_timestamp=True)
        except SignatureExpired:
            field.data = new_ticket()
            raise ValidationError("页面打开太久已过期，请检查内容后重新提交") from None
        except BadSignature:
            field.data = new_ticket()
            raise ValidationError("页面已失效，请检查内容后重新提交") from None
        if utcnow() - signed_at < timedelta(seconds=self.min_seconds):
            raise ValidationError("提交太快了，请检查填写的内容后再提交一次")


class ComplaintForm(TicketMixin, Form):
    category = RadioField("问题类别", choices=CATEGORY_CHOICES, validators=[InputRequired("请选择问题类别")])
    text = TextAreaField(
        "发生了什么",
        validators=[DataRequired("请写下发生了什么"), Length(max=TEXT_LIMIT, message=f"请不要超过{TEXT_LIMIT}字")],
    )
    photos = MultipleFileField("照片（可选，最多5张）")
    voice = FileField("录音（可选，1段）")
    identity = RadioField(
        "是否留下姓名和电话",
        choices=[SelectChoice("anonymous", "匿名"), SelectChoice("real", "实名")],
        default="anonymous",
        validators=[InputRequired("请选择匿名或实名")],
    )
    # No Optional(): it would end the checks of an empty field before validate_name/validate_phone
    # run, and a 实名 form left blank would be filed without a name or a number.
    name = StringField("姓名", validators=[Length(max=32, message="姓名太长")])
    phone = StringField("手机号", validators=[Length(max=20, message="手机号格式不对")])
    # An anonymous complainant may leave a number for SMS notices only (docs/notices.md).
    notify = BooleanField("有答复时发短信告诉我")
    notify_phone = StringField("接收短信的手机号", validators=[Length(max=20, message="手机号格式不对")])
    # A field people never see: a robot filling every box fills this one too.
    website = StringField("网址（请不要填写）")
    # Where the complaint is from travels in the body, never in the URL the form posts to.
    village = HiddenField()
    item = HiddenField()
    round = HiddenField()

    def __init__(self, *args, min_seconds: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_seconds = min_seconds
        if not self.ticket.data:
            self.ticket.data = new_ticket()

    def validate_website(self, field):
        if field.data:
            raise ValidationError("提交未成功，请检查后重试")

    def validate_text(self, field):
        # Letters and digits (a Chinese character is one), so "？？？" or one character is not a report.
        if sum(char.isalnum() for char in field.data or "") < MIN_TEXT_CHARS:
            raise ValidationError(f"请多写几个字，说清楚发生了什么（至少{MIN_TEXT_CHARS}个字）")

    def validate_name(self, field):
        if self.identity.data == "real" and not (field.data or "").strip():
            raise ValidationError("实名反映请填写姓名")

    def validate_phone(self, field):
        if self.identity.data == "real" and not MOBILE.fullmatch(_clean_phone(field.data)):
            raise ValidationError("请填写11位手机号码，例如 13800138000")

    def validate_notify_phone(self, field):
        if self.identity.data != "real" and self.notify.data and not MOBILE.fullmatch(_clean_phone(field.data)):
            raise ValidationError("要接收短信通知，请填写11位手机号码，例如 13800138000")

    def filing_identity(self) -> Identity | None:
        """Name and phone only when 实名 was chosen; typed-then-hidden fields are dropped."""
        if self.identity.data != "real":
            return None
        return Identity(self.name.data.strip(), _clean_phone(self.phone.data))

    def notice_phone(self) -> str | None:
        """Where SMS notices go: a real-name complainant's number, or the one an anonymous
        complainant ticked 有答复时发短信告诉我 for; a number typed and then unticked is dropped."""
        if self.identity.data == "real":
            return _clean_phone(self.phone.data)
        return _clean_phone(self.notify_phone.data) if self.notify.data else None


class TrackForm(Form):
    code = StringField("案件编号", validators=[DataRequired("请输入案件编号"), Length(max=40)])
    secret = StringField("查询密码（16位数字）", validators=[DataRequired("请输入查询密码"), Length(max=60)])

    def case_code(self) -> str:
        """The number as typed on a phone: full-width digits, spaces, or no dashes at all."""
        typed = self.code.data.translate(FULL_WIDTH)
        digits = "".join(ch for ch in typed if ch.isdigit())
        if len(digits) == 17 and not any(ch in typed for ch in "-—"):
            return f"{digits[:4]}-{digits[4:13]}-{digits[13:]}"
        return "".join(ch for ch in typed if not ch.isspace()).replace("—", "-")


class SupplementForm(Form):
    """More from the complainant on the tracking page: the same limits and files as filing."""

    text = TextAreaField(
        "补充说明", validators=[Optional(), Length(max=TEXT_LIMIT, message=f"请不要超过{TEXT_LIMIT}字")]
    )
    photos = MultipleFileField("照片（可选，最多5张）")
    voice = FileField("录音（可选，1段）")


class RateForm(Form):
    rating = RadioField(
        "您对办理结果满意吗",
        choices=[SelectChoice(value, label) for value, label in Rating.choices()],
        validators=[InputRequired("请选择满意、基本满意或不满意")],
    )
    comment = TextAreaField("想说的话（可选）", validators=[Optional(), Length(max=500, message="请不要超过500字")])


class StaffComplaintForm(TicketMixin, Form):
    channel = SelectField("来源", choices=[SelectChoice(channel.value, channel.label) for channel in STAFF_CHANNELS])
    village = StringField("村（社区）", validators=[DataRequired("请选择村（社区）"), Length(max=12)])
    category = SelectField("问题类别", choices=CATEGORY_CHOICES)
    text = TextAreaField(
        "反映内容", validators=[DataRequired("请填写反映内容"), Length(max=TEXT_LIMIT * 2, message="内容太长")]
    )
    received_at = StringField("收到时间", validators=[DataRequired("请填写收到时间")])
    name = StringField("反映人姓名（可选）", validators=[Optional(), Length(max=32)])
    phone = StringField("联系电话（可选）", validators=[Optional(), Length(max=20)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.ticket.data:
            self.ticket.data = new_ticket()
        if not self.received_at.data:
            self.received_at.data = local(utcnow()).strftime("%Y-%m-%dT%H:%M")

    def validate_received_at(self, field):
        try:
            moment = datetime.strptime(field.data.strip()[:16], "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
        except ValueError:
            raise ValidationError("请按 年-月-日 时:分 填写收到时间") from None
        if moment > utcnow() + timedelta(minutes=1):
            raise ValidationError("收到时间不能晚于现在")
        if moment.year < EARLIEST_RECEIVED_YEAR:
            # Year 1 has no UTC instant before it; nothing so old is registered as a new case.
            raise ValidationError(f"收到时间不能早于{EARLIEST_RECEIVED_YEAR}年")
        self.received = moment

    def validate_phone(self, field):
        if field.data and not PHONE.fullmatch(_clean_phone(field.data)):
            raise ValidationError("请填写手机号或带区号的固定电话")

    def validate_name(self, field):
        if self.phone.data and not (field.data or "").strip():
            raise ValidationError("留了电话请同时填写姓名")

    def filing_identity(self) -> Identity | None:
        """The caller's name (and phone) when they gave one."""
        name = (self.name.data or "").strip()
        return Identity(name, _clean_phone(self.phone.data)) if name else None

    def notice_phone(self) -> str | None:
        """A caller's mobile number receives SMS notices like a web filer's; a landline cannot."""
        phone = _clean_phone(self.phone.data)
        return phone if self.filing_identity() and MOBILE.fullmatch(phone) else None
