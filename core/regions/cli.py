"""`flask regions import FILE`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from core.cli_output import run_import
from core.partitions import make_partitions_for_known_counties
from core.regions.importer import import_regions

regions_cli = AppGroup("regions", help="行政区划")


@regions_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import a regions CSV or XLSX file (docs/import-templates.md `regions`)."""
    with file.open("rb") as stream:
        run_import(lambda: import_regions(stream, file.name), lambda s: s.line(), lambda s: s.notices)


@regions_cli.command("partitions")
def partitions_command() -> None:
    """PostgreSQL: make the partitions of every county in the regions table that lacks them."""
    made = make_partitions_for_known_counties()
    click.echo(f"新建分区 {len(made)} 个" + (f"：{'、'.join(made)}" if made else ""))
