"""The four disclosure templates: samples, people-made files and every column rule of docs/import-templates.md."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from support import SAMPLE, rewrite_xlsx_part
from sqlalchemy import insert, select

from core.extensions import db
from core.problems import Rejected
from core.regions.importer import import_regions
from disclosures.importers import validate_rows, validate_upload
from disclosures.models import ROW_MODELS, Batch, BatchStatus, Kind, SubsidyItem

PEOPLE = SAMPLE / "people-made"
V1, V2, V3 = "629901101201", "629901101202", "629901102201"
ID_A, ID_B = "629901197101246634", "62990119901204372X"
USCC = "91620702N7HX2F4P7H"


# --- helpers -------------------------------------------------------------------------------


def _sealed(kind: Kind, row: dict) -> dict:
    """Stand-ins for what the batch services encrypt: these tests only need the rows to exist."""
    values = dict(row)
    if kind == Kind.SUBSIDIES:
        values.pop("id_number"), values.pop("account")
        values.update(id_hash="h", id_cipher="c", public_ref="r")
    if kind == Kind.CONTRACTS:
        values.pop("party_id")
    return values


def store(upload, status=BatchStatus.PUBLISHED, **row_extra) -> list[Batch]:
    """Insert a validated upload directly as batches in `status`."""
    batches = []
    for item in upload.batches:
        batch = Batch(
            village_code=item.village_code, kind=item.kind, period=item.period, status=status, row_count=len(item.rows)
        )
        db.session.add(batch)
        db.session.flush()
        values = [{**_sealed(item.kind, row), "batch_id": batch.id, **row_extra} for row in item.rows]
        db.session.execute(insert(ROW_MODELS[item.kind]), values)
        batches.append(batch)
    db.session.commit()
    return batches


def sample_upload(kind: Kind, name: str | None = None, **kwargs):
    path = SAMPLE / (name or f"{kind.value}.csv")
    return validate_upload(kind, path.read_bytes(), path.name, villages=None, **kwargs)


def rejected(kind: Kind, rows: list[dict], **kwargs) -> list[tuple[int, str, str]]:
    """(row, column, reason) of every problem, failing if the rows are accepted."""
    with pytest.raises(Rejected) as caught:
        validate_rows(kind, rows, villages=kwargs.pop("villages", None), **kwargs)
    return [(p.row, p.column, p.reason) for p in caught.value.problems]


def cells_of(kind: Kind, rows: list[dict], **kwargs) -> set[tuple[int, str]]:
    return {(row, column) for row, column, _ in rejected(kind, rows, **kwargs)}


def accepted(kind: Kind, rows: list[dict], **kwargs):
    return validate_rows(kind, rows, villages=kwargs.pop("villages", None), **kwargs)


def ledger(**cells) -> dict:
    row = {
        "村代码": V1,
        "日期": "2026-10-05",
        "凭证号": "记2026-0001",
        "收支": "支出",
        "科目": "管理费用",
        "摘要": "办公用品",
        "金额": "120.50",
        "对方单位": "青川县商店",
        "关联编号": "",
    }
    return row | cells


def subsidy(**cells) -> dict:
    row = {
        "村代码": V1,
        "补贴项目": "最低生活保障金",
        "发放年月": "2026-10",
        "姓名": "段凤",
        "身份证号": ID_B,
        "金额": "650.00",
        "发放日期": "2026-10-15",
        "银行账号": "6228134334229042052",
    }
    return row | cells


def project(**cells) -> dict:
    row = {
        "村代码": V1,
        "项目编号": "XM-1",
        "项目名称": "通组道路硬化",
        "项目类型": "道路",
        "预算金额": "195000",
        "资金来源": "衔接资金",
        "承建单位": "青川县建筑公司",
        "承建单位信用代码": USCC,
        "批复日期": "2025-05-17",
        "开工日期": "2025-06-08",
        "计划完工日期": "2025-12-05",
        "进度": "40",
        "累计支付": "80000",
        "状态": "在建",
        "更新日期": "2026-09-15",
        "说明": "",
    }
    return row | cells


def contract(**cells) -> dict:
    row = {
        "村代码": V1,
        "合同编号": "HT-1",
        "标的名称": "村东50亩耕地",
        "类别": "资源",
        "承包方": "曾凯兰",
        "承包方证件号": ID_A,
        "起始日期": "2025-04-20",
        "终止日期": "2030-04-20",
        "年租金": "60000",
        "缴费周期": "年",
    }
    return row | cells


def csv_bytes(rows: list[dict], encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def regions(app):
    import_regions((SAMPLE / "regions.csv").read_bytes(), "regions.csv")


@pytest.fixture
def sample_links(regions):
    """The sample projects and contracts, published: what the sample ledgers' 关联编号 name."""
    store(sample_upload(Kind.PROJECTS))
    store(sample_upload(Kind.CONTRACTS))


