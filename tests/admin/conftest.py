"""The back office's staff: `people` is everyone a case page deals with; a test file that needs
fewer (or others) overrides it with make_people(…)."""

import pytest


@pytest.fixture
def people(make_people):
    return make_people("lead", "handler", "colleague", "far", "accountant", "reviewer", "admin")
