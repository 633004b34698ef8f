"""The custom rule form: a join built from lists, or a SELECT; the shape of input, nothing else."""

import json

from core.forms import Form
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from rules.custom.catalog import BASE_TABLES, KEYS, OPERATORS, TABLES
from rules.custom.models import CustomRule

CONDITIONS = 3
COLUMN_CHOICES = [SelectChoice("", "（不设条件）")] + [
    SelectChoice(f"{table.name}.{column}", f"{table.label} · {label}")
    for table in TABLES.values()
    for column, (label, _) in table.columns.items()
]


class CustomRuleForm(Form):
    code = StringField("规则代码（大写字母、数字、下划线，如 LOW_INCOME_CAR）", validators=[Optional(), Length(max=40)])
    title = StringField("规则名称", validators=[DataRequired("请填写规则名称"), Length(max=64)])
    description = StringField(
        "预警说明（一句话，随预警进入案件）", validators=[DataRequired("请填写预警说明"), Length(max=500)]
    )
    grade = SelectField(
        "预警等级",
        coerce=int,
        choices=[
            SelectChoice(1, "一级（24小时内启动核查）"),
            SelectChoice(2, "二级（3个工作日内启动核查）"),
            SelectChoice(3, "三级（提醒谈话，不计时）"),
        ],
    )
    kind = RadioField(
        "规则写法", default="form", choices=[SelectChoice("form", "表单组合"), SelectChoice("sql", "只读 SQL 查询")]
    )
    base = SelectField("比对的公开数据", choices=[SelectChoice(name, TABLES[name].label) for name in BASE_TABLES])
    subject = SelectField("比对对象（预警按村和此对象归并）", choices=[SelectChoice(key, key) for key in KEYS])
    join = SelectField(
        "关联的表",
        choices=[SelectChoice("", "不关联")] + [SelectChoice(t.name, t.label) for t in TABLES.values()],
        validators=[Optional()],
    )
    key = SelectField(
        "关联依据", choices=[SelectChoice("", "—")] + [SelectChoice(key, key) for key in KEYS], validators=[Optional()]
    )
    sql = TextAreaField(
        "SQL（一条 SELECT，须返回 village_code 和 subject 两列）", validators=[Optional(), Length(max=10_000)]
    )
    is_enabled = BooleanField("启用（随其他规则一起运行）", default=True)

    def definition(self) -> dict:
        """The definition the services store: {"sql": ...} or the form's choices."""
        if self.kind.data == "sql":
            return {"sql": self.sql.data or ""}
        conditions = []
        for number in range(1, CONDITIONS + 1):
            column = getattr(self, f"column_{number}").data
            if column:
                conditions.append(
                    {
                        "column": column,
                        "op": getattr(self, f"op_{number}").data,
                        "value": getattr(self, f"value_{number}").data or "",
                    }
                )
        return {
            "base": self.base.data,
            "subject": self.subject.data,
            "join": self.join.data or None,
            "key": self.key.data or None,
            "conditions": conditions,
        }

    def load(self, rule: CustomRule) -> None:
        """Show a saved rule's current version."""
        definition = json.loads(rule.definition)
        self.code.data, self.title.data, self.description.data = rule.code, rule.title, rule.description
        self.grade.data, self.kind.data, self.is_enabled.data = rule.grade, rule.kind, rule.is_enabled
        self.sql.data = definition.get("sql", "")
        for name in ("base", "subject", "join", "key"):
            getattr(self, name).data = definition.get(name) or ""
        for number, condition in enumerate(definition.get("conditions", []), start=1):
            getattr(self, f"column_{number}").data = condition["column"]
            getattr(self, f"op_{number}").data = condition["op"]
            getattr(self, f"value_{number}").data = condition["value"]


for _number in range(1, CONDITIONS + 1):
    setattr(
        CustomRuleForm,
        f"column_{_number}",
        SelectField(f"条件{_number}", choices=COLUMN_CHOICES, validators=[Optional()]),
    )
    setattr(
        CustomRuleForm,
        f"op_{_number}",
        SelectField("比较", choices=[SelectChoice(*item) for item in OPERATORS.items()], validators=[Optional()]),
    )
    setattr(CustomRuleForm, f"value_{_number}", StringField("值", validators=[Optional(), Length(max=500)]))
