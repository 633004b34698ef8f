"""Region reads that pages lean on."""
import pytest
from sqlalchemy import event

from core.extensions import db
from core.regions.codes import ancestor_codes
from core.regions.queries import ancestors_of, region_with_ancestors


@pytest.mark.parametrize("code, expected", [
    ("629901101201", ["629901000000", "629901101000"]),
    ("629901101000", ["629901000000"]),
    ("629901000000", []),
])
def test_ancestor_codes_follow_from_the_code(code, expected):
    assert ancestor_codes(code) == expected


def test_a_village_with_its_township_and_county_in_one_query(app, township_tree):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expunge_all()
        village = region_with_ancestors("629901101201")
        assert [region.name for region in ancestors_of(village)] == ["青川县", "黄大镇"]
        assert village.name == "青山村" and len(statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert region_with_ancestors("629901101299") is None
    assert [region.name for region in ancestors_of(region_with_ancestors("629901102000"))] == ["青川县"]
