"""`flask disclosures import|verify` — the staff and script side of the importer."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from core.cli_output import run_import
from core.extensions import db
from core.fields import field_cipher
from disclosures.chain import verify_chain
from disclosures.models import Batch, ChainEntry, Kind
from disclosures.services import import_file

disclosures_cli = AppGroup("disclosures", help="村务公开数据")


def _import(kind: Kind, file: Path, publish: bool, accept_warnings: bool) -> list[Batch]:
    # Streaming: a million-row file is checked and stored without holding its rows in memory.
    # A person would confirm warnings on the web; a script must say so explicitly.
    with file.open("rb") as stream:
        return import_file(
            kind,
            stream,
            file.name,
            villages=None,
            uploader=None,
            publish=publish,
            accept_warnings=accept_warnings,
            confirm_hint="（确认无误请加 --accept-warnings）",
            on_notice=lambda notice: click.echo(notice, err=True),
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )


def _summary(batches: list[Batch]) -> str:
    rows = sum(batch.row_count for batch in batches)
    villages = sorted({batch.village_code for batch in batches})
    states = sorted({batch.status.label for batch in batches})
    return (
        f"导入{rows}行，{len(villages)}个村（{'、'.join(villages)}），{len(batches)}个批次"
        f"（{'、'.join(states)}）：" + ",".join(str(batch.id) for batch in batches)
    )


@disclosures_cli.command("import")
@click.argument("kind", type=click.Choice([kind.value for kind in Kind]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="立即公开（不经审核）")
@click.option("--accept-warnings", is_flag=True, help="接受需要人工确认的提示（如信用代码校验位）")
def import_command(kind: str, file: Path, publish: bool, accept_warnings: bool) -> None:
    """Import a disclosure file (docs/import-templates.md templates) as batches awaiting review, or published."""
    run_import(lambda: _import(Kind(kind), file, publish, accept_warnings), _summary)


@disclosures_cli.command("verify")
def verify_command() -> None:
    """Re-check every village's hash chain and record, and its public view against the record;
    exit 1 listing any tampering, by village and batch."""
    villages = sorted(db.session.scalars(select(Batch.village_code).union(select(ChainEntry.village_code))))
    problems = [problem for code in villages for problem in verify_chain(code, field_cipher())]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"发现{len(problems)}处问题", err=True)
        raise SystemExit(1)
    click.echo(f"哈希链完好：{len(villages)}个村")
