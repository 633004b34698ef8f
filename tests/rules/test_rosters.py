"""Reference rosters: the command line and the web upload, versions, sealed ID numbers, and who
may see them (commission staff only, every look audited)."""

import pytest
from rule_rows import V1, person, upload_roster as upload
from sqlalchemy import select
from support import csrf_from

from core.extensions import db

A, B = person(1), person(2)
DECEASED = f"姓名,身份证号,死亡日期\n张三,{A},2025-04-14\n李四,{B},2025年5月3日\n"


def test_command_line_import_replaces_the_version_and_keeps_the_old_one(cli, county, tmp_path):
    from rules.rosters.models import DeceasedPerson, RosterVersion

    first, second = tmp_path / "d1.csv", tmp_path / "d2.csv"
    first.write_text(DECEASED, encoding="utf-8")
    second.write_text(f"姓名,身份证号,死亡日期,备注\n张三,{A},2025-04-14,\n", encoding="gbk")
    assert cli.invoke(args=["rosters", "import", "deceased", str(first)]).exit_code == 0
    result = cli.invoke(args=["rosters", "import", "deceased", str(second)])
    assert result.exit_code == 0 and "导入1行" in result.output
    old, new = db.session.scalars(select(RosterVersion).order_by(RosterVersion.id)).all()
    assert (old.is_current, old.row_count, old.replaced_at is not None) == (False, 2, True)
    assert (new.is_current, new.row_count) == (True, 1)
    stored = db.session.scalar(select(DeceasedPerson).where(DeceasedPerson.version_id == new.id))
    assert A not in stored.id_cipher and stored.died_month == "2025-04"
    from core.fields import field_cipher

    assert stored.id_hash == field_cipher().lookup_hash(A)


def test_a_bad_roster_is_rejected_whole_with_row_errors(cli, county, tmp_path):
    from rules.rosters.models import RosterVersion

    bad = tmp_path / "cadres.csv"
    bad.write_text(
        "村代码,姓名,身份证号,职务,关联干部身份证号,关系\n"
        f"{V1},甲,{A},村委会主任,,本人\n{V1},乙,{B},,{person(9)},配偶\n{V1},丙,123,,,本人\n",
        encoding="utf-8",
    )
    result = cli.invoke(args=["rosters", "import", "cadres", str(bad)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"第3行 关联干部身份证号「{person(9)}」：本文件中没有这位同村的村干部（关系为本人的行）" in lines
    assert "第4行 身份证号「123」：身份证号应为18位" in lines
    assert "第4行 职务「」：村干部本人应填写职务" in lines
    assert lines[-1] == "共3处错误"
    assert db.session.scalar(select(RosterVersion.id)) is None


def test_web_upload_previews_then_imports(client, county, make_user, login):
    from rules.rosters.models import RosterVersion

    make_user("guanli", role="admin")
    login("guanli")
    preview = upload(client, "deceased", DECEASED)
    assert preview.status_code == 200 and "共 2 行" in preview.text
    assert A not in preview.text and A[:6] + "********" + A[-4:] in preview.text
    assert db.session.scalar(select(RosterVersion.id)) is None  # nothing before the confirmation
    token = csrf_from(preview.text)
    fields = dict(__import__("re").findall(r'name="(token|filename|kind)"[^>]*value="([^"]*)"', preview.text))
    done = client.post("/admin/rosters/confirm", data={"csrf_token": token, **fields})
    assert done.status_code == 302
    version = db.session.scalar(select(RosterVersion))
    assert (version.kind, version.row_count, version.is_current) == ("deceased", 2, True)

    rejected = upload(client, "deceased", "姓名,身份证号\n张三,1\n")
    assert rejected.status_code == 422 and "死亡日期" in rejected.text and "整个文件都没有导入" in rejected.text


@pytest.mark.parametrize(
    "role, regions, lead, status",
    [
        ("accountant", [V1], False, 403),
        ("reviewer", ["629901101000"], False, 403),
        ("handler", ["629901000000"], False, 403),
        ("handler", ["629901101000"], True, 403),
        ("inspector", ["629901000000"], False, 403),
        ("handler", ["629901000000"], True, 200),
        ("admin", [], False, 200),
    ],
)
def test_only_commission_staff_see_rosters_and_each_look_is_audited(
    client, county, make_user, login, roster, role, regions, lead, status
):
    from core.audit import AuditEntry

    version = roster("deceased", DECEASED)
    make_user("someone", role=role, regions=regions, is_lead=lead)
    login("someone")
    # The menu offers the page to exactly those who may open it (a county lead too).
    assert ('href="/admin/rosters"' in client.get("/admin/").text) == (status == 200)
    assert client.get("/admin/rosters").status_code == status
    page = client.get(f"/admin/rosters/{version.id}")
    assert page.status_code == status
    views = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.view")).all()
    if status == 200:
        assert "张三" in page.text and A not in page.text
        assert [(entry.actor_name, entry.target_id) for entry in views] == [("someone", str(version.id))]
    else:
        assert "张三" not in page.text and views == []


def test_the_public_finds_no_roster(client, county, roster):
    version = roster("deceased", DECEASED)
    assert client.get(f"/admin/rosters/{version.id}").status_code == 302  # to the staff login
    for path in ("/rosters", f"/rosters/{version.id}", "/deceased"):
        assert client.get(path).status_code == 404
    assert "张三" not in client.get(f"/village/{V1}").text
