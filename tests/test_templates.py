"""House rules for templates: a page asks the permission helpers what a user may do, as the
routes do, instead of naming roles (a role check copied into a template drifts from the route's)."""

import re

from support import REPO

ROLE_TEST = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|\brole\s*==")


def test_no_template_decides_by_role_name():
    pages = [
        path
        for path in REPO.rglob("*.html")
        if "templates" in path.parts and not {".venv", "node_modules"} & set(path.parts)
    ]
    assert len(pages) > 50
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in pages
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_TEST.search(line)
    ]
    assert offenders == []


def test_field_messages_come_from_the_one_macro():
    # templates/_fields.html gives them the id the field's aria-describedby names.
    by_hand = re.compile(r'\.errors %}\s*<p class="field-error"')
    offenders = [
        str(path.relative_to(REPO))
        for path in REPO.rglob("*.html")
        if "templates" in path.parts
        and not {".venv", "node_modules"} & set(path.parts)
        and path.name != "_fields.html"
        and by_hand.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
