"""我的补贴: exact name + ID pairs only, 未查到 for everything else, throttled, nothing echoed."""

import re
import secrets
from decimal import Decimal

import pytest

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def ask(client):
    """ask(name, id_number, **environ) → the response to a lookup posted from the form."""

    def post(name, number, address="198.51.100.7"):
        form = client.get("/lookup", environ_base={"REMOTE_ADDR": address})
        token = TOKEN.search(form.text).group(1)
        return client.post(
            "/lookup",
            data={"name": name, "id_number": number, "csrf_token": token},
            environ_base={"REMOTE_ADDR": address},
        )

    return post


def result(response) -> str:
    """The result section only (the form below it is the same on every page)."""
    return response.text.split('id="result-heading">')[1].split("</section>")[0]


def test_exact_pair_lists_every_payment_with_a_report_link(ask, seeded, people):
    name, number, account = people["zhang"]
    response = ask(name, number)
    assert response.status_code == 200
    found = result(response)
    assert "共查到 2 笔" in found
    assert "最低生活保障金" in found and "500.00" in found and "2025-02-10" in found
    assert "耕地地力保护补贴" in found and "120.50" in found and "青山村" in found
    ids = {p.id for p in seeded["roster"] if p.name == "张三"}
    links = set(
        map(int, re.findall(r'/complain\?village=629901101201&amp;item=subsidies:(\d+)">我没有收到这笔钱', found))
    )
    assert links == ids
    assert number not in response.text and number[:6] not in response.text and account not in response.text
    assert name not in response.text  # not even the name is echoed back
    assert response.headers["Cache-Control"] == "no-store"
    assert number not in response.headers.get("Set-Cookie", "")


def test_namesakes_see_only_their_own_payment(ask, seeded, people):
    name, number, _ = people["wang2"]
    found = result(ask(name, number))
    assert "共查到 1 笔" in found and "620.00" in found


@pytest.fixture
def li_si(seeded, publish_rows) -> str:
    """李四, paid once, whose ID number ends in X; the number."""
    number = "11010119800101003X"
    publish_rows(
        "subsidies",
        [
            {
                "item": "高龄津贴",
                "month": "2025-02",
                "name": "李四",
                "id_number": number,
                "amount": Decimal("100.00"),
                "paid_on": seeded["roster"][0].paid_on,
            }
        ],
    )
    return number


def test_lower_case_x_and_spaces_are_forgiven_but_nothing_else(ask, li_si):
    number = li_si
    assert "共查到 1 笔" in result(ask(" 李四 ", number.lower()))
    assert "共查到 1 笔" in result(ask("李 四", number))  # padding is no part of a name
    assert "未查到" in result(ask("李五", number)) and "未查到" in result(ask("李", number))


@pytest.mark.parametrize("case", ["wrong name", "wrong id", "both wrong", "namesake with other id"])
def test_any_mismatch_says_only_not_found(ask, seeded, people, case):
    name, number, _ = people["zhang"]
    other_name, other_number, _ = people["ouyang"]
    pair = {
        "wrong name": (other_name, number),
        "wrong id": (name, other_number),
        "both wrong": ("赵六", "110101199001011237"),
        "namesake with other id": ("王小明", number),
    }[case]
    response = ask(*pair)
    found = result(response)
    assert "未查到" in found and "共查到" not in found
    # Nothing says which half was wrong: every mismatch gives the same words.
    assert re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", found)) == "查询结果未查到请核对后再试。"


def test_superseded_and_withdrawn_payments_are_not_found(ask, seeded, people, publish_rows):
    first, second = seeded["roster"][0], seeded["roster"][4]  # 张三's two payments
    publish_rows(
        "subsidies",
        [publish_rows.correction(first, amount=Decimal("450.00")), publish_rows.correction(second, withdrawn=True)],
        reason="更正",
    )
    found = result(ask(*people["zhang"][:2]))
    assert "共查到 1 笔" in found and "450.00" in found and "500.00" not in found
    assert "耕地地力保护补贴" not in found