@pytest.fixture
def villages(township_tree):
    """Three villages in two townships (V1, V2 in 黄大镇, V3 in 白水乡)."""


# --- the sample files ----------------------------------------------------------------------


@pytest.mark.parametrize("kind,rows", [(Kind.SUBSIDIES, 4999), (Kind.PROJECTS, 20), (Kind.CONTRACTS, 24)])
def test_sample_file_validates(regions, kind, rows):
    upload = sample_upload(kind)
    assert upload.row_count == rows and upload.kind == kind and not upload.warnings
    assert [b.village_code for b in upload.batches] == sorted({b.village_code for b in upload.batches})
    assert all(b.period is None and b.kind == kind for b in upload.batches)


def test_sample_ledger_validates_once_projects_and_contracts_are_stored(sample_links):
    upload = sample_upload(Kind.LEDGER)
    assert upload.row_count == 2768
    assert len({(b.village_code, b.period) for b in upload.batches}) == len(upload.batches)
    assert all(row["month"] == b.period for b in upload.batches for row in b.rows)
    assert any(row["link_code"] for b in upload.batches for row in b.rows)


def test_sample_ledger_without_its_projects_and_contracts_is_rejected_on_links_only(regions):
    with pytest.raises(Rejected) as caught:
        sample_upload(Kind.LEDGER)
    assert {p.column for p in caught.value.problems} == {"关联编号"}


def test_stored_sample_ledger_makes_its_vouchers_taken(sample_links):
    store(sample_upload(Kind.LEDGER), status=BatchStatus.PENDING)
    with pytest.raises(Rejected) as caught:
        sample_upload(Kind.LEDGER)
    assert len(caught.value.problems) == 2768
    assert {p.column for p in caught.value.problems} == {"凭证号"}


@pytest.mark.parametrize("name", ["ledger_titled.xlsx", "ledger_gbk.csv"])
def test_people_made_ledgers_validate(sample_links, name):
    upload = validate_upload(Kind.LEDGER, (PEOPLE / name).read_bytes(), name, villages={V1}, period="2026-09")
    assert upload.row_count == 12
    assert [(b.village_code, b.period) for b in upload.batches] == [(V1, "2026-09")]
    amounts = sorted(row["amount"] for row in upload.batches[0].rows)
    assert amounts[0] == Decimal("1505.00") and Decimal("3166.67") in amounts


def _expected(name: str) -> set[tuple[int, str]]:
    with open(PEOPLE / "expected_errors.csv", encoding="utf-8") as stream:
        return {(int(r["excel_row"]), r["column"]) for r in csv.DictReader(stream) if r["file"] == name}


@pytest.mark.parametrize(
    "kind,name",
    [
        (Kind.LEDGER, "ledger_badtotal.xlsx"),
        (Kind.LEDGER, "ledger_bad_gbk.csv"),
        (Kind.SUBSIDIES, "subsidies_bad.xlsx"),
    ],
)
def test_people_made_bad_files_give_exactly_the_expected_errors(sample_links, kind, name):
    with pytest.raises(Rejected) as caught:
        validate_upload(kind, (PEOPLE / name).read_bytes(), name, villages=None)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert len(found) == len(set(found)) and set(found) == _expected(name)
    assert found == sorted(found, key=lambda cell: cell[0])


# --- output shape --------------------------------------------------------------------------


