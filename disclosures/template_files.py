"""Blank import templates to download: each template's own columns and one example row.

The headers come from the importer's Template class, so a downloaded file always has the columns
the importer asks for; the example row is a row that same importer accepts."""

import io
from datetime import date

from disclosures.importers.checking import TEMPLATES
from disclosures.models import Kind

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# One plausible row per template, by column; 村代码 is filled with a village of the downloader.
# The ID number is GB 11643's own published example, not a person's.
EXAMPLES: dict[Kind, dict[str, object]] = {
    Kind.LEDGER: {
        "日期": date(2026, 10, 5),
        "凭证号": "记-001",
        "收支": "支出",
        "科目": "公益支出",
        "摘要": "村道路灯维修",
        "金额": 1250.00,
        "对方单位": "青山电器维修部",
        "关联编号": "",
    },
    Kind.SUBSIDIES: {
        "补贴项目": "最低生活保障金",
        "发放年月": "2026-10",
        "姓名": "张三",
        "身份证号": "11010519491231002X",
        "金额": 680.00,
        "发放日期": date(2026, 10, 15),
        "银行账号": "6217000010001234567",
    },
    Kind.PROJECTS: {
        "项目编号": "XM-2026-01",
        "项目名称": "村委会至小学道路硬化",
        "项目类型": "道路",
        "预算金额": 380000.00,
        "资金来源": "县财政专项",
        "承建单位": "清溪县路桥工程有限公司",
        "承建单位信用代码": "",
        "批复日期": date(2026, 3, 1),
        "开工日期": date(2026, 4, 1),
        "计划完工日期": date(2026, 11, 30),
        "进度": 60,
        "累计支付": 150000.00,
        "状态": "在建",
        "更新日期": date(2026, 10, 1),
        "说明": "路基完成，开始浇筑",
    },
    Kind.CONTRACTS: {
        "合同编号": "HT-2026-01",
        "标的名称": "村东鱼塘",
        "类别": "资源",
        "承包方": "李四",
        "承包方证件号": "",
        "起始日期": date(2026, 1, 1),
        "终止日期": date(2030, 12, 31),
        "年租金": 12000.00,
        "缴费周期": "年",
    },
}
TEXT_COLUMNS = {"村代码", "身份证号", "银行账号", "凭证号", "发放年月"}  # Excel would mangle them as numbers


def template_filename(kind: Kind) -> str:
    return f"{kind.label}导入模板.xlsx"


def template_workbook(kind: Kind, village_code: str) -> bytes:
    """The kind's header row and one example row, as an XLSX file."""
    from openpyxl import Workbook  # loaded on the first download, not with the app

    columns = TEMPLATES[kind].columns
    book = Workbook()
    sheet = book.active
    sheet.title = kind.label
    sheet.append(list(columns))
    example = EXAMPLES[kind] | {"村代码": village_code}
    sheet.append([example.get(column, "") for column in columns])
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, 2 * len(column) + 4)
        cell = sheet.cell(row=2, column=index)
        if column in TEXT_COLUMNS:
            cell.number_format = "@"
        elif isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