def test_an_empty_field_is_refused_and_the_other_kept_to_finish(client, ask, seeded, people):
    response = ask("", people["zhang"][1])
    assert response.status_code == 400 and "请填写姓名" in response.text
    assert field_value(response, "id") == people["zhang"][1]  # this page is no-store (checked above)


def test_post_needs_the_csrf_token(client, seeded, people):
    response = client.post("/lookup", data={"name": "张三", "id_number": people["zhang"][1]})
    assert response.status_code == 400


def test_throttled_per_address(ask, client, seeded, people):
    for n in range(10):  # other names each time: the per-name count is another test's
        client.set_cookie("device", secrets.token_hex(16))  # a fresh device every time
        assert ask(f"路人{n}", "110101199001011237").status_code == 200
    client.set_cookie("device", secrets.token_hex(16))
    response = ask("张三", people["zhang"][1])
    assert response.status_code == 429 and "太频繁" in response.text
    assert people["zhang"][1] not in response.text
    # Another address is not held back by this one.
    assert ask("张三", people["zhang"][1], address="203.0.113.9").status_code == 200


def test_throttled_per_device_cookie(ask, client, seeded, people):
    client.get("/lookup")
    assert len(client.get_cookie("device").value) == 32
    for n in range(10):
        assert ask(f"路人{n}", "110101199001011237", address=f"203.0.113.{n + 1}").status_code == 200
    response = ask("张三", people["zhang"][1], address="203.0.113.99")
    assert response.status_code == 429 and "太频繁" in response.text


def test_lookup_page_explains_and_has_an_empty_form(client, seeded):
    response = client.get("/lookup")
    assert response.status_code == 200 and "姓名和身份证号都完全一致" in response.text
    id_input = re.search(r'<input[^>]*name="id_number"[^>]*>', response.text).group(0)
    assert "value=" not in id_input


def fresh_device_ask(ask, client):
    """ask() from a new phone at a new address each time, as a guesser rotating both would."""
    counter = iter(range(1, 10_000))

    def post(name, number):
        n = next(counter)
        client.set_cookie("device", secrets.token_hex(16))
        return ask(name, number, address=f"10.{n // 250}.{n % 250}.1")

    return post


REFUSED = "今天不能再查了"


def test_misses_for_one_name_are_limited_across_addresses(ask, client, seeded, people):
    name, number, _ = people["zhang"]
    rotate = fresh_device_ask(ask, client)
    guesses = [f"11010119800101{n:03d}" + "X" for n in range(10)]
    for guess in guesses:  # ten misses, each from another address and phone
        response = rotate(name, guess)
        assert response.status_code == 200 and "未查到" in result(response)
    refused = rotate(name, number)  # the right number now confirms nothing
    assert refused.status_code == 429 and REFUSED in refused.text and "当面查询" in refused.text
    assert "共查到" not in refused.text and number not in refused.text
    # Other names are not held back.
    assert "共查到 1 笔" in result(rotate(*people["ouyang"][:2]))


def test_misses_in_one_village_are_limited(app, ask, client, seeded, people):
    app.config["LOOKUP_MISSES_PER_VILLAGE"] = "3 per day"
    rotate = fresh_device_ask(ask, client)
    for who in ("zhang", "wang", "ouyang"):  # three names of 青山村, one wrong guess each
        assert "未查到" in result(rotate(people[who][0], "110101199001011237"))
    assert REFUSED in rotate(*people["wang2"][:2]).text  # 青山村 waits for tomorrow
    # A name no village lists is not covered by 青山村's count.
    assert "未查到" in result(rotate("赵六", "110101199001011237"))


