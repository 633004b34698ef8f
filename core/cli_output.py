"""How every import command reports: a summary on stdout, notices and errors on stderr."""

from collections.abc import Callable, Iterable

import click

from core.problems import Rejected


def run_import(
    action: Callable[[], object],
    summary: Callable[[object], str],
    notices: Callable[[object], Iterable[str]] = lambda result: (),
) -> None:
    """Run an import; exit 1 with `第N行…` lines and `共N处错误` on stderr when it is rejected."""
    try:
        result = action()
    except Rejected as rejected:
        for line in rejected.lines():
            click.echo(line, err=True)
        raise SystemExit(1) from None
    for notice in notices(result):
        click.echo(notice, err=True)
    click.echo(summary(result))
