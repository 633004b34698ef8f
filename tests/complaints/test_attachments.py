"""Photos and recordings: checked by content, cleaned, stored with the complaint or not at all,
and served only to the complainant and to staff in scope."""

import io
import os
import re
import struct
import time
import wave
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from mutagen.id3 import ID3, TIT2, TXXX
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from support import csrf_from, signed_in_client

from core import storage
from core.extensions import db
from core.timezone import SHANGHAI, shanghai
from complaints import attachments
from complaints.attachments import AttachmentError, clean_audio, clean_photo
from complaints.recordings import blank_mp4_metadata
from complaints.models import Attachment, Complaint
from disclosures.staging import STAGING, prune_staged_uploads

VILLAGE = "629901101201"
FORM = f"/complain?village={VILLAGE}"
TICKET = re.compile(r'name="ticket"[^>]*value="([^"]+)"')
GPS_IFD = 0x8825


def photo_with_gps(size=(3000, 1500), fmt="JPEG", orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    if orientation:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 5.5), 3: "E", 4: (105.0, 7.0, 2.25)}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def wav(seconds: float = 0.1) -> bytes:
    frames = int(8000 * seconds)
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + frames * 2)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
        + b"data"
        + struct.pack("<I", frames * 2)
    )
    return header + bytes(frames * 2)


OWNER = "欧阳小锋的录音"  # what phones put in a recording's title: often its owner's name
PLACE = "+31.2304+121.4737"


def mp3_frames(count: int = 20) -> bytes:
    return (b"\xff\xfb\x90\x00" + bytes(413)) * count  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz, silent


def mp3(frames: bytes | None = None) -> bytes:
    """A recording with an ID3v2 tag in front (title, a location) and an ID3v1 tag at the end."""
    buffer = io.BytesIO(mp3_frames() if frames is None else frames)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=OWNER))
    tags.add(TXXX(encoding=3, desc="location", text=PLACE))
    tags.save(buffer, v1=2)
    return buffer.getvalue()


def opus(comment: str = f"TITLE={OWNER}") -> bytes:
    """An Ogg Opus stream: its header, a comment packet carrying a title, one packet of sound."""
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", 312, 48000, 0, 0)
    vendor, text = b"recorder", comment.encode()
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<II", 1, len(text)) + text
    pages = []
    for sequence, (packet, position) in enumerate([(head, 0), (tags, 0), (b"\xfc" + bytes(40), 960)]):
        page = OggPage()
        page.serial, page.sequence, page.position, page.packets = 7, sequence, position, [packet]
        page.first, page.last = sequence == 0, sequence == 2
        pages.append(page.write())
    return b"".join(pages)


def chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)


def wav_with_tags() -> bytes:
    """A PCM WAV with a RIFF INFO list (title, artist, date) and an ID3 chunk after its samples."""
    plain = wav()
    info = (
        b"INFO" + chunk(b"INAM", OWNER.encode()) + chunk(b"IART", "欧阳小锋".encode()) + chunk(b"ICRD", b"2026-11-20")
    )
    body = plain[12:] + chunk(b"LIST", info) + chunk(b"id3 ", mp3(b"")[:-128])
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


SMALL_LIMIT = 64 * 1024
OGG = opus()
PHP = b"<?php system($_GET['c']); ?>"


def test_gps_exif_is_stripped_and_size_capped():
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture really has GPS
    cleaned = clean_photo(original, "IMG_0001.jpg")
    image = Image.open(io.BytesIO(cleaned.data))
    assert cleaned.content_type == "image/jpeg" and image.format == "JPEG"
    assert max(image.size) == 2000 and image.size == (2000, 1000)
    assert not image.getexif() and "exif" not in image.info
    assert b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data


def test_orientation_is_applied_before_exif_goes():
    cleaned = clean_photo(photo_with_gps((400, 200), orientation=6), "sideways.jpg")
    assert Image.open(io.BytesIO(cleaned.data)).size == (200, 400)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_photo_formats_become_plain_jpeg(fmt):
    cleaned = clean_photo(photo_with_gps((300, 200), fmt=fmt), "x.bin")
    assert Image.open(io.BytesIO(cleaned.data)).format == "JPEG" and b"Exif" not in cleaned.data