def test_ledger_row_dict(villages):
    upload = accepted(
        Kind.LEDGER,
        [
            ledger(),
            ledger(
                凭证号="记2026-0002", 收支="收入", 科目="其他收入", 日期="2026年11月3日", 金额="¥1,234.50", 对方单位=""
            ),
        ],
    )
    first, second = (batch.rows[0] for batch in upload.batches)
    assert first == {
        "row_number": 1,
        "village_code": V1,
        "entry_on": date(2026, 10, 5),
        "month": "2026-10",
        "year": 2026,
        "voucher_no": "记2026-0001",
        "direction": "expense",
        "category": "管理费用",
        "summary": "办公用品",
        "amount": Decimal("120.50"),
        "counterparty": "青川县商店",
        "link_code": "",
    }
    assert (second["row_number"], second["direction"], second["amount"]) == (2, "income", Decimal("1234.50"))
    assert [(b.village_code, b.period) for b in upload.batches] == [(V1, "2026-10"), (V1, "2026-11")]


def test_subsidy_contract_and_project_row_dicts(villages):
    [batch] = accepted(Kind.SUBSIDIES, [subsidy(银行账号="", 身份证号=ID_B.lower())]).batches
    assert batch.rows[0] | {} == {
        "row_number": 1,
        "village_code": V1,
        "item": "最低生活保障金",
        "month": "2026-10",
        "name": "段凤",
        "id_number": ID_B,
        "amount": Decimal("650.00"),
        "paid_on": date(2026, 10, 15),
        "account": None,
    }
    [batch] = accepted(Kind.CONTRACTS, [contract(承包方证件号="")]).batches
    assert batch.rows[0]["party_id"] == "" and batch.rows[0]["annual_rent"] == Decimal("60000.00")
    [batch] = accepted(Kind.PROJECTS, [project(承建单位信用代码="", 批复日期="")]).batches
    row = batch.rows[0]
    assert (row["contractor_uscc"], row["approved_on"], row["progress"], row["note"]) == ("", None, 40, "")


def test_batches_per_village(villages):
    upload = accepted(Kind.SUBSIDIES, [subsidy(村代码=V3), subsidy(), subsidy(村代码=V3)])
    assert [(b.village_code, [r["row_number"] for r in b.rows]) for b in upload.batches] == [(V1, [2]), (V3, [1, 3])]


# --- villages and scope --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,reason",
    [("62990110120", "12位"), ("999999999999", "村代码不存在"), ("629901101000", "不是村级区划代码"), ("", "不能为空")],
)
def test_village_code_must_be_an_existing_village(villages, code, reason):
    [(row, column, found)] = rejected(Kind.CONTRACTS, [contract(村代码=code)])
    assert (row, column) == (1, "村代码") and reason in found


def test_village_outside_the_uploaders_scope(villages):
    problems = rejected(Kind.LEDGER, [ledger(), ledger(村代码=V3, 凭证号="记2")], villages={V1, V2})
    assert problems == [(2, "村代码", "不是本账号可上报的村")]
    assert accepted(Kind.LEDGER, [ledger(村代码=V3)], villages={V3}).row_count == 1


def test_village_code_saved_as_a_number_in_excel(villages):
    book = openpyxl.Workbook()
    book.active.append(list(contract()))
    book.active.append([int(V1), *list(contract().values())[1:]])
    data = io.BytesIO()
    book.save(data)
    upload = validate_upload(Kind.CONTRACTS, data.getvalue(), "合同.xlsx", villages=None)
    assert upload.batches[0].village_code == V1


# --- ledger rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,column",
    [
        ({"日期": "2026-13-01"}, "日期"),
        ({"日期": ""}, "日期"),
        ({"凭证号": ""}, "凭证号"),
        ({"收支": "收"}, "收支"),
        ({"科目": "经营收入"}, "科目"),
        ({"科目": ""}, "科目"),
        ({"摘要": ""}, "摘要"),
        ({"摘要": "字" * 201}, "摘要"),
        ({"金额": "-50"}, "金额"),
        ({"金额": "0"}, "金额"),
        ({"金额": "12.345"}, "金额"),
        ({"金额": "十元"}, "金额"),
        ({"关联编号": "XM-404"}, "关联编号"),
        ({"对方单位": "店" * 101}, "对方单位"),
    ],
)
def test_ledger_bad_cells(villages, cells, column):
    assert cells_of(Kind.LEDGER, [ledger(**cells)]) == {(1, column)}


