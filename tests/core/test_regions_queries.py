"""Region reads that pages lean on."""

import pytest
from sqlalchemy import event, update

from core.extensions import db
from core.regions import places
from core.regions.codes import ancestor_codes
from core.regions.models import Level, Region
from core.regions.places import place
from core.regions.queries import ancestors_of, region_with_ancestors


@pytest.mark.parametrize(
    "code, expected",
    [
        ("629901101201", ["629901000000", "629901101000"]),
        ("629901101000", ["629901000000"]),
        ("629901000000", []),
    ],
)
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


# --- places: the regions a public form names, remembered by a worker -----------------------------


@pytest.fixture
def statements(app):
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listener)


def test_a_place_names_its_parents_and_is_read_once(app, township_tree, statements):
    village = place("629901101201")
    assert (village.name, village.level_enum, village.parent_code) == ("青山村", Level.VILLAGE, "629901101000")
    assert [(p.code, p.name) for p in village.ancestors] == [("629901000000", "青川县"), ("629901101000", "黄大镇")]
    assert village.ancestors[1].ancestors == village.ancestors[:1]
    assert len(statements) == 1
    assert place("629901101201") is village and len(statements) == 1
    assert place("629901101299") is None and place("629901101299") is None
    assert len(statements) == 3  # an unknown code is asked again: a village added later is found


def test_a_worker_that_writes_regions_forgets_at_once(app, township_tree, make_region):
    assert place("629901101201").name == "青山村"
    db.session.get(Region, "629901101201").name = "青山社区"
    db.session.commit()
    assert place("629901101201").name == "青山社区"
    make_region("629901101203", "新村", "village", "629901101000")
    assert place("629901101203").ancestors[-1].name == "黄大镇"


def test_another_workers_change_shows_within_the_memo_time(app, township_tree, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(places, "monotonic", lambda: clock[0])
    assert place("629901101201").name == "青山村"
    with db.engine.begin() as connection:  # as another process would: no flush in this one
        connection.execute(update(Region).where(Region.code == "629901101201").values(name="青山社区"))
    clock[0] += app.config.get("PLACE_MEMO_SECONDS", 60) - 1
    assert place("629901101201").name == "青山村"
    clock[0] += 2
    assert place("629901101201").name == "青山社区"


def test_the_complaint_form_reads_nothing_once_its_village_is_known(client, township_tree, statements):
    first = client.get("/complain?village=629901101201")
    assert first.status_code == 200 and "青川县 黄大镇 <strong>青山村</strong>" in first.text
    statements.clear()
    again = client.get("/complain?village=629901101201")
    assert again.status_code == 200 and "<strong>青山村</strong>" in again.text
    assert statements == []
    assert client.get("/complain?village=629901101299").status_code == 404
    township = client.get("/complain?village=629901101000")  # not a village: choose one
    assert township.status_code == 200 and "上东村" in township.text
