import pytest

from core import storage


def test_save_load_delete(app):
    token = storage.save("staging", b"abc")
    assert storage.load("staging", token) == b"abc"
    storage.delete("staging", token)
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)


@pytest.mark.parametrize("token", ["../secrets.json", "a/b", "", "..", "x.y"])
def test_tokens_cannot_leave_the_folder(app, token):
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)


@pytest.mark.parametrize("token", ["长" * 300, "x" * 300])
def test_a_token_too_long_or_not_ascii_is_one_that_is_not_there(app, token):
    # The OS refused such a name with OSError (File name too long), a 500 from the cancel button.
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)
    storage.delete("staging", token)
