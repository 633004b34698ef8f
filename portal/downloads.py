"""Downloads of the public tables (CSV, XLSX) and notice-board PDFs, with the pages' privacy."""

import io
from urllib.parse import unquote
from dataclasses import dataclass

from flask import abort, render_template, request, send_file, url_for

from core.views import Views
from core.extensions import db
from core.pdf import render_pdf
from core.public_url import public_base_url
from core.qr import qr_data_uri
from core.timezone import local_date
from core.tabular.writing import MIME, to_csv, to_xlsx
from disclosures.models import Direction, Kind, LedgerEntry, SubsidyPayment
from disclosures.public import PUBLIC_FIELDS
from portal import queries
from portal.disclosure_views import (
    contract_rows,
    full_names,
    ledger_month,
    month_arg,
    revision_entries,
    show_name,
    shown_month,
    village_or_404,
)

views = Views()


@dataclass
class Table:
    """A public table as a spreadsheet holds it: a name, headers and rows of plain values."""

    name: str
    headers: list[str]
    rows: list[list]


def ledger_table(code: str) -> Table:
    """The month's rows with the running balance (?month=, default as on the page)."""
    month = month_arg() or shown_month(queries.ledger_months(code))
    if month is None:
        abort(404)
    view = ledger_month(code, month)
    rows = [
        [
            e.entry_on,
            e.voucher_no,
            Direction.label_of(e.direction),
            e.category,
            e.summary,
            e.counterparty,
            e.link_code,
            e.amount if e.direction == "income" else None,
            e.amount if e.direction == "expense" else None,
            balance,
        ]
        for e, balance in view.rows
    ]
    if (opening := view.disclosed_opening) is not None:  # the month's first line: the balance starts here
        rows.insert(
            0,
            [
                opening.entry_on,
                opening.voucher_no,
                Direction.label_of(opening.direction),
                opening.category,
                opening.summary,
                opening.counterparty,
                opening.link_code,
                None,
                None,
                opening.amount,
            ],
        )
    return Table(
        f"收支明细-{month}",
        ["日期", "凭证号", "收支", "科目", "摘要", "对方单位", "关联编号", "收入（元）", "支出（元）", "余额（元）"],
        rows,
    )


def subsidies_table(code: str) -> Table:
    """One item's roster of one month (?item=&month=), names as the page shows them."""
    item, month = request.args.get("item", "").strip()[:32], month_arg()
    if not (item and month):
        abort(404)
    payments = db.session.scalars(queries.subsidy_rows(code, item, month)).all()
    rows = [
        [number, item, month, show_name(p.name, code), p.public_ref, p.amount, p.paid_on]
        for number, p in enumerate(payments, 1)
    ]
    return Table(
        f"补贴发放-{item}-{month}", ["序号", "补贴项目", "发放年月", "姓名", "公开编号", "金额（元）", "发放日期"], rows
    )


def _columns(kind: Kind, row) -> list:
    return [getattr(row, name) for name, _ in PUBLIC_FIELDS[kind]]


def projects_table(code: str) -> Table:
    """Each project's latest update."""
    rows = [_columns(Kind.PROJECTS, p) for p in db.session.scalars(queries.latest_project_updates(code))]
    return Table("项目进度", [label for _, label in PUBLIC_FIELDS[Kind.PROJECTS]], rows)


def contracts_table(code: str) -> Table:
    """Contracts with rent due to date, received and short."""
    found = db.session.scalars(queries.contracts(code)).all()
    rows = [
        _columns(Kind.CONTRACTS, c)
        + [
            rent.installments,
            rent.due,
            rent.received,
            rent.shortfall,
            rent.surplus,
            rent.surplus_label if rent.surplus else "",
        ]
        for c, rent in contract_rows(code, found)
    ]
    return Table(
        "资产资源",
        [label for _, label in PUBLIC_FIELDS[Kind.CONTRACTS]]
        + ["截至今日应缴期数", "截至今日应收（元）", "已收（元）", "少收（元）", "多收或预收（元）", "多收/预收"],
        rows,
    )


def revisions_table(code: str) -> Table:
    """One line per changed value of every correction."""
    rows = []
    for r in revision_entries(code, db.session.execute(queries.corrections(code)).all()):
        for label, old, new in r.changes:
            rows.append(
                [
                    local_date(r.batch.published_at),
                    r.kind.label,
                    "撤回" if r.withdrawn else "更正",
                    r.batch.reason,
                    r.subject,
                    label,
                    old,
                    "" if r.withdrawn else new,
                ]
            )
    return Table("修订记录", ["公开日期", "类别", "方式", "原因", "条目", "项目", "原值", "新值"], rows)


TABLES = {
    "ledger": ledger_table,
    "subsidies": subsidies_table,
    "projects": projects_table,
    "contracts": contracts_table,
    "revisions": revisions_table,
}


@views.get("/r/<code>/<any(ledger,subsidies,projects,contracts,revisions):table>.<any(csv,xlsx):fmt>")
def table_download(code: str, table: str, fmt: str):
    village = village_or_404(code)
    found = TABLES[table](code)
    data = to_csv(found.headers, found.rows) if fmt == "csv" else to_xlsx(found.name, found.headers, found.rows)
    return send_file(
        io.BytesIO(data), mimetype=MIME[fmt], as_attachment=True, download_name=f"{village.name}-{found.name}.{fmt}"
    )


def _pdf(html: str, name: str):
    return send_file(io.BytesIO(render_pdf(html)), mimetype="application/pdf", as_attachment=False, download_name=name)


def _qr_for(endpoint: str, **values) -> dict:
    """The page's public URL, as a QR code and as readable text for the notice board."""
    url = public_base_url() + url_for(endpoint, **values)
    return {"url": url, "url_text": unquote(url), "qr": qr_data_uri(url)}


@views.get("/r/<code>/ledger.pdf")
def ledger_pdf(code: str):
    """The month's ledger for the village notice board, with a QR code to the page online."""
    village = village_or_404(code)
    month = month_arg() or shown_month(queries.ledger_months(code))
    view = ledger_month(code, month) if month else None
    if view is None or not view.rows:
        abort(404)
    batch = queries.latest_batch_holding(LedgerEntry, code, LedgerEntry.month == month)
    html = render_template(
        "portal/pdf_ledger.html",
        village=village,
        view=view,
        batch=batch,
        **_qr_for("portal.ledger", code=code, month=month),
    )
    return _pdf(html, f"{village.name}-收支公开-{month}.pdf")


@views.get("/r/<code>/subsidies.pdf")
def subsidies_pdf(code: str):
    """One item's roster of one month for the notice board."""
    village = village_or_404(code)
    found = subsidies_table(code)
    if not found.rows:
        abort(404)
    item, month = found.rows[0][1], found.rows[0][2]
    batch = queries.latest_batch_holding(
        SubsidyPayment, code, SubsidyPayment.item == item, SubsidyPayment.month == month
    )
    html = render_template(
        "portal/pdf_subsidies.html",
        village=village,
        item=item,
        month=month,
        table=found,
        total=sum(row[5] for row in found.rows),
        batch=batch,
        full_names=full_names(code),
        **_qr_for("portal.subsidies", code=code, item=item, month=month),
    )
    return _pdf(html, f"{village.name}-{item}-{month}.pdf")
