"""`flask backup OUT` and `flask restore IN [--force]`: what cron and an operator run."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from backup.errors import BackupError
from backup.manifest import KEYS_NOTE
from backup.services import make_backup, restore_backup


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Write the database, the uploaded files and a manifest into the archive OUT (keys excluded)."""
    try:
        manifest = make_backup(out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest["tables"].values())
    click.echo(
        f"备份完成：{out}（{len(manifest['tables'])}张表共{rows}行，附件{len(manifest['uploads'])}个，"
        f"{len(manifest['chain_heads'])}个村的哈希链）"
    )
    kept = "；".join(f"{name} 在 {facts['kept_in']}" for name, facts in manifest["keys"].items())
    click.echo(f"{KEYS_NOTE}本机的密钥：{kept}")


@click.command("restore")
@click.argument("source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已有数据的数据库和上传文件夹")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Restore the archive IN into an empty database and upload folder, and check it against its manifest."""
    try:
        restored = restore_backup(source, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for warning in restored.warnings:
        click.echo(warning, err=True)
    for problem in restored.problems:
        click.echo(problem, err=True)
    if restored.problems:
        click.echo(f"恢复后与备份清单不符，共{len(restored.problems)}处", err=True)
        raise SystemExit(1)
    manifest = restored.manifest
    click.echo(
        f"恢复完成：备份时间 {manifest['created_at']}，{sum(manifest['tables'].values())}行、"
        f"附件{len(manifest['uploads'])}个与清单一致。请运行 flask --app app disclosures verify 检查哈希链"
    )