@pytest.mark.parametrize(
    "cells",
    [
        {"日期": "2026/10/5"},
        {"日期": "2026.10.05"},
        {"日期": "2026年10月5日"},
        {"金额": "￥1,234.50"},
        {"金额": "0.01"},
        {"收支": "收入", "科目": "发包及上交收入"},
        {"对方单位": ""},
        {"摘要": "=1+1"},
    ],
)
def test_ledger_good_cells(villages, cells):
    assert accepted(Kind.LEDGER, [ledger(**cells)]).row_count == 1


def test_category_is_checked_only_when_direction_is_valid(villages):
    assert rejected(Kind.LEDGER, [ledger(收支="收", 科目="不存在的科目")]) == [
        (1, "收支", "应为 收入、支出 或 期初余额")
    ]


def test_period_restricts_ledger_dates(villages):
    problems = rejected(Kind.LEDGER, [ledger(), ledger(日期="2026-09-30", 凭证号="记2")], period="2026-10")
    assert [(row, column) for row, column, _ in problems] == [(2, "日期")]
    assert "2026-10" in problems[0][2]
    assert accepted(Kind.LEDGER, [ledger(日期="2026-10-31")], period="2026-10").row_count == 1


def test_repeated_voucher_in_a_file_reports_the_later_row(villages):
    rows = [ledger(), ledger(凭证号="记2"), ledger(日期="2026-10-20")]
    assert rejected(Kind.LEDGER, rows) == [(3, "凭证号", "凭证号与第1行重复（同村同年不能重复）")]


def test_voucher_may_repeat_in_another_year_or_village(villages):
    rows = [ledger(), ledger(日期="2025-10-05"), ledger(村代码=V2)]
    assert accepted(Kind.LEDGER, rows).row_count == 3


def test_voucher_repeated_across_a_month_is_still_caught(villages):
    rows = [ledger(日期="2026-01-05"), ledger(日期="2026-12-05")]
    assert cells_of(Kind.LEDGER, rows) == {(2, "凭证号")}


@pytest.mark.parametrize(
    "status,extra,taken",
    [
        (BatchStatus.PUBLISHED, {}, True),
        (BatchStatus.PENDING, {}, True),
        (BatchStatus.RETURNED, {}, False),
        (BatchStatus.PUBLISHED, {"withdrawn": True}, False),
    ],
)
def test_voucher_against_stored_rows(villages, status, extra, taken):
    store(accepted(Kind.LEDGER, [ledger(日期="2026-09-01")]), status=status, **extra)
    rows = [ledger(凭证号="记2"), ledger()]
    if taken:
        assert cells_of(Kind.LEDGER, rows) == {(2, "凭证号")}
    else:
        assert accepted(Kind.LEDGER, rows).row_count == 2


def test_voucher_of_a_superseded_row_is_free(villages):
    [old] = store(accepted(Kind.LEDGER, [ledger()]))
    [new] = store(accepted(Kind.LEDGER, [ledger(凭证号="记9")]))
    db.session.execute(
        ROW_MODELS[Kind.LEDGER]
        .__table__.update()
        .where(ROW_MODELS[Kind.LEDGER].batch_id == old.id)
        .values(superseded_by_batch_id=new.id)
    )
    db.session.commit()
    assert accepted(Kind.LEDGER, [ledger()]).row_count == 1


def test_link_names_a_live_project_or_contract_of_the_same_village(villages):
    store(accepted(Kind.PROJECTS, [project(项目编号="XM-1")]), status=BatchStatus.PENDING)
    store(accepted(Kind.CONTRACTS, [contract(合同编号="HT-1")]))
    store(accepted(Kind.CONTRACTS, [contract(合同编号="HT-R")]), status=BatchStatus.RETURNED)
    store(accepted(Kind.CONTRACTS, [contract(村代码=V2, 合同编号="HT-2")]))
    good = [ledger(关联编号="XM-1"), ledger(凭证号="记2", 收支="收入", 科目="发包及上交收入", 关联编号="HT-1")]
    assert accepted(Kind.LEDGER, good).row_count == 2
    bad = [ledger(关联编号="HT-R"), ledger(凭证号="记2", 关联编号="HT-2")]
    assert cells_of(Kind.LEDGER, bad) == {(1, "关联编号"), (2, "关联编号")}


