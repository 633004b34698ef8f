"""Every GET route, given hostile input — integers past what the database can hold, impossible or
extreme dates, line breaks meant for a header, overlong text — answers with a page or a 4xx,
never a 500, and never sends a header that carries a line break.

The sweep first asks each page once, recording which query parameters the view reads, then gives
each of those parameters, alone, every hostile value (all at once would let the first one refused
hide what the others do), and puts every hostile value in every path segment."""

import re
from urllib.parse import quote

from support import publish_ledger_row
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import AnyConverter, IntegerConverter

HUGE = "99999999999999999999999"  # past SQLite's 64-bit and PostgreSQL's integers
# One value of each kind: tests/test_fuzz_params.py draws more of each in every run (numbers up to
# 2^80 and negative ones, any date or month of years 0 to 9999, any text), so the sweep keeps only
# the boundaries (2^31 for PostgreSQL, 2^63 for SQLite) and the dates that once failed.
HOSTILE = [
    "9223372036854775808",
    "2147483648",
    "ledger:99999999999",  # a questioned item (?item=kind:id) past PostgreSQL's integers
    "0000-01",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "/\r\nX-Injected: 1",
    "%0d%0aX-Injected:%201",
    "x\x00y",
    "长" * 300,
]
VILLAGE = "629901101201"
_read: set[str] = set()


class RecordingArgs(ImmutableMultiDict):
    """request.args that note each name a view asks for."""

    def get(self, key, default=None, type=None):
        _read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _read.add(key)
        return super().__contains__(key)


def _path(rule, segment: str) -> str:
    """The rule's URL with `segment` in every variable part (an `any` part takes its first choice);
    an integer part takes a number, an int-looking segment as it is, else one too big for any id."""
    path = rule.rule
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            value = min(converter.items)
        elif isinstance(converter, IntegerConverter):
            value = segment.lstrip("-") if segment.lstrip("-").isdigit() else HUGE
        else:
            value = segment
        path = re.sub(r"<(?:[^:>]+(?:\([^)]*\))?:)?" + name + ">", lambda _, value=value: value, path)
    return quote(path, safe="/%")


def _failure(client, endpoint: str, path: str, query: dict) -> str | None:
    try:
        response = client.get(path, query_string=query)
    except Exception as error:  # noqa: BLE001  TESTING propagates what a server answers with a 500
        return f"{endpoint} {path} {query!r}: {error!r}"[:300]
    response.close()  # a file sent whole (the favicon) is closed as a server closes it
    injected = "X-Injected" in response.headers or any(
        "\r" in value or "\n" in value for value in response.headers.values()
    )
    if response.status_code >= 500 or injected:
        return f"{endpoint} {path} {query!r}: {response.status_code}"[:300]
    return None


def _parameters_read(client, rules) -> list:
    """For each rule (on a real village and id 1): its path and the query parameters its view reads."""
    read = []
    for rule in rules:
        _read.clear()
        path = _path(rule, "1").replace("/1", f"/{VILLAGE}", 1) if "<code>" in rule.rule else _path(rule, "1")
        client.get(path).close()
        read.append((rule, path, sorted(_read)))
    return read


def test_no_get_route_fails_on_hostile_input(app, township_tree, make_user, client, login):
    app.request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingArgs})
    publish_ledger_row(VILLAGE)  # batch 1, ledger row 1
    make_user("root", "admin")
    login("root")  # an unscoped administrator reaches every page, the public ones included
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]
    parameters = _parameters_read(client, rules)
    failures = []
    for hostile in HOSTILE:
        failures += [_failure(client, rule.endpoint, _path(rule, hostile), {}) for rule in rules if rule.arguments]
        failures += [
            _failure(client, rule.endpoint, path, {name: hostile}) for rule, path, names in parameters for name in names
        ]
    failures = [failure for failure in failures if failure]
    assert not failures, "\n".join(failures)