def test_transparent_png_is_flattened_on_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(buffer, "PNG")
    pixel = Image.open(io.BytesIO(clean_photo(buffer.getvalue()).data)).getpixel((5, 5))
    assert min(pixel) > 240


def huge_png(side=7745) -> bytes:
    """A real 60-megapixel PNG (just under the old cap), small on disk because it is flat."""
    buffer = io.BytesIO()
    Image.new("1", (side, side), 1).save(buffer, "PNG")
    return buffer.getvalue()


def test_huge_pngs_are_refused_from_the_header_without_decoding(monkeypatch):
    from PIL import ImageFile

    uploads = [FileStorage(io.BytesIO(huge_png()), filename=f"big{n}.png") for n in range(3)]

    def no_decoding(self):
        raise AssertionError("decoded a photo that the header already ruled out")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.perf_counter()
    with pytest.raises(AttachmentError, match="像素太多.*最多1600万像素"):
        attachments.clean_uploads(uploads, None)
    assert time.perf_counter() - started < 1


def test_a_phone_screenshot_sized_png_still_passes():
    buffer = io.BytesIO()
    Image.new("RGB", (1290, 2796), "white").save(buffer, "PNG")
    assert Image.open(io.BytesIO(clean_photo(buffer.getvalue(), "screen.png").data)).size == (923, 2000)


@pytest.mark.parametrize("data", [PHP, b"GIF89a" + bytes(30), b"\xff\xd8\xff\xe0broken"])
def test_not_a_photo_is_refused(data):
    with pytest.raises(AttachmentError, match="不是能识别的照片"):
        clean_photo(data, "shell.jpg")


@pytest.mark.parametrize(
    "data,content_type",
    [
        (wav(), "audio/wav"),
        (OGG, "audio/ogg"),
        (b"#!AMR\n" + bytes(30), "audio/amr"),
        (mp3(), "audio/mpeg"),
        (b"\x00\x00\x00\x18ftypM4A " + bytes(30), "audio/mp4"),
        (b"\x00\x00\x00\x18ftyp3gp4" + bytes(30), "audio/3gpp"),
        (b"\x1a\x45\xdf\xa3" + bytes(30), "audio/webm"),
    ],
)
def test_recordings_are_recognised_by_content(data, content_type):
    assert clean_audio(data, "rec.bin").content_type == content_type


@pytest.mark.parametrize(
    "field,size,message",
    [("photos", 8 * 1024 * 1024 + 1, "每个不能超过8 MB"), ("voice", 5 * 1024 * 1024 + 1, "每个不能超过5 MB")],
)
def test_real_size_limits(field, size, message):
    upload = FileStorage(io.BytesIO(bytes(size)), filename="big")
    with pytest.raises(AttachmentError, match=message):
        attachments.clean_uploads([upload] if field == "photos" else [], upload if field == "voice" else None)


@pytest.mark.parametrize(
    "data,kept",
    [
        (mp3(), mp3_frames()),  # ID3v2 in front and ID3v1 at the end both go; the frames stay
        (mp3(b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(60)), b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(60)),  # AAC
    ],
)
def test_id3_tags_are_removed(data, kept):
    assert OWNER.encode("utf-8") in data and PLACE.encode() in data  # the fixture really carries them
    cleaned = clean_audio(data, "rec.mp3")
    assert cleaned.data == kept and cleaned.content_type == ("audio/mpeg" if kept[1] == 0xFB else "audio/aac")


def test_ogg_comments_are_removed():
    cleaned = clean_audio(opus(), "rec.opus")
    assert OWNER.encode() not in cleaned.data and cleaned.content_type == "audio/ogg"
    assert OggOpus(io.BytesIO(cleaned.data)).tags.keys() == []