def test_payment_before_project_approval_is_not_rejected(villages):
    store(accepted(Kind.PROJECTS, [project(批复日期="2026-06-01", 开工日期="", 计划完工日期="")]))
    assert accepted(Kind.LEDGER, [ledger(日期="2026-01-05", 关联编号="XM-1")]).row_count == 1


# --- subsidies rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,column",
    [
        ({"补贴项目": "取暖补贴"}, "补贴项目"),
        ({"发放年月": "2026-13"}, "发放年月"),
        ({"发放年月": "十月"}, "发放年月"),
        ({"姓名": ""}, "姓名"),
        ({"身份证号": "629901196702133220"}, "身份证号"),
        ({"身份证号": "629901199902311893"}, "身份证号"),
        ({"身份证号": "62990119670213322"}, "身份证号"),
        ({"金额": "0"}, "金额"),
        ({"金额": "1.001"}, "金额"),
        ({"发放日期": "2026-02-30"}, "发放日期"),
        ({"银行账号": "62281343342"}, "银行账号"),
        ({"银行账号": "6228-1343-3422"}, "银行账号"),
    ],
)
def test_subsidy_bad_cells(villages, cells, column):
    assert cells_of(Kind.SUBSIDIES, [subsidy(**cells)]) == {(1, column)}


@pytest.mark.parametrize(
    "cells",
    [
        {"发放年月": "2026年10月"},
        {"发放年月": "2026/10"},
        {"银行账号": ""},
        {"银行账号": "622813433422"},
        {"身份证号": "11010519491231002X"},  # an area code nobody checks against today's list
    ],
)
def test_subsidy_good_cells(villages, cells):
    assert accepted(Kind.SUBSIDIES, [subsidy(**cells)]).row_count == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王　五", "王五"),
        ("王 五", "王五"),
        ("王  五", "王五"),
        ("王\u200b五", "王五"),
        ("\u3000王五\u3000", "王五"),
        ("阿沛 • 阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛・阿旺晋美", "阿沛·阿旺晋美"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
    ],
)
def test_subsidy_names_are_stored_without_roster_padding(villages, typed, stored):
    [batch] = accepted(Kind.SUBSIDIES, [subsidy(姓名=typed)]).batches
    assert batch.rows[0]["name"] == stored


def test_a_name_of_padding_only_is_empty(villages):
    assert rejected(Kind.SUBSIDIES, [subsidy(姓名="\u200b\u3000\u200b")]) == [(1, "姓名", "不能为空")]


def test_subsidy_items_are_data(villages):
    assert cells_of(Kind.SUBSIDIES, [subsidy(补贴项目="取暖补贴")]) == {(1, "补贴项目")}
    db.session.add(SubsidyItem(name="取暖补贴"))
    db.session.commit()
    assert accepted(Kind.SUBSIDIES, [subsidy(补贴项目="取暖补贴")]).row_count == 1


def test_suspicious_subsidies_are_for_the_rules_not_the_importer(villages):
    rows = [
        subsidy(),
        subsidy(),  # same person, item and month twice
        subsidy(身份证号=ID_A, 姓名="曾凯兰"),  # one account for several people
        subsidy(金额="99999.00", 身份证号="629901198001010012"),
    ]  # far above any standard
    assert accepted(Kind.SUBSIDIES, rows).row_count == 4


def test_month_saved_as_a_date_cell(villages):
    book = openpyxl.Workbook()
    book.active.append(list(subsidy()))
    values = list(subsidy().values())
    values[2] = date(2026, 10, 1)
    book.active.append(values)
    data = io.BytesIO()
    book.save(data)
    upload = validate_upload(Kind.SUBSIDIES, data.getvalue(), "补贴.xlsx", villages=None)
    assert upload.batches[0].rows[0]["month"] == "2026-10"