def test_the_county_budget_stops_lookups_and_alerts_administrators(
    app, ask, client, seeded, people, make_user, login, monkeypatch
):
    import admin.lookup_alerts as alerts
    from core.audit import AuditEntry
    from core.extensions import db

    sent = []

    class FakeSmtp:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr(alerts, "_connect", lambda server: FakeSmtp())
    app.config.update(LOOKUP_MISSES_PER_COUNTY="4 per day", SMTP_URL="smtp://mail.test:25")
    make_user("root", "admin").email = "root@example.gov.cn"
    db.session.commit()
    rotate = fresh_device_ask(ask, client)
    for n in range(4):
        assert "未查到" in result(rotate(f"路人{n}", "110101199001011237"))
    assert REFUSED in rotate(*people["zhang"][:2]).text
    assert REFUSED in rotate(*people["ouyang"][:2]).text
    alerts_logged = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "lookup.budget_spent")).all()
    assert len(alerts_logged) == 1  # once, not once per refused lookup
    assert alerts_logged[0].address == "" and alerts_logged[0].actor_id is None  # no villager's address
    assert len(sent) == 1 and sent[0]["To"] == "root@example.gov.cn" and "查询次数已用完" in sent[0]["Subject"]
    login("root")
    assert "全县查询次数已用完" in client.get("/admin/").text


def test_every_miss_does_the_same_work(app, ask, client, seeded, people):
    """A miss for a listed name and one for a name nobody carries run the same statements, so the
    time taken says nothing about whether the name is on a list."""
    from sqlalchemy import event

    from core.extensions import db

    rotate = fresh_device_ask(ask, client)
    counts = []
    for name in ("张三", "赵六"):
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731, B023 (listened to and removed within the loop)
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            response = rotate(name, "110101199001011237")
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert "未查到" in result(response)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_spaces_full_width_digits_and_a_lower_case_x_are_forgiven(ask, li_si):
    number = li_si
    grouped = "110101 19800101 003x"  # as the card prints it, typed with a lower-case x
    full_width = number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    spaced_ideographic = "１１０１０１\u300019800101\u3000003X"  # the full-width space of a Chinese keyboard
    for typed in (grouped, full_width, spaced_ideographic):
        assert "共查到 1 笔" in result(ask("李四", typed)), typed


def field_value(response, field: str) -> str:
    tag = re.search(rf'<input id="lookup-{field}"[^>]*>', response.text).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def test_a_miss_keeps_what_was_typed_to_correct_it(ask, seeded, people):
    name, number, _ = people["zhang"]
    missed = ask(name, number[:-1] + "0")
    assert "未查到" in result(missed)
    assert field_value(missed, "name") == name and field_value(missed, "id") == number[:-1] + "0"
    found = ask(name, number)
    assert "共查到" in result(found)
    assert field_value(found, "name") == "" and field_value(found, "id") == ""


def test_a_kiosk_keeps_the_name_after_a_miss_but_never_the_id_number(client, ask, seeded, people):
    client.get("/kiosk/629901101000")
    name, number, _ = people["zhang"]
    missed = ask(name, number[:-1] + "0")
    assert "未查到" in result(missed)
    assert field_value(missed, "name") == name and field_value(missed, "id") == ""
    assert number[:-1] not in missed.text


def test_with_redis_unreachable_misses_are_still_counted(make_app, database_uri, seeded, people):
    # Redis down: each worker counts the misses in its own memory; no 500, and the brake holds.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    client = make_app(
        database_uri, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}/0", PROPAGATE_EXCEPTIONS=False
    ).test_client()

    def ask(name, number, address):
        form = client.get("/lookup", environ_base={"REMOTE_ADDR": address})
        return client.post(
            "/lookup",
            data={"name": name, "id_number": number, "csrf_token": TOKEN.search(form.text).group(1)},
            environ_base={"REMOTE_ADDR": address},
        )

    rotate = fresh_device_ask(ask, client)
    name, number, _ = people["zhang"]
    for n in range(10):
        response = rotate(name, f"11010119800101{n:03d}X")
        assert response.status_code == 200 and "未查到" in result(response)
    refused = rotate(name, number)
    assert refused.status_code == 429 and REFUSED in refused.text