def test_wav_keeps_its_samples_and_nothing_else():
    tagged = wav_with_tags()
    assert wave.open(io.BytesIO(tagged)).getnframes() == 800  # a WAV any reader still opens
    cleaned = clean_audio(tagged, "rec.wav").data
    assert b"LIST" not in cleaned and b"INFO" not in cleaned and b"id3 " not in cleaned and b"ID3" not in cleaned
    assert "欧阳".encode() not in cleaned and b"2026-11-20" not in cleaned
    with wave.open(io.BytesIO(cleaned)) as reader, wave.open(io.BytesIO(wav())) as plain:
        assert reader.getparams() == plain.getparams() and reader.readframes(800) == plain.readframes(800)


@pytest.mark.parametrize(
    "data",
    [
        b"OggS\x00\x02" + bytes(60),
        b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(20),
        b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + bytes(30),
    ],
)
def test_a_damaged_recording_is_refused_not_stored_with_its_tags(data):
    with pytest.raises(AttachmentError, match="不是能识别的录音"):
        clean_audio(data, "rec.bin")


def test_text_named_m4a_is_refused():
    with pytest.raises(AttachmentError, match="不是能识别的录音"):
        clean_audio("我是一段文字，不是录音".encode(), "voice.m4a")


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def test_mp4_metadata_is_blanked_in_place():
    location = box(b"\xa9xyz", b"+31.2304+121.4737/")
    data = (
        box(b"ftyp", b"M4A \x00\x00\x00\x00")
        + box(b"moov", box(b"mvhd", bytes(20)) + box(b"udta", location))
        + box(b"mdat", b"audio-bytes")
    )
    cleaned = blank_mp4_metadata(data)
    assert len(cleaned) == len(data) and b"+31.2304" not in cleaned and b"udta" not in cleaned
    assert cleaned.endswith(box(b"mdat", b"audio-bytes")) and b"mvhd" in cleaned


# Through the form ------------------------------------------------------------------------------


@pytest.fixture
def fast(app, township_tree):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0


def form_fields(client) -> dict:
    page = client.get(FORM)
    return {"csrf_token": csrf_from(page.text), "ticket": TICKET.search(page.text).group(1), "village": VILLAGE}


def post(client, files: dict, text="照片里是没有完工的路"):
    data = form_fields(client) | {"category": "project", "text": text, "identity": "anonymous"}
    for name, items in files.items():
        data[name] = [(io.BytesIO(content), filename) for filename, content in items]
    return client.post("/complain", data=data, content_type="multipart/form-data")


def stored_files(app) -> list:
    folder = Path(app.config["UPLOAD_DIR"]) / "attachments"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def complaints() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint))


def test_photos_and_voice_are_stored_clean_with_the_complaint(client, app, fast):
    response = post(
        client,
        {
            "photos": [("a.jpg", photo_with_gps()), ("b.png", photo_with_gps((50, 50), "PNG"))],
            "voice": [("rec.wav", wav_with_tags())],
        },
    )
    assert response.status_code == 200 and "已收到您的反映" in response.text
    rows = list(db.session.scalars(select(Attachment).order_by(Attachment.id)))
    assert [(r.kind, r.content_type) for r in rows] == [
        ("image", "image/jpeg"),
        ("image", "image/jpeg"),
        ("audio", "audio/wav"),
    ]
    assert len(stored_files(app)) == 3
    stored = storage.load("attachments", rows[0].stored_name)
    assert b"Exif" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    assert rows[0].size == len(stored) and "." not in rows[0].stored_name
    recording = storage.load("attachments", rows[2].stored_name)
    assert b"INFO" not in recording and "欧阳".encode() not in recording and rows[2].size == len(recording)


@pytest.mark.parametrize(
    "files,message",
    [
        ({"photos": [("photo.jpg", PHP)]}, "不是能识别的照片"),
        ({"photos": [(f"{n}.jpg", photo_with_gps((20, 20))) for n in range(6)]}, "最多只能上传5张照片"),
        ({"photos": [("big.jpg", b"\xff\xd8" + bytes(SMALL_LIMIT))]}, "太大了"),
        ({"voice": [("voice.m4a", "一段文字".encode())]}, "不是能识别的录音"),
        ({"voice": [("long.wav", wav(5))]}, "太大了"),
        ({"photos": [("ok.jpg", photo_with_gps((20, 20)))], "voice": [("x.m4a", PHP)]}, "不是能识别的录音"),
    ],
)
def test_a_bad_file_refuses_the_whole_submission(client, app, fast, monkeypatch, files, message):
    # Small limits keep the request body in memory (the test client spools big ones to a file
    # it never closes); the real limits are checked without HTTP below.
    monkeypatch.setattr(attachments, "MAX_PHOTO_BYTES", SMALL_LIMIT)
    monkeypatch.setattr(attachments, "MAX_AUDIO_BYTES", SMALL_LIMIT)
    response = post(client, files, text="这段文字要留在表单里")
    assert response.status_code == 422
    assert message in response.text and "这段文字要留在表单里" in response.text
    assert complaints() == 0 and stored_files(app) == []


