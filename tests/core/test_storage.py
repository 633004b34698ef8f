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
