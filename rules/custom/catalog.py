"""What a custom rule may be built from: the tables, their columns (with types for the
conditions), and the keys two tables may be joined on."""

from dataclasses import dataclass

from disclosures.models import Contract, LedgerEntry, ProjectUpdate, SubsidyPayment
from rules.rosters.models import CadreEntry, DeceasedPerson, PublicEmployee, RosterKind, SubsidyStandard

TEXT, NUMBER, DATE = "text", "number", "date"


@dataclass(frozen=True)
class Table:
    name: str  # the source name evidence rows carry (the table's name)
    label: str
    model: type
    columns: dict[str, tuple[str, str]]  # column → (label, type)
    roster: RosterKind | None = None

    @property
    def has_village(self) -> bool:
        return hasattr(self.model, "village_code")


TABLES = {
    table.name: table
    for table in (
        Table(
            "subsidy_payments",
            "补贴发放",
            SubsidyPayment,
            {
                "item": ("补贴项目", TEXT),
                "month": ("发放年月", TEXT),
                "name": ("姓名", TEXT),
                "amount": ("金额", NUMBER),
                "paid_on": ("发放日期", DATE),
            },
        ),
        Table(
            "ledger_entries",
            "收支明细",
            LedgerEntry,
            {
                "direction": ("收支（income/expense/opening）", TEXT),
                "category": ("科目", TEXT),
                "summary": ("摘要", TEXT),
                "amount": ("金额", NUMBER),
                "entry_on": ("日期", DATE),
                "counterparty": ("对方单位", TEXT),
            },
        ),
        Table(
            "project_updates",
            "项目进度",
            ProjectUpdate,
            {
                "project_type": ("项目类型", TEXT),
                "status": ("状态", TEXT),
                "budget": ("预算金额", NUMBER),
                "paid_total": ("累计支付", NUMBER),
                "progress": ("进度", NUMBER),
                "approved_on": ("批复日期", DATE),
                "start_on": ("开工日期", DATE),
                "updated_on": ("更新日期", DATE),
                "contractor": ("承建单位", TEXT),
            },
        ),
        Table(
            "contracts",
            "资产资源合同",
            Contract,
            {
                "category": ("类别", TEXT),
                "party": ("承包方", TEXT),
                "annual_rent": ("年租金", NUMBER),
                "pay_cycle": ("缴费周期", TEXT),
                "start_on": ("起始日期", DATE),
                "end_on": ("终止日期", DATE),
            },
        ),
        Table("roster_deceased", "死亡人员名单", DeceasedPerson, {"died_on": ("死亡日期", DATE)}, RosterKind.DECEASED),
        Table(
            "roster_public_employees",
            "财政供养人员名单",
            PublicEmployee,
            {"category": ("人员类别", TEXT), "employer": ("工作单位", TEXT)},
            RosterKind.PUBLIC_EMPLOYEES,
        ),
        Table(
            "roster_cadres",
            "村干部及近亲属",
            CadreEntry,
            {"relation": ("关系", TEXT), "post": ("职务", TEXT)},
            RosterKind.CADRES,
        ),
        Table(
            "roster_standards",
            "补贴标准",
            SubsidyStandard,
            {"item": ("补贴项目", TEXT), "from_month": ("起始年月", TEXT), "max_amount": ("每期最高金额", NUMBER)},
            RosterKind.STANDARDS,
        ),
    )
}
BASE_TABLES = ("subsidy_payments", "ledger_entries", "project_updates", "contracts")  # rows that have a village

# Join key → table → (column, its cipher column or None). A key's value is the subject of a hit.
KEYS = {
    "身份证号": {
        "subsidy_payments": ("id_hash", "id_cipher"),
        "contracts": ("party_id_hash", "party_id_cipher"),
        "roster_deceased": ("id_hash", "id_cipher"),
        "roster_public_employees": ("id_hash", "id_cipher"),
        "roster_cadres": ("id_hash", "id_cipher"),
    },
    "银行账号": {"subsidy_payments": ("account_hash", "account_cipher")},
    "对方单位": {
        "ledger_entries": ("counterparty", None),
        "project_updates": ("contractor", None),
        "contracts": ("party", None),
    },
    "项目编号": {"project_updates": ("project_no", None), "ledger_entries": ("link_code", None)},
    "合同编号": {"contracts": ("contract_no", None), "ledger_entries": ("link_code", None)},
}
OPERATORS = {
    "eq": "等于",
    "in": "属于（用、分隔）",
    "gt": "大于",
    "lt": "小于",
    "before": "日期早于",
    "after": "日期晚于",
    "within": "比对日前N天内",
}
