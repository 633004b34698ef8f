"""Public disclosure pages of a village: overview, ledger, subsidies, projects, contracts, revisions."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import abort, g, make_response, redirect, render_template, request, url_for

from core import images, web
from core.views import Views
from core.db import utcnow
from core.extensions import db
from core.names import normalise_name
from core.privacy import mask_name
from core.regions.models import Level, Region
from core.regions.queries import ancestors_of
from core.settings import settings_for
from core.timezone import local_date
from core.web import money
from disclosures.models import Batch, Direction, Kind, LedgerEntry, SubsidyPayment
from disclosures.due import public_overdue
from disclosures.photos import photo_bytes, public_photo, public_photos
from disclosures.public import PUBLIC_FIELDS, project_history
from portal import queries
from portal.caching import public_page
from portal.rent import RentStatus, rent_status

views = Views()

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
FIRST_MONTH, LAST_MONTH = "1000-01", "9998-12"
KINDS = {kind.value for kind in Kind}
OPEN_PROJECTS_SHOWN = 5  # the overview names a few; the projects page lists them all
# The columns that tell a reader which row a correction touched.
SUBJECT = {
    Kind.LEDGER: ("日期", "凭证号", "摘要"),
    Kind.SUBSIDIES: ("发放年月", "补贴项目", "姓名", "公开编号"),
    Kind.PROJECTS: ("项目编号", "项目名称", "更新日期"),
    Kind.CONTRACTS: ("合同编号", "标的名称"),
}


@dataclass
class LedgerMonth:
    """A month of the ledger as the page and the notice board show it."""

    month: str
    opening: Decimal  # the balance the month starts from, with an opening balance disclosed in it
    income: Decimal
    expense: Decimal
    subtotals: list
    page: queries.Page
    rows: list = field(default_factory=list)  # (entry, balance after it)
    disclosed_opening: object = None  # the village's 期初余额 row when it falls in this month

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income - self.expense


@dataclass
class Revision:
    """One corrected row: the batch that corrected it, what changed, or that it was withdrawn."""

    kind: Kind
    batch: Batch
    row: object
    subject: str  # which row: its date, number and the like, as it was before
    withdrawn: bool
    changes: list  # (label, old, new)


@views.app_template_filter("month_label")
def month_label(month: str | None) -> str:
    """2025-02 → 2025年2月."""
    return f"{month[:4]}年{int(month[5:])}月" if month else ""


@views.app_template_filter("cn_date")
def cn_date(day: date) -> str:
    """2026-11-10 → 2026年11月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def today() -> date:
    """Today in Shanghai, whatever the server's zone."""
    return local_date(utcnow())


def village_or_404(code: str) -> Region:
    """The village with this code; 404 for anything else."""
    found = db.session.get(Region, code)
    if found is None or found.level_enum is not Level.VILLAGE:
        abort(404)
    return found


def month_arg() -> str | None:
    """?month=YYYY-MM, None when absent; a malformed month, or one whose neighbours the page
    could not name (year 0000, 9999), is a 404."""
    value = request.args.get("month", "").strip()
    if value and not (MONTH.fullmatch(value) and FIRST_MONTH <= value <= LAST_MONTH):
        abort(404)
    return value or None


def page_arg() -> int:
    return web.page_arg()


def shown_month(months: list[str]) -> str | None:
    """This month if it has public ledger rows, else the latest month that has."""
    current = today().strftime("%Y-%m")
    return current if current in months else (months[0] if months else None)


def full_names(code: str) -> bool:
    """Whether the village's county shows recipients' full names (asked once per request)."""
    known = g.setdefault("full_names", {})
    if code not in known:
        known[code] = settings_for(code).show_full_names
    return known[code]


def show_name(name: str, code: str) -> str:
    """A recipient's name as the public may see it: masked unless the county shows full names."""
    return normalise_name(name) if full_names(code) else mask_name(name)


