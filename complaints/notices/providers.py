"""Who carries a notice: a provider takes a recipient address and a message and returns the
provider's reference for it, or raises SendFailure. NOTICE_PROVIDER picks one:

- `log` (the default): the SMS as it would go out, appended to NOTICE_LOG_FILE with only the
  number's last four digits — for a county without an SMS contract, the demo and the tests;
- `http`: a commercial SMS gateway over HTTPS, with the templates registered there in advance as
  Chinese SMS rules require (one template id per notice kind, NOTICE_SMS_TEMPLATES);
- `module:function`: any other provider, built by function(config) — a WeChat template-message
  provider is one of these: its recipient is the contact's openid, its template ids are the
  official account's, and Message.params fill the template's fields (docs/notices.md).

No provider writes a number into a log, an error or an exception message.
"""

import importlib
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from complaints.notices.models import ContactChannel, NoticeKind
from core.db import utcnow
from core.timezone import local

TIMEOUT_SECONDS = 10
DEFAULT_SIGN = "阳光村务"
# The registered wording: a case number and what happened, never the complaint text, the tracking
# secret or a name. The same words are what the gateway's templates must be registered with; with
# the signature and an 18-character case number each fits one 70-character SMS.
TEMPLATES = {
    NoticeKind.REPLY: "您反映的问题（编号{code}）有新的答复，请凭编号和查询密码在“查询办理进展”查看。",
    NoticeKind.REQUEST_INFO: "您反映的问题（编号{code}）需要您补充材料，请凭编号和查询密码在“查询办理进展”补充。",
    NoticeKind.RESULT: "您反映的问题（编号{code}）已办结，请凭编号和查询密码在“查询办理进展”查看结果并评价。",
}
_DIGIT_RUN = re.compile(r"\+?\d[\d \t-]*\d")
NUMBER_DIGITS = 7  # a local landline has 7; anything shorter (a status code, an errno) stays


class SendFailure(Exception):
    """The provider did not take the message; the text says why, without the recipient."""


@dataclass(frozen=True)
class Message:
    kind: NoticeKind
    params: dict[str, str]
    sign: str

    @property
    def text(self) -> str:
        return f"【{self.sign}】" + TEMPLATES[self.kind].format(**self.params)


class Provider(Protocol):
    name: str
    channel: ContactChannel

    def send(self, to: str, message: Message) -> str:
        """Hand the message over; return the provider's reference for it (may be empty)."""


def scrub(text: str) -> str:
    """Anything that looks like a phone number (seven digits or more) masked: a gateway's error
    may quote the recipient."""

    def mask(found: re.Match) -> str:
        run = found.group()
        return "*" * len(run) if sum(char.isdigit() for char in run) >= NUMBER_DIGITS else run

    return _DIGIT_RUN.sub(mask, text or "")


def last_four(number: str) -> str:
    return "尾号" + re.sub(r"\D", "", number)[-4:]


class LogProvider:
    """Appends each SMS to a file, one line each, the number cut to its last four digits."""

    name = "log"
    channel = ContactChannel.SMS

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, to: str, message: Message) -> str:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(
                    f"{local(utcnow()).isoformat(timespec='seconds')} {last_four(to)} "
                    f"{message.kind.value} {message.text}\n"
                )
        except OSError as error:
            raise SendFailure(f"短信日志无法写入：{error.strerror or type(error).__name__}") from None
        return ""


class HttpSmsProvider:
    """POSTs {"to", "sign", "template", "params"} as JSON to the gateway with the key as a bearer
    token; any 2xx answer is taken, and its JSON "id" kept as the reference. A gateway with
    another request shape gets a small relay, or a provider of its own (`module:function`)."""

    name = "http"
    channel = ContactChannel.SMS

    def __init__(self, url: str, key: str, templates: dict[NoticeKind, str], timeout: float = TIMEOUT_SECONDS):
        if not url:
            raise ValueError("NOTICE_SMS_HTTP_URL 未设置")
        self.url, self.key, self.templates, self.timeout = url, key, templates, timeout

    def send(self, to: str, message: Message) -> str:
        template = self.templates.get(message.kind)
        if not template:
            raise SendFailure(f"未配置“{message.kind.label}”的短信模板（NOTICE_SMS_TEMPLATES）")
        body = json.dumps(
            {"to": to, "sign": message.sign, "template": template, "params": message.params}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {self.key}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured https URL)
                answer = _json(response.read())
        except urllib.error.HTTPError as error:
            code = _json(error.read()).get("code", "")
            raise SendFailure(scrub(f"短信网关拒绝：HTTP {error.code} {code}".strip())) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise SendFailure(scrub(f"短信网关无法连接：{reason}")) from None
        return str(answer.get("id", ""))[:64]


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def parse_templates(setting: str | dict | None) -> dict[NoticeKind, str]:
    """ "reply=SMS_1,request_info=SMS_2,result=SMS_3" (or a dict) → template id per kind."""
    if isinstance(setting, dict):
        pairs = setting.items()
    else:
        pairs = (part.split("=", 1) for part in (setting or "").split(",") if "=" in part)
    found = {}
    for name, template in pairs:
        kind = NoticeKind.lookup(str(name).strip())
        if kind is None:
            raise ValueError(f"NOTICE_SMS_TEMPLATES 中的通知类型「{name}」无效，应为 reply、request_info 或 result")
        found[kind] = str(template).strip()
    return found


def provider_from_config(config) -> Provider:
    """The provider NOTICE_PROVIDER names (see the module's docstring)."""
    choice = str(config.get("NOTICE_PROVIDER") or "log")
    if choice == "log":
        return LogProvider(config["NOTICE_LOG_FILE"])
    if choice == "http":
        return HttpSmsProvider(
            config.get("NOTICE_SMS_HTTP_URL", ""),
            config.get("NOTICE_SMS_HTTP_KEY", ""),
            parse_templates(config.get("NOTICE_SMS_TEMPLATES")),
        )
    module, _, function = choice.partition(":")
    if not function:
        raise ValueError(f"NOTICE_PROVIDER「{choice}」无效，应为 log、http 或 模块:函数")
    return getattr(importlib.import_module(module), function)(config)
