"""HTTP caching of the public pages: ETags that name the page's data, 304 without rendering,
the server-side copy, and no-store on everything personal."""

from contextlib import contextmanager
from datetime import date, datetime

import pytest
import time_machine
from flask import template_rendered

from core.extensions import db
from core.settings import CountySettings
from core.timezone import SHANGHAI
from portal.caching import NO_STORE, REVALIDATE, PageCache

V = "/r/629901101201"
PAGES = [
    V,
    f"{V}/ledger",
    f"{V}/ledger?month=2025-01",
    f"{V}/ledger?q=道路",
    f"{V}/subsidies",
    f"{V}/subsidies?item=最低生活保障金&month=2025-02",
    f"{V}/projects",
    f"{V}/projects/XM-001",
    f"{V}/contracts",
    f"{V}/revisions",
]


@pytest.fixture
def rendered(app):
    """The names of the templates rendered while the test runs."""
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


@contextmanager
def on_day(day: int):
    with time_machine.travel(datetime(2025, 3, day, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.mark.parametrize("path", PAGES)
def test_public_pages_carry_a_strong_etag_and_revalidate(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    etag, weak = response.get_etag()
    assert etag and not weak
    assert response.headers["Cache-Control"] == REVALIDATE
    assert "Cookie" in response.vary
    assert client.get(path).get_etag()[0] == etag


@pytest.mark.parametrize("path", PAGES)
def test_if_none_match_answers_304_without_rendering(client, seeded, rendered, path):
    etag = client.get(path).get_etag()[0]
    rendered.clear()
    response = client.get(path, headers={"If-None-Match": f'"{etag}"'})
    assert response.status_code == 304 and response.data == b""
    assert response.get_etag()[0] == etag and response.headers["Cache-Control"] == REVALIDATE
    assert rendered == []


def test_a_weakened_tag_still_matches(client, seeded):
    # A gzip proxy turns "x" into W/"x"; If-None-Match compares weakly.
    etag = client.get(V).get_etag()[0]
    assert client.get(V, headers={"If-None-Match": f'W/"{etag}"'}).status_code == 304


def test_another_tag_gets_the_page(client, seeded):
    response = client.get(V, headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200 and "青山村" in response.text


def test_second_request_is_served_from_the_server_cache(client, seeded, rendered):
    first = client.get(f"{V}/ledger?month=2025-01")
    rendered.clear()
    second = client.get(f"{V}/ledger?month=2025-01")
    assert rendered == [] and second.data == first.data
    assert second.mimetype == "text/html" and second.get_etag() == first.get_etag()


def test_publishing_a_batch_changes_the_etag_and_the_page(client, seeded, publish_rows):
    before = client.get(f"{V}/ledger?month=2025-02")
    publish_rows(
        "ledger", [publish_rows.ledger(date(2025, 2, 27), "记-099", "income", "经营收入", "新公开的一笔", "77.00")]
    )
    after = client.get(f"{V}/ledger?month=2025-02", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "新公开的一笔" in after.text
    assert after.get_etag() != before.get_etag()


def test_a_correction_elsewhere_in_the_village_changes_every_page(client, seeded, publish_rows):
    before = client.get(f"{V}/contracts").headers["ETag"]
    publish_rows("ledger", [publish_rows.correction(seeded["feb"][2], summary="电费（更正）")], reason="摘要有误")
    assert client.get(f"{V}/contracts").headers["ETag"] != before


def test_another_village_publishing_leaves_the_etag_alone(client, seeded, publish_rows):
    before = client.get(V).headers["ETag"]
    publish_rows(
        "ledger",
        [publish_rows.ledger(date(2025, 2, 11), "记-002", "income", "经营收入", "上东村的一笔", "1.00")],
        village="629901101202",
    )
    assert client.get(V).headers["ETag"] == before


@pytest.mark.parametrize("cookie", [("text", "large"), ("kiosk", "629901101000")])
def test_a_preference_cookie_changes_the_etag_and_the_page(client, seeded, cookie):
    plain = client.get(V)
    client.set_cookie(*cookie)
    preferred = client.get(V, headers={"If-None-Match": plain.headers["ETag"]})
    assert preferred.status_code == 200 and preferred.data != plain.data
    assert preferred.get_etag() != plain.get_etag()


def test_the_county_name_setting_changes_the_etag(client, seeded):
    roster = f"{V}/subsidies?item=最低生活保障金&month=2025-02"
    masked = client.get(roster)
    db.session.add(CountySettings(county_code="629901000000", show_full_names=True))
    db.session.commit()
    shown = client.get(roster, headers={"If-None-Match": masked.headers["ETag"]})
    assert shown.status_code == 200 and "欧阳小锋" in shown.text and "欧阳小锋" not in masked.text


def test_a_new_day_changes_the_etag(client, seeded):
    # The current month and the rent due to date both follow the calendar.
    with on_day(10):
        tenth = client.get(f"{V}/contracts").headers["ETag"]
    with on_day(11):
        assert client.get(f"{V}/contracts").headers["ETag"] != tenth


def test_a_page_with_a_flashed_message_is_not_kept(client, seeded):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "已提交")]
    response = client.get(V)
    assert "已提交" in response.text and response.headers["Cache-Control"] == NO_STORE
    assert response.get_etag() == (None, None)
    assert "已提交" not in client.get(V).text  # shown once, and not from a stored copy


def test_region_pages_above_villages_and_errors_are_left_alone(client, seeded):
    county = client.get("/r/629901000000")
    assert county.status_code == 200 and "ETag" not in county.headers
    assert client.get("/r/999999999999").status_code == 404
    assert client.get(f"{V}/ledger?month=2025-13").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/lookup", "/complain?village=629901101201", "/complain?village=629901101201&item=ledger:1", "/staff/login"],
)
def test_personal_pages_and_forms_are_never_stored(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE and "ETag" not in response.headers


def test_lookup_answer_is_never_stored(client, seeded, people):
    from support import csrf_from

    form = client.get("/lookup")
    name, number, _ = people["zhang"]
    answer = client.post("/lookup", data={"name": name, "id_number": number, "csrf_token": csrf_from(form.text)})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == NO_STORE


def test_the_page_cache_is_bounded_by_entries_and_bytes():
    cache = PageCache(entries=2, max_bytes=100)
    cache.put("a", b"1" * 10)
    cache.put("b", b"2" * 10)
    cache.get("a")  # a is now the most recently used
    cache.put("c", b"3" * 10)
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("d", b"4" * 25)
    cache.put("e", b"5" * 25)
    assert cache.size <= 100 and len(cache._items) <= 2
    cache.put("huge", b"x" * 60)  # over a quarter of the budget: not kept at all
    assert cache.get("huge") is None
    assert PageCache(entries=0, max_bytes=100).get("a") is None


def test_phones_get_the_same_page_gzipped_under_its_own_etag(client, seeded):
    import gzip

    plain = client.get(f"{V}/ledger?month=2025-01")
    for _ in range(2):  # rendered, then from the server cache
        zipped = client.get(f"{V}/ledger?month=2025-01", headers={"Accept-Encoding": "gzip, deflate"})
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.vary
        assert gzip.decompress(zipped.data) == plain.data
    assert "Content-Encoding" not in plain.headers and zipped.get_etag() != plain.get_etag()
    again = client.get(
        f"{V}/ledger?month=2025-01", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert again.status_code == 304


def _publish_elsewhere(app) -> None:
    """Another process (another worker, the CLI) changes the head of the village's chain."""
    from sqlalchemy import create_engine, text

    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE disclosure_batches SET content_hash = :h WHERE id = "
                "(SELECT max(id) FROM disclosure_batches WHERE village_code = :v)"
            ),
            {"h": "f" * 64, "v": V.rsplit("/", 1)[1]},
        )
    engine.dispose()


def test_another_process_publishing_shows_within_a_second(app, client, seeded, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("portal.caching.monotonic", lambda: clock[0])
    before = client.get(V).headers["ETag"]
    _publish_elsewhere(app)
    assert client.get(V).headers["ETag"] == before  # this worker asks again after a second
    clock[0] += 1.01
    assert client.get(V).headers["ETag"] != before


def test_state_seconds_zero_asks_on_every_request(app, client, seeded):
    app.config["PORTAL_STATE_SECONDS"] = 0
    before = client.get(V).headers["ETag"]
    _publish_elsewhere(app)
    assert client.get(V).headers["ETag"] != before
