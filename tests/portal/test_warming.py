"""After a publication the first villager does not pay for the render (issue 16): the village's
busiest pages are rendered in the background into the page cache that every worker shares."""

import gzip
import io
import re

import pytest
from support import csrf_from

from portal import disclosure_views

V = "629901101201"
LEDGER = (
    "村代码,日期,凭证号,收支,科目,摘要,金额,对方单位,关联编号\n"
    f"{V},2026-10-05,记2026-0001,支出,管理费用,办公用品,120.50,青川县商店,\n"
)
PHONE = {"Accept-Encoding": "gzip, deflate"}


@pytest.fixture
def staff(township_tree, make_user):
    make_user("kuaiji", "accountant", [V])
    make_user("shenhe", "reviewer", ["629901101000"])


def publish_on_the_web(client, login) -> None:
    """An accountant uploads a month, a reviewer approves it: as in production."""
    login("kuaiji")
    preview = client.post(
        "/disclosures/upload",
        data={
            "csrf_token": csrf_from(client.get("/disclosures/").text),
            "kind": "ledger",
            "period": "2026-10",
            "file": (io.BytesIO(LEDGER.encode("gbk")), "10月.csv"),
        },
        content_type="multipart/form-data",
    )
    fields = dict(re.findall(r'name="(token|filename|kind|period|csrf_token)"[^>]*value="([^"]*)"', preview.text))
    assert client.post("/disclosures/upload/confirm", data=fields).status_code == 302
    client.post("/staff/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    login("shenhe")
    batch_id = re.search(r"/disclosures/batches/(\d+)", client.get("/disclosures/").text).group(1)
    page = client.get(f"/disclosures/batches/{batch_id}")
    answer = client.post(
        f"/disclosures/batches/{batch_id}/review", data={"csrf_token": csrf_from(page.text), "decision": "approve"}
    )
    assert answer.status_code == 302


def no_rendering(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("rendered on a villager's request")

    monkeypatch.setattr(disclosure_views, "render_template", refuse)


def test_publishing_warms_the_village_pages_for_every_worker(
    app, client, staff, login, make_app, database_uri, monkeypatch
):
    app.config["PORTAL_WARM_AFTER_PUBLISH"] = True
    publish_on_the_web(client, login)
    threads = app.extensions["background_threads"]
    assert len(threads) == 1
    threads[0].join(timeout=60)
    # Another worker, started after the publication, renders nothing: every page is ready.
    no_rendering(monkeypatch)
    villager = make_app(database_uri).test_client()
    for path in (f"/r/{V}", f"/r/{V}/ledger", f"/r/{V}/subsidies"):
        response = villager.get(path, headers=PHONE)
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip", path
        assert "青山村" in gzip.decompress(response.data).decode(), path
    assert "办公用品" in gzip.decompress(villager.get(f"/r/{V}/ledger", headers=PHONE).data).decode()


def test_without_warming_the_first_villager_renders(app, client, staff, login, make_app, database_uri, monkeypatch):
    # The control for the test above: the cache really was empty until the warm-up filled it.
    publish_on_the_web(client, login)
    assert "background_threads" not in app.extensions
    no_rendering(monkeypatch)
    with pytest.raises(AssertionError, match="rendered on a villager's request"):
        make_app(database_uri).test_client().get(f"/r/{V}", headers=PHONE)


def test_an_import_from_the_shell_warms_before_it_exits(
    app, cli, township_tree, tmp_path, make_app, database_uri, monkeypatch
):
    app.config["PORTAL_WARM_AFTER_PUBLISH"] = True
    source = tmp_path / "ledger.csv"
    source.write_text(LEDGER, encoding="utf-8")
    result = cli.invoke(args=["disclosures", "import", "ledger", str(source), "--publish"])
    # The command's own summary still reads its batches: the warm-up ran in a session of its own.
    assert result.exit_code == 0 and "个批次（已公开）" in result.output, result.output
    assert "background_threads" not in app.extensions
    no_rendering(monkeypatch)
    assert make_app(database_uri).test_client().get(f"/r/{V}", headers=PHONE).status_code == 200


def test_with_a_queue_url_the_warm_up_is_an_rq_job_for_the_worker(
    app, cli, township_tree, tmp_path, make_app, database_uri, redis_server, monkeypatch
):
    from rules.jobs import work

    app.config.update(PORTAL_WARM_AFTER_PUBLISH=True, RULES_QUEUE_URL=redis_server)
    source = tmp_path / "ledger.csv"
    source.write_text(LEDGER, encoding="utf-8")
    assert cli.invoke(args=["disclosures", "import", "ledger", str(source), "--publish"]).exit_code == 0
    assert not list((tmp_path / "page-cache").glob("*"))  # queued, not done
    work(redis_server, burst=True)  # what `flask rules worker` does, until the queue is empty
    no_rendering(monkeypatch)
    assert make_app(database_uri).test_client().get(f"/r/{V}", headers=PHONE).status_code == 200