def roster_with_id_cell(saved: str) -> bytes:
    """A one-row roster .xlsx whose 身份证号 is a number cell saved as `saved` in the sheet XML."""
    book = openpyxl.Workbook()
    book.active.append(list(subsidy()))
    book.active.append(list(subsidy(身份证号=424242).values()))
    buffer = io.BytesIO()
    book.save(buffer)

    def resave(sheet: bytes) -> bytes:
        assert sheet.count(b"<v>424242</v>") == 1
        return sheet.replace(b"<v>424242</v>", f"<v>{saved}</v>".encode())

    return rewrite_xlsx_part(buffer.getvalue(), "xl/worksheets/sheet1.xml", resave)


@pytest.mark.parametrize(
    ("saved", "shown"),
    [
        ("6.29901197101246E+17", "629901197101246000"),  # as Excel saves it; Python reads ...246016
        ("629901197101246000", "629901197101246000"),  # a plain 18-digit integer
        ("629901197101242000", "629901197101242000"),  # ... whose check digit happens to fit
        ("629901197101246634", "629901197101247000"),  # exact in the XML; Excel shows 15 digits
    ],
)
def test_id_number_cut_by_excel_is_quoted_as_excel_shows_it(villages, saved, shown):
    with pytest.raises(Rejected) as caught:
        validate_upload(Kind.SUBSIDIES, roster_with_id_cell(saved), "补贴.xlsx", villages=None)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "身份证号", shown)
    assert "截断" in problem.reason and "6.29901E+17" in problem.reason


def test_id_number_text_ending_in_excels_zeros(villages):
    cut = validate_csv_problems(subsidy(身份证号="629901197101246000"))
    assert [(p.column, p.value) for p in cut] == [("身份证号", "629901197101246000")]
    assert "截断" in cut[0].reason and cut[0].reason != "身份证号校验位错误"
    # A real ID may end in 000: the uploader confirms it, as with a 统一社会信用代码's check character.
    fitting = accepted(Kind.SUBSIDIES, [subsidy(身份证号="629901197101242000")])
    assert fitting.row_count == 1 and len(fitting.warnings) == 1 and "截断" in fitting.warnings[0]


def validate_csv_problems(row: dict):
    text = ",".join(row) + "\r\n" + ",".join(str(value) for value in row.values()) + "\r\n"
    with pytest.raises(Rejected) as caught:
        validate_upload(Kind.SUBSIDIES, text.encode(), "补贴.csv", villages=None)
    return caught.value.problems


# --- projects rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,column",
    [
        ({"项目编号": ""}, "项目编号"),
        ({"项目名称": ""}, "项目名称"),
        ({"项目类型": ""}, "项目类型"),
        ({"预算金额": "0"}, "预算金额"),
        ({"承建单位信用代码": "9162070"}, "承建单位信用代码"),
        ({"承建单位信用代码": "9162070IN7HX2F4P7H"}, "承建单位信用代码"),
        ({"批复日期": "去年"}, "批复日期"),
        ({"开工日期": "2025-06-31"}, "开工日期"),
        ({"计划完工日期": "2025-06-07"}, "计划完工日期"),
        ({"进度": "101"}, "进度"),
        ({"进度": "-1"}, "进度"),
        ({"进度": "50.5"}, "进度"),
        ({"进度": "0.87"}, "进度"),
        ({"进度": ""}, "进度"),
        ({"累计支付": "-1"}, "累计支付"),
        ({"状态": "完成"}, "状态"),
        ({"更新日期": ""}, "更新日期"),
    ],
)
def test_project_bad_cells(villages, cells, column):
    assert cells_of(Kind.PROJECTS, [project(**cells)]) == {(1, column)}


@pytest.mark.parametrize(
    "cells",
    [
        {"进度": "100"},
        {"进度": "0"},
        {"进度": "87%"},
        {"累计支付": "0"},
        {"计划完工日期": "2025-06-08"},
        {"开工日期": "", "计划完工日期": ""},
        {"资金来源": "", "承建单位": "", "承建单位信用代码": ""},
        {"累计支付": "500000"},  # payments over budget: a rule's business
    ],
)
def test_project_good_cells(villages, cells):
    assert accepted(Kind.PROJECTS, [project(**cells)]).row_count == 1


def test_uscc_wrong_check_character_is_a_warning_not_an_error(villages):
    upload = accepted(Kind.PROJECTS, [project(), project(项目编号="XM-2", 承建单位信用代码=USCC[:-1] + "A")])
    assert upload.row_count == 2
    assert upload.warnings == [f"第2行 承建单位信用代码「{USCC[:-1]}A」：统一社会信用代码校验位不符，请核对"]