def public_values(kind: Kind, row, code: str) -> list[tuple[str, str]]:
    """(label, text) of a row's public columns."""
    values = []
    for name, label in PUBLIC_FIELDS[kind]:
        value = getattr(row, name)
        if name == "name" and kind is Kind.SUBSIDIES:
            value = show_name(value, code)
        elif name == "direction":
            value = Direction.label_of(value)
        values.append((label, _text(value)))
    return values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def ledger_month(code: str, month: str, page: int | None = None) -> LedgerMonth:
    """Opening balance, subtotals and rows with running balance; page None gives every row."""
    rows = queries.ledger_month_rows(code, month)
    found = (
        queries.paginate(rows, page, scalars=False, per_page=queries.LEDGER_PER_PAGE) if page else queries.whole(rows)
    )
    income, expense = queries.income_expense(code, LedgerEntry.month == month)
    opening = queries.opening_balance(code)
    if opening is not None and opening.month != month:
        opening = None
    start = queries.balance_before(code, month) + (opening.amount if opening else 0)
    result = LedgerMonth(
        month,
        start,
        income,
        expense,
        list(db.session.execute(queries.category_subtotals(code, month))),
        found,
        disclosed_opening=opening,
    )
    result.rows = [(entry, result.opening + Decimal(running)) for entry, running in found.items]
    return result


def month_nav(month: str, months: list[str]) -> dict:
    """Previous and next calendar month, offered while data lies that way."""
    year, number = int(month[:4]), int(month[5:])
    prev = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    following = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
    return {
        "prev": prev if months and months[-1] < month else None,
        "next": following if months and months[0] > month else None,
    }


def contract_rows(code: str, contracts: list) -> list[tuple[object, RentStatus]]:
    """Each contract beside its rent due up to today and received per the ledger."""
    day = today()
    received = queries.rent_received(code, [c.contract_no for c in contracts], day)
    return [
        (
            c,
            rent_status(
                start=c.start_on,
                end=c.end_on,
                annual_rent=c.annual_rent,
                cycle=c.pay_cycle,
                received=received.get(c.contract_no) or 0,
                today=day,
            ),
        )
        for c in contracts
    ]


def revision_entries(code: str, found: list) -> list[Revision]:
    """Old → new values for correction rows given as (kind, row id, batch id, sequence)."""
    by_kind: dict[Kind, list[int]] = {}
    for kind, row_id, *_ in found:
        by_kind.setdefault(Kind(kind), []).append(row_id)
    new = {kind: queries.rows_by_id(kind, ids) for kind, ids in by_kind.items()}
    old = {kind: queries.rows_by_id(kind, [r.replaces_id for r in rows.values()]) for kind, rows in new.items()}
    entries = []
    for kind, row_id, batch_id, _ in found:
        row = new[Kind(kind)][row_id]
        before = public_values(Kind(kind), old[Kind(kind)][row.replaces_id], code)
        after = public_values(Kind(kind), row, code)
        changes = [
            (label, was, now) for (label, was), (_, now) in zip(before, after) if (was if row.withdrawn else was != now)
        ]
        subject = " ".join(was for label, was in before if label in SUBJECT[Kind(kind)] and was)
        entries.append(Revision(Kind(kind), db.session.get(Batch, batch_id), row, subject, row.withdrawn, changes))
    return entries


def _village_context(village: Region) -> dict:
    return {"region": village, "village": village, "ancestors": ancestors_of(village)}


def village_page(village: Region):
    """The village overview: this month and year in money, latest disclosures, open projects."""
    code = village.code
    month = shown_month(queries.ledger_months(code))
    summary = {}
    if month:
        income, expense = queries.income_expense(code, LedgerEntry.month == month)
        opening = queries.opening_balance(code)
        in_month = opening.amount if opening is not None and opening.month == month else 0
        summary = {
            "month": (income, expense),
            "year": queries.income_expense(code, LedgerEntry.year == int(month[:4])),
            "closing": queries.balance_before(code, month) + in_month + income - expense,
            "opening": opening,
        }
    batches = db.session.scalars(queries.recent_batches(code)).all()
    return render_template(
        "portal/village.html",
        **_village_context(village),
        month=month,
        is_current=month == today().strftime("%Y-%m"),
        summary=summary,
        batches=batches,
        topics=queries.batch_topics(batches),
        overdue=public_overdue(village, today()),
        projects=db.session.scalars(queries.open_projects(code).limit(OPEN_PROJECTS_SHOWN + 1)).all(),
        projects_shown=OPEN_PROJECTS_SHOWN,
        head=queries.latest_batch(code),
    )


