"""Every GET route, given generated path segments and query parameters (any Unicode, control
characters, ids past 2^63, dates like 0000-01 and 9999-12-31): a page or a 4xx, never a 500, and
never a header that carries a line break.

The routes come from the app's url_map and the parameters from what each view reads (asked once
on real objects), so a new route or parameter is fuzzed without an entry here. Each parameter
and segment gets a real value (half the time) or a generated one, so that one hostile value does not always hide
what the others do. HYPOTHESIS_PROFILE sets the inputs per route (tests/fuzzing.py);
tests/test_hostile_params.py keeps the fixed sweep of every hostile value on every parameter."""

import re
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st
from support import publish_ledger_row, signed_in_client
from test_route_access import _sample_url
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from fuzzing import (
    INTEGERS,
    SCALARS,
    RecordingMultiDict,
    field_values,
    half_and_half,
    harvest,
    record_parameters,
    save_tally,
    tally,
)

VILLAGE = "629901101201"


def _segments(rule, real: dict[str, str]) -> dict[str, st.SearchStrategy]:
    """For each variable part of the rule: its real value, or a generated one of its kind."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = half_and_half(st.sampled_from(sorted(converter.items)), SCALARS.filter(bool))
        elif isinstance(converter, IntegerConverter):
            values[name] = half_and_half(st.just(real[name]), st.one_of(st.integers(0, 2**80).map(str), INTEGERS))
        else:
            values[name] = half_and_half(st.just(real[name]), SCALARS.filter(bool))
    return values


def _path(rule, values: dict[str, str]) -> str:
    path = rule.rule
    for name, converter in rule._converters.items():
        safe = "/" if isinstance(converter, PathConverter) else ""
        path = re.sub(r"<(?:[^:>]+(?:\([^)]*\))?:)?" + name + ">", lambda _, v=quote(values[name], safe=safe): v, path)
    return path


def test_no_get_route_fails_on_generated_input(app, township_tree, make_user, make_app, database_uri):
    fuzz_app = make_app(database_uri, RATELIMIT_ENABLED=False)
    record_parameters(fuzz_app)
    target = make_user("target", role="handler", regions=["629901000000"])
    make_user("root", "admin")
    row = publish_ledger_row(VILLAGE)
    client = signed_in_client(fuzz_app, "root")  # an administrator sees every page
    rules = [
        rule for rule in sorted(fuzz_app.url_map.iter_rules(), key=lambda rule: rule.endpoint) if "GET" in rule.methods
    ]
    offered: dict[str, set[str]] = {}
    routes = []
    for rule in rules:
        real = _sample_url(fuzz_app, rule, target.id, row)
        RecordingMultiDict.read.clear()
        with client.get(real) as response:
            if response.mimetype == "text/html":
                harvest(response.text, offered)
        _, parts = fuzz_app.url_map.bind("portal.test").match(real.split("?")[0])
        routes.append((rule, {name: str(value) for name, value in parts.items()}, sorted(RecordingMultiDict.read)))
    failures = []
    for rule, real, names in routes:
        try:
            _fuzz(client, rule, real, names, offered)
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0][:400])
            save_tally(failures[-1:])
        save_tally([])  # route by route, so that a bench stopped early keeps what it ran
    assert not failures, "\n".join(failures)


def _fuzz(client, rule, real: dict[str, str], names: list[str], offered) -> None:
    @given(
        st.fixed_dictionaries(_segments(rule, real)),
        st.fixed_dictionaries({}, optional={name: field_values(name, offered) for name in names}),
    )
    def get(segments, query):
        tally(f"route {rule.endpoint}")
        path = _path(rule, segments)
        try:
            response = client.get(path, query_string=query)
        except Exception as error:  # noqa: BLE001  TESTING propagates what a server answers with a 500
            raise AssertionError(f"{rule.endpoint} {path} {query!r}: {error!r}") from error
        response.close()
        injected = "X-Injected" in response.headers or any(
            "\r" in value or "\n" in value for value in response.headers.values()
        )
        assert response.status_code < 500 and not injected, f"{rule.endpoint} {path} {query!r}: {response.status_code}"

    get()
