"""`flask --app app static build`: the served copy of static/ (see core/assets)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core.assets import build_dir
from core.assets.build import build

static_cli = AppGroup("static", help="静态文件：带内容摘要的文件名，预压缩（gzip、brotli）。")


@static_cli.command("build")
def build_command() -> None:
    """Build STATIC_BUILD_DIR from static/; run after every update of the code, then restart."""
    target = build_dir(current_app)
    manifest = build(Path(current_app.static_folder), target)
    for plain, hashed in sorted(manifest["files"].items()):
        sizes = [
            f"{suffix or 'raw'} {(target / (hashed + suffix)).stat().st_size:,} B"
            for suffix in ("", ".gz", ".br")
            if (target / (hashed + suffix)).exists()
        ]
        click.echo(f"{plain} → {hashed} ({', '.join(sizes)})")
    click.echo(f"已生成：{target}")
