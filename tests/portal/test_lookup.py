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
        return client.post("/lookup", data={"name": name, "id_number": number, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": address})
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
    links = set(map(int, re.findall(r'/complain\?village=629901101201&amp;item=subsidies:(\d+)">我没有收到这笔钱', found)))
    assert links == ids
    assert number not in response.text and number[:6] not in response.text and account not in response.text
    assert name not in response.text  # not even the name is echoed back
    assert response.headers["Cache-Control"] == "no-store"
    assert number not in response.headers.get("Set-Cookie", "")


def test_namesakes_see_only_their_own_payment(ask, seeded, people):
    name, number, _ = people["wang2"]
    found = result(ask(name, number))
    assert "共查到 1 笔" in found and "620.00" in found


def test_lower_case_x_and_spaces_are_forgiven_but_nothing_else(ask, seeded, people, publish_rows):
    number = "11010119800101003" + "X"
    publish_rows("subsidies", [{"item": "高龄津贴", "month": "2025-02", "name": "李四", "id_number": number,
                                "amount": Decimal("100.00"), "paid_on": seeded["roster"][0].paid_on}])
    assert "共查到 1 笔" in result(ask(" 李四 ", number.lower()))
    assert "共查到 1 笔" in result(ask("李 四", number))     # padding is no part of a name
    assert "未查到" in result(ask("李五", number)) and "未查到" in result(ask("李", number))


@pytest.mark.parametrize("case", ["wrong name", "wrong id", "both wrong", "namesake with other id"])
def test_any_mismatch_says_only_not_found(ask, seeded, people, case):
    name, number, _ = people["zhang"]
    other_name, other_number, _ = people["ouyang"]
    pair = {"wrong name": (other_name, number), "wrong id": (name, other_number),
            "both wrong": ("赵六", "110101199001011237"), "namesake with other id": ("王小明", number)}[case]
    response = ask(*pair)
    found = result(response)
    assert "未查到" in found and "共查到" not in found
    # Nothing says which half was wrong: every mismatch gives the same words.
    assert re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", found)) == "查询结果未查到请核对后再试。"
    assert pair[1] not in response.text


def test_superseded_and_withdrawn_payments_are_not_found(ask, seeded, people, publish_rows):
    first, second = seeded["roster"][0], seeded["roster"][4]  # 张三's two payments
    publish_rows("subsidies", [publish_rows.correction(first, amount=Decimal("450.00")),
                               publish_rows.correction(second, withdrawn=True)], reason="更正")
    found = result(ask(*people["zhang"][:2]))
    assert "共查到 1 笔" in found and "450.00" in found and "500.00" not in found
    assert "耕地地力保护补贴" not in found


def test_empty_fields_are_rejected_without_echo(client, ask, seeded, people):
    response = ask("", people["zhang"][1])
    assert response.status_code == 400 and "请填写姓名" in response.text
    assert people["zhang"][1] not in response.text


def test_post_needs_the_csrf_token(client, seeded, people):
    response = client.post("/lookup", data={"name": "张三", "id_number": people["zhang"][1]})
    assert response.status_code == 400


def test_throttled_per_address(ask, client, seeded, people):
    for _ in range(10):
        client.set_cookie("device", secrets.token_hex(16))  # a fresh device every time
        assert ask("张三", "110101199001011237").status_code == 200
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
        assert ask("张三", "110101199001011237", address=f"203.0.113.{n + 1}").status_code == 200
    response = ask("张三", people["zhang"][1], address="203.0.113.99")
    assert response.status_code == 429 and "太频繁" in response.text


def test_lookup_page_explains_and_has_an_empty_form(client, seeded):
    response = client.get("/lookup")
    assert response.status_code == 200 and "姓名和身份证号都完全一致" in response.text
    id_input = re.search(r'<input[^>]*name="id_number"[^>]*>', response.text).group(0)
    assert "value=" not in id_input
