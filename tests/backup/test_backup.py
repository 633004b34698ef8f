"""`flask backup` and `flask restore` (issue 14, item 2): a backup restored into an empty database
holds the same rows, files and hash chains; a restore never overwrites data unless told to."""

import io
import json
import tarfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from support import png_bytes, publish_ledger_row, require_tool, signed_in_client

from backup import postgres
from backup.errors import BackupError
from complaints.attachments import AREA, clean_photo, file_with_attachments
from complaints.models import Category, Channel, Complaint
from complaints.services import Identity
from core.audit import AuditEntry
from core.config import SECRET_NAMES
from core.extensions import db
from core.regions.models import Region
from disclosures.models import Batch, BatchStatus, Kind
from disclosures.parsed import ParsedBatch, ParsedUpload
from disclosures.services import stage_upload


@pytest.fixture
def portal(app, township_tree, make_user):
    """A portal with published ledgers and a subsidy roster (ID numbers encrypted) in two villages,
    a complaint with a photo and its complainant's identity, and a handler who may see it."""
    publish_ledger_row("629901101201")
    publish_ledger_row("629901101201", voucher_no="记-2", amount=Decimal("88.00"))
    publish_ledger_row("629901102201")
    stage_upload(
        ParsedUpload(
            Kind.SUBSIDIES,
            "低保.csv",
            [
                ParsedBatch(
                    "629901101201",
                    Kind.SUBSIDIES,
                    None,
                    [
                        {
                            "row_number": 2,
                            "item": "最低生活保障金",
                            "month": "2026-10",
                            "name": "段凤",
                            "id_number": "340823198705260013",
                            "account": "6217000010001234567",
                            "amount": Decimal("650.00"),
                            "paid_on": date(2026, 10, 15),
                        }
                    ],
                )
            ],
        ),
        uploader=None,
        publish=True,
    )
    filed = file_with_attachments(
        [clean_photo(png_bytes())],
        village=db.session.get(Region, "629901101201"),
        category=Category.FUNDS,
        text="修路款去向不明",
        channel=Channel.WEB,
        identity=Identity("段凤", "13800138000"),
    )
    make_user("clerk", "handler", ["629901101000"])
    case = db.session.scalar(select(Complaint).where(Complaint.code == filed.code))
    return {
        "attachment": case.attachments[0].token,
        "file": f"{AREA}/{case.attachments[0].stored_name}",
        "case": case.code,
    }


@pytest.fixture
def empty_database(databases, tmp_path):
    """A database nobody has migrated yet, as `createdb` or a new file path leaves it."""
    uri = databases.create_empty(tmp_path)
    yield uri
    databases.drop(uri)


def rows_of_every_table(application) -> dict[str, list]:
    with application.app_context(), db.engine.connect() as connection:
        names = sorted(set(inspect(connection).get_table_names()) - {"alembic_version"})
        return {
            name: [tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))]
            for name in names
        }


def files_under(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def invoke(application, *args):
    # with_appcontext keeps an app context already pushed (the test's own app): push this one.
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args))


@pytest.mark.parametrize("target", ["never migrated", "migrated and empty"])
def test_a_backup_restored_into_an_empty_database_has_the_same_rows_files_and_chains(
    app, portal, make_app, empty_database, databases, tmp_path, target
):
    archive = tmp_path / "cunwu.tar"
    made = invoke(app, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert "备份完成" in made.output and "不含密钥" in made.output
    packed = archive.read_bytes()
    assert not any(app.config[name].encode() in packed for name in SECRET_NAMES), "a key went into the backup"
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    heads = db.session.execute(
        select(Batch.village_code, Batch.content_hash)
        .where(Batch.status == BatchStatus.PUBLISHED)
        .order_by(Batch.village_code, Batch.sequence)
    ).all()
    assert {village: head["hash"] for village, head in manifest["chain_heads"].items()} == dict(heads)
    assert manifest["tables"]["complaints"] == 1 and manifest["tables"]["subsidy_payments"] == 1
    assert list(manifest["uploads"]) == [portal["file"]]

    migrated = tmp_path / "migrated"
    migrated.mkdir()
    uri = empty_database if target == "never migrated" else databases.create(migrated)
    restored_app = make_app(uri, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    restored = invoke(restored_app, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert "与清单一致" in restored.output

    before, after = rows_of_every_table(app), rows_of_every_table(restored_app)
    restore_entries = [row for row in after.pop("audit_entries") if "system.restore" in row]
    assert len(restore_entries) == 1  # the restored log says a restore happened
    before.pop("audit_entries")
    assert after == before
    assert files_under(tmp_path / "restored-uploads") == files_under(tmp_path / "uploads")
    verified = invoke(restored_app, "disclosures", "verify")
    assert verified.exit_code == 0 and "哈希链完好：2个村" in verified.output
    # The photo is served from the restored portal to the handler who may see the case.
    client = signed_in_client(restored_app, "clerk")
    photo = client.get(f"/track/attachments/{portal['attachment']}")
    assert photo.status_code == 200 and photo.data == (tmp_path / "uploads" / portal["file"]).read_bytes()
    if target == "migrated and empty":
        databases.drop(uri)


def test_restore_refuses_a_database_holding_data_unless_forced(app, portal, tmp_path):
    archive = tmp_path / "cunwu.tar"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    later = file_with_attachments(
        [],
        village=db.session.get(Region, "629901101202"),
        category=Category.FUNDS,
        text="备份之后的反映",
        channel=Channel.WEB,
        identity=None,
    )
    db.session.remove()
    refused = invoke(app, "restore", str(archive))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert db.session.scalar(select(Complaint.code).where(Complaint.code == later.code)) == later.code
    db.session.remove()  # as a stopped portal would: no transaction left open on the tables
    forced = invoke(app, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    assert db.session.scalars(select(Complaint.code)).all() == [portal["case"]]
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "system.restore")).all() == [
        "system.restore"
    ]


def _retarred(archive: Path, out: Path, change) -> None:
    with tarfile.open(archive) as source, tarfile.open(out, "w") as target:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))


