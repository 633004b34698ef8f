"""core/transaction.py: a refusal half-way through a service leaves nothing behind."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.transaction import atomic, transactional
from core.users.models import Role, User


class Refused(Exception):
    pass


@transactional
def add_then_refuse(username: str) -> None:
    db.session.add(User(username=username, role=Role.ADMIN, password_hash="x"))
    db.session.flush()
    raise Refused


@transactional
def add(username: str) -> User:
    user = User(username=username, role=Role.ADMIN, password_hash="x")
    db.session.add(user)
    return user


def _count(username: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.username == username))


def test_a_refused_service_writes_nothing_even_when_the_caller_commits_later(app):
    with app.app_context():
        with pytest.raises(Refused):
            add_then_refuse("half")
        db.session.commit()  # what a later, unrelated commit in the same request would do
        assert _count("half") == 0


def test_a_service_that_returns_is_committed(app):
    with app.app_context():
        add("whole")
    with app.app_context():
        assert _count("whole") == 1


def test_atomic_rolls_back_the_block_only_when_it_raises(app):
    with app.app_context():
        with pytest.raises(ValueError):
            with atomic():
                db.session.add(User(username="block", role=Role.ADMIN, password_hash="x"))
                db.session.flush()
                raise ValueError
        assert _count("block") == 0
        with atomic():
            db.session.add(User(username="block", role=Role.ADMIN, password_hash="x"))
    with app.app_context():
        assert _count("block") == 1
