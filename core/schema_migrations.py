"""Flask-Migrate, set up when a migration is about to run rather than with every app.

Alembic (with Mako and Pygments behind it) takes most of a second to import; every `flask`
command, test and worker start would pay for it although only `flask db …`, the tests' set-up and
`flask restore` ever migrate. `flask db` stays a command of every app: a group that loads
Flask-Migrate's own commands when it is asked for them.
"""

from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo

DIRECTORY = Path(__file__).resolve().parents[1] / "migrations"


def migrations(app: Flask):
    """The app's Flask-Migrate configuration (`app.extensions["migrate"]`), set up on first use."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        from core.extensions import db

        Migrate(app, db, directory=str(DIRECTORY), render_as_batch=True, compare_type=True)
    return app.extensions["migrate"]


class _LazyMigrateGroup(click.Group):
    """`flask db`: Flask-Migrate's command group, imported only when `flask db …` runs."""

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as flask_migrate_db

        return flask_migrate_db

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # Take on the real group's options (-d, -x) and callback before the arguments are parsed.
        real = self._real()
        self.params, self.callback, self.help = real.params, real.callback, real.help
        return super().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._real().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        migrations(ctx.ensure_object(ScriptInfo).load_app())
        return super().invoke(ctx)


db_cli = _LazyMigrateGroup("db", help="Perform database migrations.")
