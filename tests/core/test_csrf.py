"""CSRF tokens masked per response (core/csrf.py): every printed token differs, every one of a
session validates, and anything else is refused, on every way a token comes back."""

from werkzeug.datastructures import MultiDict

from core.csrf import mask, unmask
from core.forms import ConfirmForm


def flip(token: str) -> str:
    return token[:10] + ("A" if token[10] != "A" else "B") + token[11:]


def test_a_masked_token_unmasks_to_itself_and_never_repeats():
    token = "ImFiYzEyMyI.Z3x8qA.3x-signature_part"
    masked = {mask(token) for _ in range(50)}
    assert len(masked) == 50 and {unmask(m) for m in masked} == {token}
    assert not any("." in m or "=" in m or token in m for m in masked)
    assert unmask(token) == token  # printed before masking: passed on for Flask-WTF to check
    for junk in ("", None, "abc", "!!!!", flip(mask(token))):
        assert unmask(junk) != token


def test_a_form_checks_the_masked_token_itself_where_csrf_protect_did_not(app):
    with app.test_request_context("/", method="POST"):
        printed = [ConfirmForm().csrf_token.current_token for _ in range(2)]
        assert printed[0] != printed[1] and "." not in printed[0]
        for token in printed:
            assert ConfirmForm(formdata=MultiDict({"csrf_token": token})).validate()
        for token in (flip(printed[0]), unmask(flip(printed[0])), "", mask("ImFiYyI.Z3x8qA.x")):
            form = ConfirmForm(formdata=MultiDict({"csrf_token": token}))
            assert not form.validate() and form.csrf_token.errors


def test_pages_and_the_kiosks_token_request_print_masked_tokens(client, township_tree):
    tokens = [client.get("/kiosk/reset").json["token"] for _ in range(2)]
    assert tokens[0] != tokens[1] and "." not in tokens[0]
    assert client.post("/kiosk/reset", headers={"X-CSRFToken": tokens[0]}).status_code == 204
    assert client.post("/kiosk/reset", headers={"X-CSRFToken": flip(tokens[1])}).status_code == 400
    # A form's own field ({{ form.csrf_token }}) prints masked too (csrf_token(): the complaint form).
    for path in ("/staff/login", "/track"):
        first, second = (client.get(path).text for _ in range(2))
        token = first.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        assert "." not in token and token not in second
