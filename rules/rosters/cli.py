"""`flask rosters import KIND FILE` — the staff and script side of the roster importer."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.cli_output import run_import
from rules.rosters.models import RosterKind
from rules.rosters.services import ImportedRoster, import_roster

rosters_cli = AppGroup("rosters", help="比对名单（纪委监委内部使用）")


def _summary(imported: ImportedRoster) -> str:
    version = imported.version
    return f"{version.kind.label}导入{version.row_count}行，成为当前版本（版本{version.id}）"


@rosters_cli.command("import")
@click.argument("kind", type=click.Choice([kind.value for kind in RosterKind]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(kind: str, file: Path) -> None:
    """Import a roster file (DATA.md "Reference rosters"); it replaces the kind's current version."""
    with file.open("rb") as stream:
        run_import(
            lambda: import_roster(RosterKind(kind), stream, file.name, max_rows=current_app.config["IMPORT_MAX_ROWS"]),
            _summary,
            lambda imported: imported.notices,
        )
