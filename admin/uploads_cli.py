"""`flask uploads prune`: the daily cron job that removes stored files nothing refers to."""
import click
from flask.cli import AppGroup

from complaints.attachments import prune_orphan_files
from disclosures.staging import prune_staged_uploads

uploads_cli = AppGroup("uploads", help="上传文件")


@uploads_cli.command("prune")
def prune_command() -> None:
    """Delete complaint attachments left by an interrupted filing, and unconfirmed uploads a day old."""
    orphans, staged = prune_orphan_files(), prune_staged_uploads()
    click.echo(f"删除无主附件 {orphans} 个，过期的待确认上传 {staged} 个")