def test_files_are_removed_when_filing_fails(client, app, fast, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachments, "file_complaint", broken)
    with pytest.raises(RuntimeError):
        post(client, {"photos": [("a.jpg", photo_with_gps((20, 20)))]})
    assert stored_files(app) == []


def test_a_retry_stores_no_second_copy(client, app, fast):
    data = form_fields(client) | {"category": "project", "text": "重复提交", "identity": "anonymous"}
    for _ in range(2):
        files = data | {"photos": [(io.BytesIO(photo_with_gps((20, 20))), "a.jpg")]}
        assert client.post("/complain", data=files, content_type="multipart/form-data").status_code == 200
    assert complaints() == 1 and len(stored_files(app)) == 1


def test_a_filing_stores_its_times_to_the_minute(client, fast):
    # Beside a proxy's log, a stored second (or microsecond) would point at the one request.
    with time_machine.travel(datetime(2026, 11, 20, 10, 7, 42, 123456, tzinfo=SHANGHAI), tick=False):
        assert post(client, {"photos": [("a.jpg", photo_with_gps((20, 20)))]}).status_code == 200
    case = db.session.scalar(select(Complaint))
    minute = shanghai(2026, 11, 20, 10, 7)
    assert case.received_at == minute
    assert {event.at for event in case.events} == {clock.starts_at for clock in case.clocks} == {minute}
    assert [attachment.created_at for attachment in case.attachments] == [minute]


