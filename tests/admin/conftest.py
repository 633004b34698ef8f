"""The back office's staff: `people` is everyone a case page deals with; a test file that needs
fewer (or others) overrides it with make_people(…). `as_user` signs one of them in."""

import pytest
from support import csrf_from, signed_in_client


@pytest.fixture
def people(make_people):
    return make_people("lead", "handler", "colleague", "far", "accountant", "reviewer", "admin")


@pytest.fixture
def as_user(app, people):
    """as_user(name) → a client signed in as that person (each with its own cookies), carrying
    a CSRF token for its posts as `client.token`."""

    def sign_in(name: str):
        client = signed_in_client(app, people[name].username)
        client.token = csrf_from(client.get("/admin/").text)
        return client

    return sign_in
