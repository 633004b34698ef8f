"""`flask disclosures import|verify` — the staff and script side of the importer."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from core.cli_output import run_import
from core.extensions import db
from core.fields import field_cipher
from core.problems import Problem, Rejected
from disclosures.chain import verify_chain
from disclosures.importers import check_file
from disclosures.models import Batch, Kind
from disclosures.services import stage_checked

disclosures_cli = AppGroup("disclosures", help="村务公开数据")


def _import(kind: Kind, file: Path, publish: bool, accept_warnings: bool) -> list[Batch]:
    # Streaming: a million-row file is checked and stored without holding its rows in memory.
    with file.open("rb") as stream, check_file(kind, stream, file.name, villages=None,
                                               max_rows=current_app.config["IMPORT_MAX_ROWS"]) as checked:
        if checked.warnings and not accept_warnings:
            # A person would confirm these on the web; a script must say so explicitly.
            raise Rejected([Problem(f"{warning}（确认无误请加 --accept-warnings）")
                            for warning in checked.warnings])
        batches = stage_checked(checked, uploader=None, publish=publish)
    for notice in checked.notices:
        click.echo(notice, err=True)
    return batches


def _summary(batches: list[Batch]) -> str:
    rows = sum(batch.row_count for batch in batches)
    villages = sorted({batch.village_code for batch in batches})
    states = sorted({batch.status.label for batch in batches})
    return (f"导入{rows}行，{len(villages)}个村（{'、'.join(villages)}），{len(batches)}个批次"
            f"（{'、'.join(states)}）：" + ",".join(str(batch.id) for batch in batches))


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
    """Re-check every village's hash chain; exit 1 listing any tampering."""
    villages = db.session.scalars(select(Batch.village_code).distinct().order_by(Batch.village_code)).all()
    problems = [problem for code in villages for problem in verify_chain(code, field_cipher())]
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"发现{len(problems)}处问题", err=True)
        raise SystemExit(1)
    click.echo(f"哈希链完好：{len(villages)}个村")
