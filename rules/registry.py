"""The built-in rules: code, grade, subject, what they say, and the query that finds their hits."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select

from complaints.models import Category
from rules.builtin import contracts, ledger, projects, subsidies
from rules.hits import RunContext

ID_NUMBER, ACCOUNT, PROJECT, CONTRACT, COUNTERPARTY = "身份证号", "银行账号", "项目编号", "合同编号", "对方单位"


@dataclass(frozen=True)
class Rule:
    code: str
    grade: int
    subject: str  # what the subject key is: 身份证号, 银行账号, 项目编号, 合同编号 or 对方单位
    title: str
    description: str  # the one-line Chinese explanation a warning carries
    category: Category  # where the case sits among complaint categories
    query: Callable[[RunContext], Select] | None
    # A rule that cannot be a query on the run's own connection (a SQL rule, read-only) hands
    # its hits over instead.
    fetch: Callable[[RunContext], list] | None = None

    @property
    def is_private_subject(self) -> bool:
        """Subjects stored only as a keyed hash, with the number itself encrypted."""
        return self.subject in (ID_NUMBER, ACCOUNT)


BUILTIN = (
    Rule(
        "DECEASED_RECIPIENT",
        1,
        ID_NUMBER,
        "死亡人员领取补贴",
        "死亡人员名单中的人员在死亡次月以后仍被发放补贴",
        Category.SUBSIDY,
        subsidies.deceased_recipient,
    ),
    Rule(
        "EXCLUSIVE_BENEFITS",
        2,
        ID_NUMBER,
        "互斥补贴重复享受",
        "同一人同月领取了不能同时享受的两项补贴",
        Category.SUBSIDY,
        subsidies.exclusive_benefits,
    ),
    Rule(
        "DUPLICATE_PAYMENT",
        2,
        ID_NUMBER,
        "同项补贴重复发放",
        "同一人同一补贴项目同一发放年月被发放不止一次",
        Category.SUBSIDY,
        subsidies.duplicate_payment,
    ),
    Rule(
        "OVER_STANDARD",
        2,
        ID_NUMBER,
        "超标准发放",
        "单笔补贴金额超过该项目当期每期最高金额",
        Category.SUBSIDY,
        subsidies.over_standard,
    ),
    Rule(
        "PUBLIC_EMPLOYEE_RECIPIENT",
        2,
        ID_NUMBER,
        "财政供养人员领取补贴",
        "财政供养人员领取了低保、特困供养、公益性岗位或技能培训补贴",
        Category.SUBSIDY,
        subsidies.public_employee_recipient,
    ),
    Rule(
        "CADRE_RELATIVE_RECIPIENT",
        3,
        ID_NUMBER,
        "村干部及近亲属享受补贴",
        "村干部或其近亲属在本村领取低保、特困供养或公益性岗位补贴，需核实是否按规定备案",
        Category.SUBSIDY,
        subsidies.cadre_relative_recipient,
    ),
    Rule(
        "SHARED_BANK_ACCOUNT",
        2,
        ACCOUNT,
        "多人共用银行账号",
        "同一银行账号在同一村收取两人以上的补贴",
        Category.SUBSIDY,
        subsidies.shared_bank_account,
    ),
    Rule(
        "PROJECT_OVER_BUDGET",
        1,
        PROJECT,
        "超概算支付",
        "项目累计支付或关联支出合计超过预算金额",
        Category.PROJECT,
        projects.project_over_budget,
    ),
    Rule(
        "PAID_BEFORE_APPROVAL",
        2,
        PROJECT,
        "未批先支",
        "项目关联支出的日期早于批复日期",
        Category.PROJECT,
        projects.paid_before_approval,
    ),
    Rule(
        "SPLIT_EXPENSES",
        2,
        COUNTERPARTY,
        "拆分报销规避审批",
        "同一对方单位短期内多笔低于审批限额的支出合计达到审批限额",
        Category.FUNDS,
        ledger.split_expenses,
    ),
    Rule(
        "RENT_ARREARS",
        2,
        CONTRACT,
        "租金欠收",
        "合同已到期应收的租金未足额入账",
        Category.ASSET,
        contracts.rent_arrears,
    ),
)
BY_CODE = {rule.code: rule for rule in BUILTIN}
