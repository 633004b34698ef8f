"""Several app hosts behind one reverse proxy (issue 15, item 3): each has its own local disk and
shares the database; with UPLOAD_STORE=database a file stored on one host is read on another."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from support import csrf_from

from complaints.models import Attachment
from core.extensions import db

VILLAGE = "629901101201"
TICKET = re.compile(r'name="ticket"[^>]*value="([^"]+)"')


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def file_with_photo(host) -> None:
    villager = host.test_client()
    page = villager.get(f"/complain?village={VILLAGE}")
    data = {
        "csrf_token": csrf_from(page.text),
        "ticket": TICKET.search(page.text).group(1),
        "village": VILLAGE,
        "category": "project",
        "text": "照片里是没有完工的路",
        "identity": "anonymous",
        "photos": [(io.BytesIO(photo()), "road.jpg")],
    }
    response = villager.post("/complain", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "已收到您的反映" in response.text


def signed_in(host, username: str):
    staff = host.test_client()
    page = staff.get("/staff/login")
    assert (
        staff.post(
            "/staff/login",
            data={
                "username": username,
                "password": "pw-for-tests-1",  # pragma: allowlist secret
                "csrf_token": csrf_from(page.text),
            },
        ).status_code
        == 302
    )
    return staff


def files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.mark.parametrize("store, served", [("database", 200), ("local", 404)])
def test_a_photo_filed_on_one_host_is_read_by_the_handler_on_another(
    app, database_uri, make_app, township_tree, make_user, tmp_path, store, served
):
    hosts = [
        make_app(database_uri, UPLOAD_STORE=store, UPLOAD_DIR=str(tmp_path / name), COMPLAINT_MIN_FILL_SECONDS=0)
        for name in ("host-a", "host-b")
    ]
    make_user("insider", "handler", ["629901101000"])
    file_with_photo(hosts[0])
    stored = db.session.scalar(select(Attachment))

    response = signed_in(hosts[1], "insider").get(f"/track/attachments/{stored.token}")
    assert response.status_code == served
    if store == "database":  # the bytes the first host cleaned and stored, from the shared store
        assert response.mimetype == "image/jpeg" and len(response.data) == stored.size
        assert Image.open(io.BytesIO(response.data)).size == (640, 480)
        assert files_under(tmp_path / "host-a") == files_under(tmp_path / "host-b") == []
    else:  # each host's own disk: the second has not got the file (the single-server default)
        assert len(files_under(tmp_path / "host-a")) == 1 and files_under(tmp_path / "host-b") == []


def test_prune_on_the_database_store_keeps_what_a_case_names(app, township_tree, cli):
    from datetime import timedelta

    from sqlalchemy import update

    from core import storage
    from core.db import utcnow
    from core.storage.database import StoredFile

    app.config.update(UPLOAD_STORE="database", COMPLAINT_MIN_FILL_SECONDS=0)
    file_with_photo(app)
    named = db.session.scalar(select(Attachment)).stored_name
    orphan = storage.save("attachments", b"left by a host that died before its commit")
    db.session.execute(update(StoredFile).values(created_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    result = cli.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0 and "删除无主附件 1 个" in result.output, result.output
    assert storage.exists("attachments", named) and not storage.exists("attachments", orphan)
