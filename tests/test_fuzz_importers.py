"""Every importer, given generated files (CSV in several encodings and .xlsx, under the template's
header or a mangled one, with cells of any Unicode, control characters, numbers past 2^63,
dates of year 1 and 9999, times, durations, booleans, formulas and error values): it stores the
file or refuses it with its own clear refusal (Rejected, every problem worded), and a refused
file leaves every table as it was.

Each importer is called as its upload or command calls it: a disclosure file through
validate_upload and stage_upload (disclosures/routes.py) and, as `flask disclosures import` does,
through the streaming import_file (published or not, warnings accepted or not); a roster through
import_roster, a holiday calendar through load_calendar_file (whole years, and `--partial`), the
regions through import_regions (`flask regions import`). HYPOTHESIS_PROFILE sets the files per
importer (tests/fuzzing.py)."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.extensions import db
from core.problems import Rejected
from disclosures.models import Kind
from fuzzing import RowCounts, save_tally, spreadsheets, tally
from rules.rosters.models import RosterKind

VILLAGES = {"629901101201", "629901101202"}
VILLAGE = "629901101201"
IMPORTERS = (
    [f"disclosure:{kind.value}" for kind in Kind]
    + [f"disclosure-cli:{kind.value}" for kind in Kind]
    + [f"roster:{kind.value}" for kind in RosterKind]
    + ["calendar", "calendar:partial", "regions"]
)
# Months as the upload form lets them through (four digits, a month 01-12), the year 0 and 9999 included.
PERIODS = st.one_of(
    st.none(), st.builds(lambda year, month: f"{year:04d}-{month:02d}", st.integers(0, 9999), st.integers(1, 12))
)


def _importer(name: str, app):
    """(the template's columns, a function that imports a file as its upload does)."""
    from core.calendar.csvfile import HEADER
    from core.calendar.services import load_calendar_file
    from core.regions.importer import SPEC, import_regions
    from disclosures.importers import validate_upload
    from disclosures.importers.checking import template_for
    from disclosures.services import import_file, stage_upload
    from rules.rosters.services import import_roster
    from rules.rosters.templates import ROSTER_TEMPLATES

    family, _, kind = name.partition(":")
    limits = {"max_rows": app.config["IMPORT_MAX_ROWS"], "max_bytes": app.config["UPLOAD_MAX_BYTES"]}
    if family == "disclosure":

        def disclose(data: bytes, filename: str, period: str | None, publish: bool):
            parsed = validate_upload(Kind(kind), data, filename, villages=VILLAGES, period=period, **limits)
            return stage_upload(parsed, uploader=None)

        return tuple(template_for(Kind(kind), None).columns), disclose
    if family == "disclosure-cli":

        def import_command(data: bytes, filename: str, period: str | None, publish: bool):
            return import_file(
                Kind(kind),
                io.BytesIO(data),
                filename,
                villages=None,
                uploader=None,
                publish=publish,
                accept_warnings=publish,
                max_rows=limits["max_rows"],
            )

        return tuple(template_for(Kind(kind), None).columns), import_command
    if family == "roster":
        return (
            tuple(ROSTER_TEMPLATES[RosterKind(kind)]().columns),
            lambda data, filename, period, publish: import_roster(RosterKind(kind), data, filename, **limits),
        )
    if family == "regions":
        return (
            tuple(SPEC.required + SPEC.optional),
            lambda data, filename, period, publish: import_regions(io.BytesIO(data), filename),
        )
    partial = kind == "partial"
    return tuple(HEADER), lambda data, filename, period, publish: load_calendar_file(data, partial=partial)


@pytest.mark.parametrize("name", IMPORTERS)
def test_an_importer_stores_or_refuses_any_file_and_a_refusal_writes_nothing(app, township_tree, name):
    columns, run = _importer(name, app)
    counts = RowCounts(db.engine)
    # The calendar takes CSV.
    files = spreadsheets(columns, VILLAGE, xlsx=False if name.startswith("calendar") else None)

    @given(files, PERIODS, st.booleans())
    def feed(sheet, period, publish):
        tally(f"importer {name}")
        data, filename = sheet.file()
        before = counts.read()
        try:
            run(data, filename, period if name == "disclosure:ledger" else None, publish)
        except Rejected as refusal:
            db.session.rollback()
            assert refusal.problems and all(str(problem).strip() for problem in refusal.problems)
            changed = RowCounts.changed(before, counts.read())
            assert not changed, f"{name} refused {filename} but wrote {changed}"

    try:
        feed()
    except Exception as failure:
        save_tally([f"{name}: {str(failure).splitlines()[0][:400]}"])
        raise
    save_tally([])
