"""`flask crypto rehash [--batch N]`: after switching CRYPTO_PROFILE (or the current key), bring the
stored sealed fields and their hashes to it; resumable and idempotent (admin/rekey.py)."""

import click
from flask.cli import AppGroup

from admin.rekey import BATCH, SEALED_TABLES, TableProgress, rehash_table

crypto_cli = AppGroup("crypto", help="字段加密与检索哈希")


@crypto_cli.command("rehash")
@click.option(
    "--batch", default=BATCH, show_default=True, type=click.IntRange(1, 100_000), help="每批处理的行数（每批单独提交）"
)
def rehash_command(batch: int) -> None:
    """Re-encrypt and re-hash every sealed field under the configured profile and key."""

    def report(progress: TableProgress) -> None:
        click.echo(f"  {progress.table}：已处理 {progress.changed} / {progress.left_before} 行")

    unreadable = 0
    for spec in SEALED_TABLES:
        progress = rehash_table(spec, batch=batch, on_batch=report)
        click.echo(
            f"{spec.name}：待处理 {progress.left_before} 行，本次完成 {progress.changed} 行"
            + (
                f"，无法解密 {len(progress.unreadable)} 行（编号 {_ids(progress.unreadable)}）"
                if progress.unreadable
                else ""
            )
        )
        unreadable += len(progress.unreadable)
    if unreadable:
        raise click.ClickException(f"有 {unreadable} 行的密钥未配置，请在 DATA_ENCRYPTION_KEY 中补上旧密钥后重新运行")
    click.echo("全部字段已与当前加密方案一致")


def _ids(ids: list[int]) -> str:
    return "、".join(map(str, ids[:10])) + ("……" if len(ids) > 10 else "")
