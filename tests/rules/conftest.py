"""Fixtures for the rules: a county of three villages, and helpers that publish disclosed rows,
import rosters and read back the open warnings as the export writes them."""

import csv
import io
from datetime import date

import pytest
from rule_rows import V1, V2, V3


@pytest.fixture
def county(township_tree):
    return (V1, V2, V3)


@pytest.fixture
def publish(app):
    """publish(kind, village, [row, ...], period=None): the rows as one published batch."""
    from disclosures.models import Kind
    from disclosures.parsed import ParsedBatch, ParsedUpload
    from disclosures.services import stage_upload

    def do(kind: str, village: str, rows: list[dict], period: str | None = None):
        numbered = [{"row_number": number, "village_code": village, **row} for number, row in enumerate(rows, start=2)]
        [batch] = stage_upload(
            ParsedUpload(Kind(kind), "t.csv", [ParsedBatch(village, Kind(kind), period, numbered)]),
            uploader=None,
            publish=True,
        )
        return batch

    return do


@pytest.fixture
def subsidies(publish):
    """subsidies(village, payment(...), ...): published subsidy rows, one batch per village call."""
    return lambda village, *rows: publish("subsidies", village, list(rows))


@pytest.fixture
def ledger(publish):
    """ledger(village, entry(...), ...): published ledger rows (one month per call)."""
    return lambda village, *rows: publish("ledger", village, list(rows), rows[0]["month"])


@pytest.fixture
def roster(app):
    """roster(kind, "header\\nrow..."): import a roster from CSV text."""
    from rules.rosters.models import RosterKind
    from rules.rosters.services import import_roster

    return lambda kind, text: import_roster(RosterKind(kind), text.encode("utf-8"), f"{kind}.csv").version


@pytest.fixture
def run_rules(app):
    """run_rules(as_of): a run that must succeed; returns it."""
    from rules.models import RunState
    from rules.runs import run_rules as run

    def do(as_of: date = date(2026, 11, 20)):
        done = run(as_of=as_of, trigger="test")
        assert done.state == RunState.SUCCEEDED, done.error
        return done

    return do


@pytest.fixture
def open_warnings(app):
    """open_warnings(rule=None): {(rule, village, subject)} as the export lists them."""
    from rules.export import export_csv

    def read(rule: str | None = None) -> set[tuple[str, str, str]]:
        rows = list(csv.DictReader(io.StringIO(export_csv())))
        return {
            (row["rule"], row["village_code"], row["subject"]) for row in rows if rule is None or row["rule"] == rule
        }

    return read
