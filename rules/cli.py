"""`flask rules run [--as-of]` and `flask rules export FILE.csv`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.background import queue_url
from rules.export import export_csv
from rules.jobs import work
from rules.models import RunState
from rules.runs import run_rules

rules_cli = AppGroup("rules", help="比对规则（监督模型）")


@rules_cli.command("run")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按哪一天的情况比对（YYYY-MM-DD，默认今天）",
)
@click.option("--force", is_flag=True, help="即使数据与上次运行相同也重新比对")
def run_command(as_of, force: bool) -> None:
    """Run every rule; print the open warnings per rule, or why the run failed (exit 1)."""
    run = run_rules(as_of=as_of.date() if as_of else None, trigger="cli", force=force)
    if run.state != RunState.SUCCEEDED:
        click.echo(f"规则运行失败：{run.error}", err=True)
        raise SystemExit(1)
    counts = run.counts_dict
    totals = counts.pop("_total")
    for code, numbers in counts.items():
        click.echo(f"{code}\t{numbers['open']}")
    if run.skipped:
        click.echo(
            f"数据与设置自上次运行以来没有变化，沿用上次结果（用时{run.duration_ms / 1000:.1f}秒；--force 可重新比对）"
        )
        return
    click.echo(
        f"截至{run.as_of.isoformat()}：新增预警{totals['new']}条，消除{totals['cleared']}条，"
        f"重新成立{totals['reopened']}条，用时{run.duration_ms / 1000:.1f}秒"
    )


@rules_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write every open warning to FILE as UTF-8 CSV."""
    text = export_csv()
    file.write_text(text, encoding="utf-8")
    click.echo(f"已导出{text.count(chr(10)) - 1}条预警到{file}")


@rules_cli.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def worker_command(burst: bool) -> None:
    """Take rule runs (and page warm-ups, every queue of core/background.py) from the Redis
    queues at QUEUE_URL (or RULES_QUEUE_URL)."""
    url = queue_url(current_app.config)
    if not url:
        click.echo("未设置 QUEUE_URL：规则在应用进程的后台线程中运行，无需单独的工作进程", err=True)
        raise SystemExit(1)
    work(url, burst=burst)