@views.get("/r/<code>/ledger")
@public_page
def ledger(code: str):
    village = village_or_404(code)
    term = request.args.get("q", "").strip()[:50]
    if term:
        found = queries.paginate(queries.ledger_search(code, term), page_arg(), per_page=queries.LEDGER_PER_PAGE)
        return render_template("portal/ledger_search.html", **_village_context(village), term=term, found=found)
    months = queries.ledger_months(code)
    month = month_arg() or shown_month(months) or today().strftime("%Y-%m")
    late = {due.month: due for due in public_overdue(village, today()) if due.kind is Kind.LEDGER}
    return render_template(
        "portal/ledger.html",
        **_village_context(village),
        months=months,
        late=late.get(month),
        view=ledger_month(code, month, page_arg()),
        nav=month_nav(month, months),
        batch=queries.latest_batch_holding(LedgerEntry, code, LedgerEntry.month == month),
    )


@views.get("/r/<code>/subsidies")
@public_page
def subsidies(code: str):
    village = village_or_404(code)
    item, month = request.args.get("item", "").strip()[:32], month_arg()
    items, months = queries.subsidy_choices(code)
    late = [due for due in public_overdue(village, today()) if due.kind is Kind.SUBSIDIES]
    if not (item and month):
        index = queries.paginate(
            queries.subsidy_index(code, item, month), page_arg(), scalars=False, per_page=queries.INDEX_PER_PAGE
        )
        return render_template(
            "portal/subsidies.html",
            **_village_context(village),
            item=item,
            month=month,
            index=index,
            items=items,
            months=months,
            late=late,
        )
    found = queries.paginate(queries.subsidy_rows(code, item, month), page_arg(), per_page=queries.ROSTER_PER_PAGE)
    where = (SubsidyPayment.item == item, SubsidyPayment.month == month)
    return render_template(
        "portal/subsidy_roster.html",
        **_village_context(village),
        item=item,
        month=month,
        items=items,
        months=months,
        found=found,
        full_names=full_names(code),
        names=[show_name(p.name, code) for p in found.items],
        totals=db.session.execute(queries.subsidy_index(code, item, month)).first(),
        late=[due for due in late if (due.item, due.month) == (item, month)],
        batch=queries.latest_batch_holding(SubsidyPayment, code, *where),
    )


@views.get("/r/<code>/projects")
@public_page
def projects(code: str):
    village = village_or_404(code)
    found = queries.paginate(queries.latest_project_updates(code), page_arg(), per_page=queries.CARDS_PER_PAGE)
    return render_template("portal/projects.html", **_village_context(village), found=found)


@views.get("/r/<code>/projects/<project_no>")
@public_page
def project(code: str, project_no: str):
    village = village_or_404(code)
    history = db.session.scalars(project_history(code, project_no)).all()
    if not history:
        abort(404)
    return render_template(
        "portal/project.html",
        **_village_context(village),
        latest=history[0],
        history=history,
        photos=db.session.scalars(public_photos(code, project_no)).all(),
    )


SMALL_PHOTO_SIDE = 640


@views.get("/r/<code>/photos/<token>.jpg")
def project_photo(code: str, token: str):
    """A project's site photo, while the update it came with is public; else 404. A published
    photo never changes, but a correction can take it down: cached for an hour, not for good."""
    photo = public_photo(code, token)
    if photo is None:
        abort(404)
    try:
        data = photo_bytes(photo)
    except FileNotFoundError:
        abort(404)
    if request.args.get("size") == "small":  # the page's own picture: a fraction of the bytes on 4G
        data = images.thumbnail(data, SMALL_PHOTO_SIDE)
    response = make_response(data)
    response.headers.update(
        {"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"}
    )
    return response


@views.get("/r/<code>/contracts")
@public_page
def contracts(code: str):
    village = village_or_404(code)
    found = queries.paginate(queries.contracts(code), page_arg(), per_page=queries.CARDS_PER_PAGE)
    return render_template(
        "portal/contracts.html",
        **_village_context(village),
        found=found,
        rows=contract_rows(code, found.items),
        today=today(),
    )


@views.get("/r/<code>/revisions")
@public_page
def revisions(code: str):
    village = village_or_404(code)
    found = queries.paginate(queries.corrections(code), page_arg(), scalars=False, per_page=queries.CARDS_PER_PAGE)
    return render_template(
        "portal/revisions.html", **_village_context(village), found=found, entries=revision_entries(code, found.items)
    )


@views.get("/r/<code>/report")
def report(code: str):
    """对此有疑问 / 我要反映问题 as the pages linked them before they linked straight to the complaint
    form (a redirect is a round trip a villager waits through): kept for saved pages."""
    village = village_or_404(code)
    item = request.args.get("item", "")
    return redirect(url_for("complaints.complain", village=village.code, **({"item": item} if item else {})))
