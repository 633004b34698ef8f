"""core/storage: the same five operations on the local folder (the default) and on the database."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from core import storage
from core.db import utcnow
from core.extensions import db
from core.storage.database import StoredFile


@pytest.fixture(params=["local", "database"])
def store(request, app):
    app.config["UPLOAD_STORE"] = request.param
    return request.param


def test_save_load_delete(store):
    token = storage.save("staging", b"abc")
    assert storage.load("staging", token) == b"abc" and storage.exists("staging", token)
    storage.delete("staging", token)
    assert not storage.exists("staging", token)
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)
    storage.delete("staging", token)  # gone already: nothing to do


@pytest.mark.parametrize("token", ["../secrets.json", "a/b", "", "..", "x.y"])
def test_tokens_cannot_leave_the_folder(store, token):
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)
    assert not storage.exists("staging", token)
    with pytest.raises(FileNotFoundError):
        storage.put("staging", token, b"x")


def test_put_replaces_and_everything_lists_each_area(store):
    storage.put("staging", "kept", b"old")
    storage.put("staging", "kept", b"new")
    photo = storage.save("attachments", b"photo")
    assert storage.load("staging", "kept") == b"new"
    assert list(storage.everything()) == [("attachments", photo), ("staging", "kept")]


def test_stale_names_are_those_stored_before_the_age(app, store):
    old, young = storage.save("staging", b"old"), storage.save("staging", b"young")
    if store == "local":
        os.utime(Path(app.config["UPLOAD_DIR"]) / "staging" / old, (time.time() - 7200,) * 2)
    else:
        db.session.execute(
            update(StoredFile).where(StoredFile.name == old).values(created_at=utcnow() - timedelta(hours=2))
        )
        db.session.commit()
    assert storage.stale_names("staging", timedelta(hours=1)) == [old]
    assert storage.stale_names("staging", timedelta(seconds=-60)) == sorted([old, young])


def test_the_database_store_writes_apart_from_the_callers_transaction(app):
    """A file is there once saved, whatever the caller's session does next (as a file on disk)."""
    app.config["UPLOAD_STORE"] = "database"
    name = storage.save("attachments", b"photo")
    db.session.execute(update(StoredFile).values(size=0))  # the caller's own work, then its failure
    db.session.rollback()
    assert storage.load("attachments", name) == b"photo"
    assert db.session.get(StoredFile, ("attachments", name)).size == len(b"photo")


def test_local_store_keeps_todays_paths(app):
    name = storage.save("attachments", b"photo")
    assert (Path(app.config["UPLOAD_DIR"]) / "attachments" / name).read_bytes() == b"photo"


def test_an_unknown_store_is_refused_at_start(make_app, database_uri):
    with pytest.raises(ValueError, match="UPLOAD_STORE"):
        make_app(database_uri, UPLOAD_STORE="s3")


@pytest.mark.parametrize("token", ["长" * 300, "x" * 300])
def test_a_token_too_long_or_not_ascii_is_one_that_is_not_there(app, token):
    # The OS refused such a name with OSError (File name too long), a 500 from the cancel button.
    with pytest.raises(FileNotFoundError):
        storage.load("staging", token)
    storage.delete("staging", token)
