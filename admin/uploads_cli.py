"""`flask uploads prune`: the daily cron job that removes stored files nothing refers to."""

import click
from flask.cli import AppGroup

from complaints.attachments import prune_orphan_files
from disclosures.photos import prune_orphan_photos
from disclosures.staging import prune_staged_uploads

uploads_cli = AppGroup("uploads", help="上传文件")


@uploads_cli.command("prune")
def prune_command() -> None:
    """Delete complaint attachments and project photos left by an interrupted request, and
    unconfirmed uploads a day old."""
    orphans, staged, photos = prune_orphan_files(), prune_staged_uploads(), prune_orphan_photos()
    click.echo(f"删除无主附件 {orphans} 个，过期的待确认上传 {staged} 个，无主项目照片 {photos} 个")
