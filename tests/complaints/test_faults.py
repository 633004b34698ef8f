"""Filing while a dependency fails (issue 14, item 4): the rate-limit store gone, the upload disk
full. The scripted, multi-process versions are in bench/faults/; these are their in-process core."""

import errno
import io
import os
import re
import socket

import pytest
from sqlalchemy import func, select
from support import png_bytes

from complaints import routes
from complaints.models import Attachment, Complaint
from core.extensions import db

VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
HIDDEN = re.compile(r'<input id="\w+" name="(\w+)" type="hidden" value="([^"]*)">')
CODE = re.compile(r'class="case-code">([\d-]+)<')
TEXT = "村里修路的钱去向不明，请核查"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def submit(client, photo: bool = True):
    fields = dict(HIDDEN.findall(client.get(FORM).text))
    data = fields | {"category": "funds", "text": TEXT, "identity": "anonymous"}
    if photo:
        data["photos"] = [(io.BytesIO(png_bytes()), "road.png")]
    return client.post("/complain", data=data, content_type="multipart/form-data")


def cases() -> int:
    db.session.rollback()  # a fresh snapshot: the request committed on its own connection
    return db.session.scalar(select(func.count()).select_from(Complaint))


def stored_files(upload_dir) -> list[str]:
    return sorted(str(path) for path in upload_dir.rglob("*") if path.is_file())


@pytest.fixture
def redis_app(make_app, database_uri, township_tree):
    """An app keeping its rate limits in Redis, as production does with several workers."""

    def make(url: str):
        return make_app(
            database_uri, RATELIMIT_STORAGE_URI=url, COMPLAINT_MIN_FILL_SECONDS=0, PROPAGATE_EXCEPTIONS=False
        )

    return make


def test_with_redis_unreachable_filings_are_accepted_within_a_local_limit(redis_app):
    client = redis_app(f"redis://127.0.0.1:{closed_port()}/0").test_client()
    answers = [submit(client, photo=False) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert all(CODE.search(answer.text) for answer in answers[:5])
    assert "操作太频繁" in answers[5].text
    assert cases() == 5


def test_redis_stopping_during_a_filing_still_acknowledges_the_stored_case(redis_app, redis_server, monkeypatch):
    import redis

    client = redis_app(redis_server).test_client()
    assert CODE.search(submit(client).text)
    filing = routes.file_with_attachments

    def file_then_lose_redis(*args, **kwargs):
        filed = filing(*args, **kwargs)
        redis.Redis.from_url(redis_server).shutdown(nosave=True)
        return filed

    monkeypatch.setattr(routes, "file_with_attachments", file_then_lose_redis)
    # The per-device count is deducted after the view, by then from a Redis that is gone.
    answer = submit(client)
    assert answer.status_code == 200 and CODE.search(answer.text), answer.status_code
    monkeypatch.setattr(routes, "file_with_attachments", filing)
    assert CODE.search(submit(client).text)  # and the next one, with Redis still down
    assert cases() == 3


def test_a_full_upload_disk_refuses_the_filing_plainly_and_leaves_nothing(
    app, client, township_tree, tmp_path, monkeypatch
):
    app.config.update(COMPLAINT_MIN_FILL_SECONDS=0, PROPAGATE_EXCEPTIONS=False)

    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)  # the write fails as it reaches the disk
    refused = submit(client)
    assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()
    assert "您的反映没有提交成功" in refused.text and not CODE.search(refused.text)
    assert f"{TEXT}</textarea>" in refused.text  # what was typed comes back
    assert "Traceback" not in refused.text
    assert cases() == 0 and db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(tmp_path / "uploads") == [], "a half-written photo was left behind"
    monkeypatch.undo()
    assert CODE.search(submit(client).text)  # room again: the same kind of filing goes through
    assert cases() == 1 and len(stored_files(tmp_path / "uploads")) == 1
