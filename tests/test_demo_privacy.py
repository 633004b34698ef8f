"""The privacy sweep over the demo county: every public page and download of a few villages, read
as a person would, shows no ID number, no bank account, not even partly, and no recipient's full
name (names that are public anyway — contract parties, ledger counterparties — excepted)."""

import io
import re
import shutil

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.extensions import db
from core.fields import field_cipher
from core.privacy import mask_name
from disclosures.models import Contract, LedgerEntry, SubsidyPayment
from support import IN_CI, run_tool

VILLAGES = ("629902101201", "629902102203")
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
DIGIT_RUN = re.compile(r"\d{6,}")


@pytest.fixture
def database_uri(demo_database_uri):
    """The demo county (`flask demo`), built once per run."""
    return demo_database_uri


@pytest.fixture
def demo(app):
    """What the tests below read: the demo county, as the database above holds it."""
    return app


def secrets_of_people() -> tuple[set[str], set[str]]:
    """(6-digit windows of every ID and account, full names to look for)."""
    cipher, windows, names = field_cipher(), set(), set()
    for payment in db.session.scalars(select(SubsidyPayment)):
        # An ID's first six digits are its (public) county code; the rest must never show.
        private = [cipher.decrypt(payment.id_cipher)[6:], cipher.decrypt(payment.account_cipher)]
        windows |= {digits[i : i + 6] for digits in private for i in range(len(digits) - 5)}
        names.add(payment.name)
    public_names = set(db.session.scalars(select(Contract.party))) | set(
        db.session.scalars(select(LedgerEntry.counterparty))
    )
    return windows, {name for name in names - public_names if mask_name(name) != name}


def urls_of(client, village: str) -> list[str]:
    base = f"/r/{village}"
    months = re.findall(r"ledger\?month=(\d{4}-\d{2})", client.get(f"{base}/ledger").text)
    rosters = re.findall(r'subsidies\?item=([^&"]+)&amp;month=(\d{4}-\d{2})', client.get(f"{base}/subsidies").text)
    assert months and rosters, "the demo village has no published data"
    urls = [
        base,
        f"{base}/ledger",
        f"{base}/subsidies",
        f"{base}/projects",
        f"{base}/contracts",
        f"{base}/revisions",
        f"/complain?village={village}",
        "/lookup",
    ]
    urls += [f"{base}/ledger?month={m}" for m in months]
    urls += [f"{base}/subsidies?item={i}&month={m}" for i, m in rosters]
    for fmt in ("csv", "xlsx"):
        urls += [f"{base}/{table}.{fmt}" for table in ("projects", "contracts", "revisions")]
        urls += [f"{base}/ledger.{fmt}?month={months[0]}"]
        urls += [f"{base}/subsidies.{fmt}?item={i}&month={m}" for i, m in rosters[:4]]
    return urls + [
        f"{base}/ledger.pdf?month={months[0]}",
        f"{base}/subsidies.pdf?item={rosters[0][0]}&month={rosters[0][1]}",
    ]


def readable(response, tmp_path) -> str:
    if response.mimetype == "application/pdf":
        if not shutil.which("pdftotext") and not IN_CI:
            return ""  # pages and spreadsheets are still swept; CI has the tool and reads PDFs too
        path = tmp_path / "page.pdf"
        path.write_bytes(response.data)
        return run_tool("pdftotext", "-enc", "UTF-8", str(path), "-")
    if response.mimetype.endswith("spreadsheetml.sheet"):
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)
        )
    return response.get_data(as_text=True)


def leaks(text: str, windows: set[str], names: set[str]) -> list[str]:
    found = ID_LIKE.findall(text)
    for run in DIGIT_RUN.findall(re.sub(r"6299\d{8}", "", text)):  # region codes are public
        found += [run[i : i + 6] for i in range(len(run) - 5) if run[i : i + 6] in windows]
    return found + [name for name in names if name in text]


def test_no_public_page_or_download_of_the_demo_leaks_personal_data(demo, client, tmp_path):
    windows, names = secrets_of_people()
    masked = {mask_name(name) for name in names}
    assert windows and names
    rosters_seen = 0
    for village in VILLAGES:
        for url in urls_of(client, village):
            response = client.get(url)
            assert response.status_code == 200, url
            text = readable(response, tmp_path)
            assert leaks(text, windows, names) == [], url
            rosters_seen += any(name in text for name in masked)
    assert rosters_seen >= 20  # the sweep really read rosters, with their masked names


def test_the_sweep_would_catch_a_leak(demo):
    windows, names = secrets_of_people()
    payment = db.session.scalars(select(SubsidyPayment)).first()
    number = field_cipher().decrypt(payment.id_cipher)
    assert leaks(f"身份证号 {number}", windows, names)
    assert leaks(f"尾号 {number[-7:-1]}", windows, names)
    assert leaks(f"{next(iter(names))} 500.00", windows, names)
