"""`flask users …`: accounts from the command line (the first admin, scripts)."""

import click
from flask.cli import AppGroup

from core.users import services
from core.users.models import Role

users_cli = AppGroup("users", help="工作人员账号")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--region", "regions", multiple=True, help="行政区划代码，可重复")
@click.option("--lead", is_flag=True, help="负责人")
@click.option("--name", "display_name", default="", help="姓名")
@click.option("--email", default="", help="电子邮箱（收期限提醒）")
def create(username: str, role: str, regions: tuple[str, ...], lead: bool, display_name: str, email: str) -> None:
    """Create an account and print its generated password."""
    try:
        user, password = services.create_user(
            username, role=Role(role), region_codes=list(regions), is_lead=lead, display_name=display_name, email=email
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"已创建账号 {user.username}（{user.role.label}），密码：{password}")


@users_cli.command("reset-2fa")
@click.argument("username")
def reset_2fa(username: str) -> None:
    """Forget an account's TOTP key and recovery codes (a lost phone: check who asks, in person)."""
    from core.users import second_factor

    user = _account(username)
    second_factor.reset(user)
    click.echo(f"已重置 {user.username} 的两步验证；下次登录时重新设置")


@users_cli.command("reset-password")
@click.argument("username")
def reset_password(username: str) -> None:
    """Give an account a new generated password (ending its sessions) and print it."""
    user = _account(username)
    password = services.reset_password(user)
    click.echo(f"账号 {user.username} 的新密码：{password}（原有登录已失效）")


def _account(username: str):
    """The account by its username; a command naming none stops with a message."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"没有账号 {username}")
    return user