def age_files(folder: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    for path in folder.iterdir():
        os.utime(path, (then, then))


def test_prune_removes_only_old_files_no_case_names(client, app, fast, cli):
    assert post(client, {"photos": [("a.jpg", photo_with_gps((20, 20)))]}).status_code == 200
    kept = db.session.scalar(select(Attachment.stored_name))
    orphan = storage.save("attachments", b"left by a worker that died before its commit")
    unfinished = Path(app.config["UPLOAD_DIR"]) / "attachments" / "abcDEF123.part"
    unfinished.write_bytes(b"half a photo")
    age_files(unfinished.parent, hours=2)
    young = storage.save("attachments", b"a filing in progress")  # stored a moment ago: left alone
    result = cli.invoke(args=["uploads", "prune"])
    assert result.exit_code == 0 and "删除无主附件 2 个" in result.output
    assert [path.name for path in stored_files(app)] == sorted([kept, young])
    assert storage.load("attachments", kept) and orphan not in {path.name for path in stored_files(app)}


def test_prune_drops_unconfirmed_uploads_after_a_day(app):
    stale, fresh = storage.save(STAGING, b"old preview"), storage.save(STAGING, b"new preview")
    os.utime(Path(app.config["UPLOAD_DIR"]) / STAGING / stale, (time.time() - 25 * 3600,) * 2)
    assert prune_staged_uploads() == 1
    assert storage.load(STAGING, fresh) == b"new preview"
    with pytest.raises(FileNotFoundError):
        storage.load(STAGING, stale)


def test_stored_names_cannot_leave_their_folder(app):
    for name in ("../x", "a/b", "..part", ".part", "x.jpg"):
        with pytest.raises(FileNotFoundError):
            storage.load("attachments", name)


def open_tracking(client, done: str) -> None:
    code = re.search(r'class="case-code">([\d-]+)<', done).group(1)
    secret = re.search(r'class="secret-box">([\d ]+)<', done).group(1)
    page = client.get("/track")
    assert (
        client.post("/track", data={"csrf_token": csrf_from(page.text), "code": code, "secret": secret}).status_code
        == 302
    )


def test_attachments_are_served_only_to_the_complainant_and_staff(client, app, fast, make_user, login):
    done = post(client, {"photos": [("a.jpg", photo_with_gps((600, 400)))], "voice": [("v.ogg", OGG)]}).text
    photo, voice = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    url = f"/track/attachments/{photo.token}"
    assert client.get(url).status_code == 404  # filed, but the case was not opened with number + secret
    open_tracking(client, done)
    case_page = client.get("/track/case").text
    assert f"{url}?size=thumb" in case_page and f"/track/attachments/{voice.token}" in case_page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"  # a case file on a shared phone: kept by no cache
    thumb = client.get(f"{url}?size=thumb")
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 240
    assert client.get(f"/track/attachments/{voice.token}").mimetype == "audio/ogg"

    stranger = app.test_client()
    assert stranger.get(url).status_code == 404
    make_user("outsider", "handler", ["629901102000"])
    make_user("insider", "handler", ["629901101000"])
    make_user("accountant", "accountant", [VILLAGE])
    for username, status in [("outsider", 404), ("accountant", 404), ("insider", 200)]:
        staff = app.test_client()
        page = staff.get("/staff/login")
        staff.post(
            "/staff/login",
            data={"username": username, "password": "pw-for-tests-1", "csrf_token": csrf_from(page.text)},
        )
        assert staff.get(url).status_code == status, username


def _file_links(page: str) -> list[str]:
    return re.findall(r'href="(/track/attachments/[^"?]+)"', page)


def test_attachments_follow_case_visibility(app, township_tree, make_user):
    """The same rule as the case page: a recused handler and a township handler during an
    inspection round get 404; the round's inspector gets the file."""

    from admin.cases.actions import declare_conflict
    from complaints.attachments import file_with_attachments
    from complaints.models import Category, Channel
    from core.regions.models import Region
    from factories import running_round

    inspector, _ = make_user("xuncha", "inspector"), make_user("xuncha2", "inspector")
    make_user("insider", "handler", ["629901101000"])
    recused = make_user("recused", "handler", ["629901101000"])
    make_user("root", "admin")
    village = db.session.get(Region, VILLAGE)
    running = running_round([inspector], [village])
    photo = clean_photo(photo_with_gps((40, 40)))
    plain = file_with_attachments(
        [photo], village=village, category=Category.FUNDS, text="修路款", channel=Channel.WEB, identity=None
    )
    in_round = file_with_attachments(
        [photo],
        village=village,
        category=Category.FUNDS,
        text="巡察期间反映",
        channel=Channel.INSPECTION,
        identity=None,
        round_id=running.id,
    )
    plain_case, round_case = (
        db.session.scalar(select(Complaint).where(Complaint.code == filed.code)) for filed in (plain, in_round)
    )
    declare_conflict(plain_case, "反映对象是我的亲属", by=recused)
    # The links as the case pages print them, whatever they name the file by.
    [plain_url] = _file_links(signed_in_client(app, "root").get(f"/admin/cases/{plain_case.id}").text)
    [round_url] = _file_links(signed_in_client(app, "xuncha").get(f"/admin/cases/{round_case.id}").text)
    expected = {
        "insider": (200, 404),
        "recused": (404, 404),
        "xuncha": (404, 200),
        "xuncha2": (404, 404),
        "root": (200, 200),
    }
    for username, statuses in expected.items():
        staff = signed_in_client(app, username)
        assert (staff.get(plain_url).status_code, staff.get(round_url).status_code) == statuses, username


def test_attachment_urls_name_no_sequential_id(client, app, fast, make_user):
    done = post(client, {"photos": [("a.jpg", photo_with_gps((60, 40)))]}).text
    open_tracking(client, done)
    photo = db.session.scalar(select(Attachment))
    [url] = _file_links(client.get("/track/case").text)
    token = url.rsplit("/", 1)[1]
    assert str(photo.id) != token and len(token) >= 20  # 128 random bits, not a number one can count on from
    assert client.get(url).status_code == 200
    assert client.get(f"/track/attachments/{photo.id}").status_code == 404
