"""How roster rows are shown to commission staff: their columns, ID numbers partly hidden."""

from core.fields import field_cipher
from rules.cases import subject_display
from rules.rosters.models import RosterKind

PREVIEW_ROWS = 10
ROSTER_COLUMNS = {
    RosterKind.DECEASED: [("name", "姓名"), ("id", "身份证号"), ("died_on", "死亡日期")],
    RosterKind.PUBLIC_EMPLOYEES: [
        ("name", "姓名"),
        ("id", "身份证号"),
        ("employer", "工作单位"),
        ("category", "人员类别"),
    ],
    RosterKind.CADRES: [
        ("village_code", "村代码"),
        ("name", "姓名"),
        ("id", "身份证号"),
        ("post", "职务"),
        ("relation", "关系"),
    ],
    RosterKind.STANDARDS: [("item", "补贴项目"), ("from_month", "起始年月"), ("max_amount", "每期最高金额")],
}


def cell(row, key: str) -> str:
    """A cell of a checked row (a dict) or a stored one; an ID number masked either way."""
    if key == "id":
        clear = row.get("id_number") if isinstance(row, dict) else field_cipher().decrypt(row.id_cipher)
        return subject_display(clear, True)
    value = row.get(key) if isinstance(row, dict) else getattr(row, key)
    return "" if value is None else str(value)