def test_project_number_once_per_village_in_a_file(villages):
    rows = [project(), project(村代码=V2), project(更新日期="2026-10-15")]
    assert cells_of(Kind.PROJECTS, rows) == {(3, "项目编号")}


def test_later_update_of_a_stored_project(villages):
    store(accepted(Kind.PROJECTS, [project()]))
    update = project(进度="90", 累计支付="170000", 状态="已完工", 更新日期="2026-10-15", 承建单位="另一家")
    assert accepted(Kind.PROJECTS, [update]).row_count == 1


@pytest.mark.parametrize(
    "cells,column",
    [
        ({"项目名称": "通组道路"}, "项目名称"),
        ({"项目类型": "饮水"}, "项目类型"),
        ({"预算金额": "195000.01"}, "预算金额"),
        ({"批复日期": "2025-05-18"}, "批复日期"),
        ({"批复日期": ""}, "批复日期"),
    ],
)
def test_update_may_not_change_what_identifies_a_project(villages, cells, column):
    returned = accepted(Kind.PROJECTS, [project(项目名称="后来的名称", 更新日期="2026-10-01")])
    store(accepted(Kind.PROJECTS, [project()]))
    store(returned, status=BatchStatus.RETURNED)
    [(row, found, reason)] = rejected(Kind.PROJECTS, [project(更新日期="2026-10-15", **cells)])
    assert (row, found) == (1, column) and "更正" in reason


def test_identity_compared_with_the_earliest_live_update(villages):
    later = accepted(Kind.PROJECTS, [project(更新日期="2026-09-01", 项目名称="改名")])
    earlier = accepted(Kind.PROJECTS, [project(更新日期="2026-06-01")])
    store(later, status=BatchStatus.PENDING)  # stored first, but dated later
    store(earlier)
    assert cells_of(Kind.PROJECTS, [project(项目名称="改名")]) == {(1, "项目名称")}
    assert accepted(Kind.PROJECTS, [project()]).row_count == 1


def test_other_villages_project_with_the_same_number_is_unrelated(villages):
    store(accepted(Kind.PROJECTS, [project(村代码=V2, 项目名称="别村项目")]))
    assert accepted(Kind.PROJECTS, [project()]).row_count == 1


def test_bad_identity_cell_is_reported_once(villages):
    store(accepted(Kind.PROJECTS, [project()]))
    assert rejected(Kind.PROJECTS, [project(预算金额="-5")]) == [(1, "预算金额", "金额必须大于0")]


# --- contracts rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,column",
    [
        ({"合同编号": ""}, "合同编号"),
        ({"标的名称": ""}, "标的名称"),
        ({"类别": "土地"}, "类别"),
        ({"承包方": ""}, "承包方"),
        ({"承包方证件号": "12345"}, "承包方证件号"),
        ({"承包方证件号": "ABCDEFGHIJKLMNOPQR"}, "承包方证件号"),
        ({"起始日期": ""}, "起始日期"),
        ({"终止日期": "2025-04-20"}, "终止日期"),
        ({"终止日期": "2024-04-20"}, "终止日期"),
        ({"年租金": "-1"}, "年租金"),
        ({"年租金": "1.234"}, "年租金"),
        ({"缴费周期": "两年"}, "缴费周期"),
    ],
)
def test_contract_bad_cells(villages, cells, column):
    assert cells_of(Kind.CONTRACTS, [contract(**cells)]) == {(1, column)}


@pytest.mark.parametrize(
    "cells,party_id",
    [
        ({"年租金": "0"}, ID_A),
        ({"缴费周期": "半年"}, ID_A),
        ({"缴费周期": "季"}, ID_A),
        ({"类别": "资产"}, ID_A),
        ({"承包方证件号": ID_B.lower()}, ID_B),
        ({"承包方证件号": USCC}, USCC),
        ({"承包方证件号": ""}, ""),
    ],
)
def test_contract_good_cells(villages, cells, party_id):
    upload = accepted(Kind.CONTRACTS, [contract(**cells)])
    assert upload.batches[0].rows[0]["party_id"] == party_id and not upload.warnings