def test_restore_refuses_an_altered_archive_and_changes_nothing(app, portal, make_app, empty_database, tmp_path):
    archive = tmp_path / "cunwu.tar"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    altered = tmp_path / "altered.tar"
    _retarred(archive, altered, lambda name, data: data[:-1] + b"!" if name.startswith("uploads/") else data)
    target = make_app(empty_database, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    refused = invoke(target, "restore", str(altered))
    assert refused.exit_code == 1 and "已损坏或被改动" in refused.output
    with target.app_context(), db.engine.connect() as connection:
        assert inspect(connection).get_table_names() == []
    assert files_under(tmp_path / "restored-uploads") == {} if (tmp_path / "restored-uploads").exists() else True


def test_restore_warns_when_the_keys_are_not_those_of_the_backup(app, portal, make_app, databases, tmp_path):
    archive = tmp_path / "cunwu.tar"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    old = app.config["DATA_ENCRYPTION_KEY"]
    for case, key, warned in (
        ("other", "a-different-key-0123456789", True),
        ("rotated", f"k2:new-key-0123456789,k1:{old}", False),
    ):
        (tmp_path / case).mkdir()
        uri = databases.create(tmp_path / case)
        target = make_app(uri, UPLOAD_DIR=str(tmp_path / case / "uploads"), DATA_ENCRYPTION_KEY=key)
        restored = invoke(target, "restore", str(archive))
        assert restored.exit_code == 0, restored.output
        assert ("DATA_ENCRYPTION_KEY 不是备份时的密钥" in restored.output) is warned, (case, restored.output)
        assert "ID_HMAC_KEY" not in restored.output
        databases.drop(uri)


def test_a_backup_never_overwrites_a_file_nor_guesses_a_folder(app, portal, tmp_path):
    archive = tmp_path / "cunwu.tar"
    archive.write_bytes(b"yesterday's backup")
    refused = invoke(app, "backup", str(archive))
    assert refused.exit_code == 1 and "已存在" in refused.output
    assert archive.read_bytes() == b"yesterday's backup"
    nowhere = invoke(app, "backup", str(tmp_path / "no-such-folder" / "cunwu.tar"))
    assert nowhere.exit_code == 1 and "不存在" in nowhere.output


def test_postgresql_tools_older_than_the_server_are_refused_by_name():
    require_tool("pg_dump")
    with pytest.raises(BackupError, match="postgresql-client-99"):
        postgres.tool("pg_dump", 99)


@pytest.fixture
def source_store(request, app):
    app.config["UPLOAD_STORE"] = request.param
    return request.param


@pytest.mark.parametrize(
    "source_store, target_store",
    [("database", "database"), ("database", "local"), ("local", "database")],
    indirect=["source_store"],
)
def test_a_backup_moves_files_between_the_local_and_the_database_store(
    app, source_store, portal, make_app, databases, tmp_path, target_store
):
    """The archive holds every file as area/name whichever store kept it, so a restore fills the
    store the restored portal is configured with (the way from one server to several hosts)."""
    archive = tmp_path / "cunwu.tar"
    assert invoke(app, "backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:
        assert list(json.loads(tar.extractfile("manifest.json").read())["uploads"]) == [portal["file"]]
        original = tar.extractfile(f"uploads/{portal['file']}").read()
    migrated = tmp_path / "migrated"
    migrated.mkdir()
    uri = databases.create(migrated)
    restored_app = make_app(uri, UPLOAD_STORE=target_store, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
    restored = invoke(restored_app, "restore", str(archive))
    assert restored.exit_code == 0 and "与清单一致" in restored.output, restored.output
    on_disk = files_under(tmp_path / "restored-uploads")
    assert on_disk == ({portal["file"]: original} if target_store == "local" else {})
    client = signed_in_client(restored_app, "clerk")
    assert client.get(f"/track/attachments/{portal['attachment']}").data == original
    databases.drop(uri)
