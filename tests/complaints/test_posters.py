"""Posters: A4 PDFs in the bundled font, Chinese that renders, and a QR code that reads back as
PUBLIC_BASE_URL + /q/<token>. Poppler tools are skipped when missing, unless CI=true."""

import re
from datetime import date

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select
from support import run_tool, stage_project

from core.extensions import db
from core.regions.models import Region
from complaints.models import InspectionRound
from complaints.qr import project_target, round_target, token_for, village_target
from disclosures.models import Batch

QINGSHAN, SHANGDONG = "629901101201", "629901101202"


@pytest.fixture
def published_project(township_tree):
    return stage_project(QINGSHAN, publish=True)


@pytest.fixture
def admin_client(client, township_tree, make_user, login):
    make_user("admin1", role="admin")
    login("admin1")
    return client


@pytest.fixture
def inspection(township_tree):
    found = InspectionRound(
        name="2026年第三轮巡察",
        team_name="中共青川县委第一巡察组",
        county_code="629901000000",
        starts_on=date(2026, 10, 8),
        ends_on=date(2026, 11, 7),
        villages=[db.session.get(Region, QINGSHAN), db.session.get(Region, SHANGDONG)],
        scope_text="村党组织、村民委员会及其成员，村务监督委员会",
        focus_text="惠民惠农补贴发放\n集体“三资”管理\n村级工程项目建设",
        contact_text="电话：0839-7212388（工作日 8:30–17:30）\n邮政信箱：青川县A001号信箱",
    )
    db.session.add(found)
    db.session.commit()
    return found


def get_pdf(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    return response.data


def check_poster(tmp_path, pdf: bytes, name: str, token: str, texts: list[str]) -> None:
    """One A4 page; every font the bundled one, embedded; the texts there; the QR reads back."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    info = run_tool("pdfinfo", str(path))
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info
    fonts = [line for line in run_tool("pdffonts", str(path)).splitlines()[2:] if line.strip()]
    assert fonts
    for row in fonts:  # name, type, encoding, then emb sub uni: embedded, subset, with a ToUnicode map
        assert re.match(r"[A-Z]{6}\+WQY-MicroHei-Bundled", row) and re.search(r"\syes\s+yes\s+yes\s", row), row
    text = re.sub(r"\s+", "", run_tool("pdftotext", "-enc", "UTF-8", str(path), "-"))
    for expected in texts:
        assert re.sub(r"\s+", "", expected) in text, expected
    run_tool("pdftoppm", "-png", "-r", "110", "-singlefile", str(path), str(tmp_path / name))
    page = Image.open(tmp_path / f"{name}.png").convert("L")
    assert abs(page.width / page.height - 210 / 297) < 0.01
    # Chinese glyphs drawn, not blank boxes: the title band near the top is well inked.
    assert sum(page.crop((0, 0, page.width, page.height // 6)).histogram()[:128]) > 3000
    assert [found.text for found in zxingcpp.read_barcodes(page)] == [f"http://portal.test/q/{token}"]


def test_village_notice_board_header(tmp_path, client, published_project):
    pdf = get_pdf(client, f"/posters/village/{QINGSHAN}.pdf")
    batch = db.session.scalar(select(Batch).where(Batch.village_code == QINGSHAN))
    token = token_for(village_target(QINGSHAN))
    check_poster(
        tmp_path,
        pdf,
        "village",
        token,
        [
            "青川县黄大镇",
            "青山村",
            "村务公开栏",
            "扫码查看本村村务公开、反映问题",
            f"http://portal.test/q/{token}",
            "最新公示指纹",
            batch.fingerprint,
        ],
    )
    get_pdf(client, f"/posters/village/{QINGSHAN}.pdf")
    assert token_for(village_target(QINGSHAN)) == token  # printing again keeps the code


def test_village_without_disclosures_says_so(tmp_path, client, township_tree):
    pdf = get_pdf(client, f"/posters/village/{SHANGDONG}.pdf")
    check_poster(
        tmp_path, pdf, "village-empty", token_for(village_target(SHANGDONG)), ["上东村", "本村尚未在网上公开村务"]
    )


def test_project_sign(tmp_path, client, published_project):
    pdf = get_pdf(client, f"/posters/project/{QINGSHAN}/XM-2026-007.pdf")
    token = token_for(project_target(QINGSHAN, "XM-2026-007"))
    check_poster(
        tmp_path,
        pdf,
        "project",
        token,
        [
            "项目公示牌",
            "青山村组道路硬化工程",
            "XM-2026-007",
            "道路",
            "386,500.00 元",
            "财政衔接资金",
            "青川县路桥建设有限公司",
            "2026年4月1日",
            "2026年9月30日",
        ],
    )


def test_inspection_round_notice(tmp_path, admin_client, inspection):
    pdf = get_pdf(admin_client, f"/admin/rounds/{inspection.id}/notice.pdf")
    token = token_for(round_target(inspection.id))
    check_poster(
        tmp_path,
        pdf,
        "round",
        token,
        [
            "巡察公告",
            "2026年第三轮巡察",
            "中共青川县委第一巡察组",
            "2026年10月8日至2026年11月7日",
            "黄大镇青山村、黄大镇上东村",
            "集体“三资”管理",
            "0839-7212388",
            "扫码反映问题",
            "由县纪委监委受理办理",
        ],
    )


def test_missing_targets_are_404(client, township_tree):
    assert client.get("/posters/village/629901101299.pdf").status_code == 404
    assert client.get("/posters/village/629901101000.pdf").status_code == 404  # a township
    assert client.get(f"/posters/project/{QINGSHAN}/XM-404.pdf").status_code == 404