def test_contract_party_code_with_wrong_check_character_is_a_warning(villages):
    upload = accepted(Kind.CONTRACTS, [contract(承包方证件号=USCC[:-1] + "A")])
    assert upload.row_count == 1 and len(upload.warnings) == 1
    assert upload.warnings[0].startswith(f"第1行 承包方证件号「{USCC[:-1]}A」：")


def test_contract_number_unique_per_village_in_file_and_database(villages):
    assert cells_of(Kind.CONTRACTS, [contract(), contract(村代码=V2), contract()]) == {(3, "合同编号")}
    store(accepted(Kind.CONTRACTS, [contract()]), status=BatchStatus.PENDING)
    assert rejected(Kind.CONTRACTS, [contract(村代码=V2), contract()]) == [
        (2, "合同编号", "合同编号在本村已上报的合同中已经用过")
    ]


# --- corrections ---------------------------------------------------------------------------


def _stored_id(kind: Kind) -> int:
    model = ROW_MODELS[kind]
    return db.session.scalar(select(model.id))


@pytest.mark.parametrize("kind,row", [(Kind.LEDGER, ledger), (Kind.CONTRACTS, contract)])
def test_correction_does_not_clash_with_the_row_it_replaces(villages, kind, row):
    store(accepted(kind, [row()]))
    assert rejected(kind, [row()])
    upload = validate_rows(kind, [row()], villages={V1}, replacing={_stored_id(kind)})
    assert upload.row_count == 1


def test_correction_may_change_what_identifies_a_project(villages):
    store(accepted(Kind.PROJECTS, [project()]))
    corrected = project(项目名称="通组道路硬化（一期）", 预算金额="180000")
    upload = validate_rows(Kind.PROJECTS, [corrected], villages=None, replacing={_stored_id(Kind.PROJECTS)})
    assert upload.batches[0].rows[0]["budget"] == Decimal("180000.00")


# --- whole files and forms -----------------------------------------------------------------


def test_every_problem_is_reported_in_row_and_column_order(villages):
    rows = [ledger(金额="-1", 村代码="999999999999"), ledger(凭证号="记2", 摘要="", 日期="x")]
    found = [(row, column) for row, column, _ in rejected(Kind.LEDGER, rows)]
    assert found == [(1, "村代码"), (1, "金额"), (2, "日期"), (2, "摘要")]


def test_upload_merges_the_tables_own_problems_and_notices(villages):
    data = csv_bytes([ledger(备注="x"), ledger(凭证号="记2", 金额="30"), {"村代码": "合计", "金额": "100"}])
    with pytest.raises(Rejected) as caught:
        validate_upload(Kind.LEDGER, data, "收支.csv", villages=None)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "金额")]
    upload = validate_upload(Kind.LEDGER, csv_bytes([ledger(备注="x")]), "收支.csv", villages=None)
    assert upload.notices == ["提示：忽略了未知列「备注」"] and upload.filename == "收支.csv"


def test_file_or_form_without_data_rows_is_rejected(villages):
    with pytest.raises(Rejected) as caught:
        validate_upload(Kind.LEDGER, "村代码,日期,凭证号,收支,科目,摘要,金额\n".encode(), "a.csv", villages=None)
    assert [str(p) for p in caught.value.problems] == ["文件：没有数据行"]
    with pytest.raises(Rejected):
        validate_rows(Kind.CONTRACTS, [], villages=None)


def test_form_rows_are_numbered_from_one_and_missing_keys_are_empty(villages):
    form = {key: value for key, value in contract().items() if key != "承包方证件号"}
    upload = validate_rows(Kind.CONTRACTS, [form, contract(合同编号=" HT-2 ")], villages={V1})
    rows = upload.batches[0].rows
    assert [r["row_number"] for r in rows] == [1, 2] and rows[1]["contract_no"] == "HT-2"
    assert upload.filename == "" and rows[0]["party_id"] == ""
    assert cells_of(Kind.CONTRACTS, [{"村代码": V1}]) >= {(1, "合同编号"), (1, "年租金")}


def test_malformed_period_is_a_programming_error(villages):
    with pytest.raises(ValueError):
        validate_rows(Kind.LEDGER, [ledger()], villages=None, period="2026-1")
