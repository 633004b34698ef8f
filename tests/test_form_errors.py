"""A field that is wrong says so to a screen reader as well as on screen: aria-invalid on the
control, and aria-describedby naming messages that are on the page (templates/_fields.html)."""

import re

import pytest
from support import csrf_from

INVALID = re.compile(r'<(?:input|textarea|select)\b[^>]*\baria-invalid="true"[^>]*>')


def announced(html: str) -> list[str]:
    """The ids the invalid controls point at; each must exist on the page."""
    controls = INVALID.findall(html)
    assert controls, "no control is marked invalid"
    ids = [name for control in controls for name in re.search(r'aria-describedby="([^"]+)"', control).group(1).split()]
    missing = [name for name in ids if f'id="{name}"' not in html]
    assert missing == [], missing
    return ids


@pytest.mark.parametrize(
    "path, data",
    [
        ("/staff/login", {"username": "", "password": ""}),
        ("/track", {"code": "", "secret": ""}),
        ("/lookup", {"name": "", "id_number": ""}),
    ],
)
def test_a_refused_form_points_each_wrong_field_at_its_message(client, township_tree, path, data):
    page = client.get(path)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    refused = client.post(path, data={**data, "csrf_token": token})
    assert refused.status_code in (400, 422)
    ids = announced(refused.text)
    assert len(ids) == len(data)


def test_the_complaint_form_points_its_wrong_fields_at_the_summary(client, township_tree):
    page = client.get("/complain?village=629901101201")
    ticket = re.search(r'name="ticket" type="hidden" value="([^"]+)"', page.text).group(1)
    refused = client.post(
        "/complain",
        data={
            "csrf_token": csrf_from(page.text),
            "village": "629901101201",
            "ticket": ticket,
            "text": "",
            "identity": "real",
        },
    )
    assert refused.status_code == 422
    assert set(announced(refused.text)) == {"complaint-errors"}
