"""Project site photos: added by the uploader to a project update awaiting review, cleaned (no
EXIF, no GPS, bounded size), public exactly while that update is — on the project page, at their
own address and on the project sign PDF."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from support import csrf_from, logout, run_tool, stage_project

from core import storage
from core.extensions import db
from disclosures.models import ProjectPhoto, ProjectUpdate
from disclosures.photos import AREA
from disclosures.services import approve_batch, correct_row

QINGSHAN = "629901101201"
GPS_IFD = 0x8825


def photo_with_gps(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (105.0, 7.0, 2.25)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def staff(township_tree, make_user):
    return {
        "kuaiji": make_user("kuaiji", "accountant", [QINGSHAN]),
        "far": make_user("far", "accountant", ["629901102201"]),
        "shenhe": make_user("shenhe", "reviewer", ["629901101000"]),
    }


@pytest.fixture
def pending_update(staff) -> ProjectUpdate:
    batch = stage_project(QINGSHAN, uploader=staff["kuaiji"])
    return db.session.scalar(select(ProjectUpdate).where(ProjectUpdate.batch_id == batch.id))


def add(client, update_id: int, data: bytes, caption="路基施工"):
    token = csrf_from(client.get("/admin/").text)
    return client.post(
        f"/disclosures/updates/{update_id}/photos",
        content_type="multipart/form-data",
        data={"csrf_token": token, "caption": caption, "photo": (io.BytesIO(data), "IMG_0001.jpg")},
    )


def stored_photo() -> ProjectPhoto:
    return db.session.scalar(select(ProjectPhoto))


def test_a_photo_is_cleaned_reviewed_and_published_with_its_batch(app, client, login, pending_update, staff):
    login("kuaiji")
    batch_page = client.get(f"/disclosures/batches/{pending_update.batch_id}").text
    assert "现场照片" in batch_page and 'name="photo"' in batch_page
    response = add(client, pending_update.id, photo_with_gps())
    assert response.status_code == 303
    photo = stored_photo()
    with app.app_context():
        data = storage.load(AREA, photo.stored_name)
    cleaned = Image.open(io.BytesIO(data))
    assert cleaned.format == "JPEG" and max(cleaned.size) == 1600
    assert not cleaned.getexif() and b"PhoneMaker" not in data and b"Exif" not in data
    assert photo.caption == "路基施工"
    # Staff who may see the batch see the photo; the public does not, while it waits for review.
    assert client.get(f"/disclosures/photos/{photo.id}.jpg").status_code == 200
    public = f"/r/{QINGSHAN}/photos/{photo.stored_name}.jpg"
    assert app.test_client().get(public).status_code == 404
    approve_batch(pending_update.batch, reviewer=staff["shenhe"])
    villager = app.test_client()
    shown = villager.get(public)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data == data
    page = villager.get(f"/r/{QINGSHAN}/projects/XM-2026-007").text
    assert "现场照片" in page and public in page and "路基施工" in page
    small = villager.get(public + "?size=small")
    assert small.status_code == 200 and max(Image.open(io.BytesIO(small.data)).size) == 640


def test_photos_only_on_a_pending_batch_by_its_uploaders(client, login, pending_update, staff, make_user):
    login("far")
    assert add(client, pending_update.id, photo_with_gps()).status_code == 404  # another village's batch
    logout(client)
    login("shenhe")
    assert add(client, pending_update.id, photo_with_gps()).status_code == 403  # reviewers do not add
    approve_batch(pending_update.batch, reviewer=staff["shenhe"])
    logout(client)
    login("kuaiji")
    refused = add(client, pending_update.id, photo_with_gps())
    assert refused.status_code == 303
    assert "已公开的批次不能再改动" in client.get(refused.headers["Location"]).text
    assert db.session.scalar(select(func.count()).select_from(ProjectPhoto)) == 0


def test_not_a_photo_is_refused_and_nothing_kept(app, client, login, pending_update):
    login("kuaiji")
    refused = add(client, pending_update.id, b"<?php system($_GET['c']); ?>")
    assert "不是能识别的照片" in client.get(refused.headers["Location"]).text
    assert db.session.scalar(select(func.count()).select_from(ProjectPhoto)) == 0
    with app.app_context():
        assert storage.stale_names(AREA, age=timedelta(seconds=-60)) == []  # no file left behind


def test_withdrawing_the_update_takes_its_photo_down(app, client, login, pending_update, staff):
    login("kuaiji")
    add(client, pending_update.id, photo_with_gps())
    photo = stored_photo()
    approve_batch(pending_update.batch, reviewer=staff["shenhe"])
    public = f"/r/{QINGSHAN}/photos/{photo.stored_name}.jpg"
    assert app.test_client().get(public).status_code == 200
    correction = correct_row(
        db.session.get(ProjectUpdate, pending_update.id), new_values=None, reason="项目编号填错", by=staff["kuaiji"]
    )
    approve_batch(correction, reviewer=staff["shenhe"])
    assert app.test_client().get(public).status_code == 404
    assert app.test_client().get(f"/r/629901101202/photos/{photo.stored_name}.jpg").status_code == 404


def test_the_project_sign_prints_the_newest_photo(tmp_path, app, client, login, pending_update, staff):
    login("kuaiji")
    add(client, pending_update.id, photo_with_gps())
    without = app.test_client().get(f"/posters/project/{QINGSHAN}/XM-2026-007.pdf")
    assert without.status_code == 404  # nothing public yet
    approve_batch(pending_update.batch, reviewer=staff["shenhe"])
    pdf = app.test_client().get(f"/posters/project/{QINGSHAN}/XM-2026-007.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "sign.pdf"
    path.write_bytes(pdf.data)
    assert re.search(r"Pages:\s+1\n", run_tool("pdfinfo", str(path)))
    images = [line.split() for line in run_tool("pdfimages", "-list", str(path)).splitlines()[2:]]
    # The QR code and the photo (1600×1067 once cleaned), both on the one page.
    assert any(row[3:5] == ["1600", "1067"] for row in images), images
    text = re.sub(r"\s+", "", run_tool("pdftotext", "-enc", "UTF-8", str(path), "-"))
    assert "现场照片（2026年6月1日）：路基施工" in text


def test_prune_removes_photo_files_no_row_names(app, client, login, pending_update, cli):
    import os
    import time
    from pathlib import Path

    login("kuaiji")
    add(client, pending_update.id, photo_with_gps((40, 30)))
    kept = stored_photo().stored_name
    orphan = storage.save(AREA, b"left by a worker that died before its commit")
    young = storage.save(AREA, b"a photo being added right now")
    folder = Path(app.config["UPLOAD_DIR"]) / AREA
    for name in (kept, orphan):
        os.utime(folder / name, (time.time() - 2 * 3600,) * 2)
    result = cli.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0 and "无主项目照片 1 个" in result.output
    assert sorted(path.name for path in folder.iterdir()) == sorted([kept, young])


def test_the_uploader_removes_a_photo_before_review_only(app, client, login, pending_update, staff):
    login("kuaiji")
    add(client, pending_update.id, photo_with_gps((40, 30)))
    photo = stored_photo()
    name, token = photo.stored_name, csrf_from(client.get("/admin/").text)
    assert client.post(f"/disclosures/photos/{photo.id}/remove").status_code == 400  # no CSRF token
    assert client.post(f"/disclosures/photos/{photo.id}/remove", data={"csrf_token": token}).status_code == 303
    assert stored_photo() is None
    with app.app_context(), pytest.raises(FileNotFoundError):
        storage.load(AREA, name)
    add(client, pending_update.id, photo_with_gps((40, 30)))
    photo = stored_photo()
    approve_batch(pending_update.batch, reviewer=staff["shenhe"])
    refused = client.post(f"/disclosures/photos/{photo.id}/remove", data={"csrf_token": token})
    assert "已审核的批次的照片不能删除" in client.get(refused.headers["Location"]).text
    assert stored_photo() is not None
