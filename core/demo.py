"""`flask demo`: a fictional county with staff accounts, so a newcomer sees a living portal.

Every name and number is made up. Feature packages add their own demo data by listening to
`demo_built` (core imports no feature package).
"""

import random

import click
from blinker import Namespace
from flask.cli import with_appcontext
from sqlalchemy import func, select

from core.extensions import db
from core.regions.models import Region
from core.regions.pinyin import pinyin_keys
from core.users.models import Role
from core.users.services import create_user

DEMO_COUNTY = ("629902000000", "清溪县")
DEMO_TOWNSHIPS = [("629902101000", "青山镇"), ("629902102000", "白水乡"), ("629902103000", "龙潭镇")]
VILLAGE_FIRST = "青上下东西南北大小新老石白黄红金柳桃杨梅竹松枫荷兰"
VILLAGE_SECOND = "山河溪岭坪坝湾塘桥沟岗冲田林庄园"
VILLAGES_PER_TOWNSHIP = 8
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰凤建国志红林春梅海燕小云文辉鹏堃喆昇赟玥"

signals = Namespace()
# Sent after the regions and accounts are committed, with the random generator to use.
demo_built = signals.signal("demo-built")


def person_name(rng: random.Random) -> str:
    """A made-up villager's name: a common surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _village_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        name = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND) + "村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _add_region(code: str, name: str, level: str, parent: str | None) -> None:
    full, initials = pinyin_keys(name)
    db.session.add(Region(code=code, name=name, level=level, parent_code=parent, pinyin=full, initials=initials))


def build_regions(rng: random.Random) -> list[str]:
    """Add the demo county, townships and villages; return the village codes."""
    county_code, county_name = DEMO_COUNTY
    _add_region(county_code, county_name, "county", None)
    taken = {"青山村"}
    villages = []
    for township_code, township_name in DEMO_TOWNSHIPS:
        _add_region(township_code, township_name, "township", county_code)
        names = _village_names(rng, VILLAGES_PER_TOWNSHIP, taken)
        if township_code == DEMO_TOWNSHIPS[0][0]:
            names[0] = "青山村"  # the village the README and the browser tests look for
        for index, name in enumerate(names, start=1):
            code = township_code[:9] + f"{200 + index:03d}"
            _add_region(code, name, "village", township_code)
            villages.append(code)
    db.session.flush()
    return villages


DEMO_ACCOUNTS = [
    ("admin", Role.ADMIN, [], False, "系统管理员"),
    ("jiwei", Role.HANDLER, [DEMO_COUNTY[0]], True, "县纪委 李主任"),
    ("jiwei2", Role.HANDLER, [DEMO_TOWNSHIPS[0][0]], False, "镇纪委 张干事"),
    ("shenhe", Role.REVIEWER, [DEMO_TOWNSHIPS[0][0]], False, "镇农经站 王审核"),
    ("kuaiji", Role.ACCOUNTANT, ["629902101201", "629902101202"], False, "青山村 赵会计"),
    ("xuncha", Role.INSPECTOR, [], False, "县委巡察组 刘组长"),
]


def build_accounts() -> list[tuple[str, str, str]]:
    """Create the demo staff; return (username, role label, password) for printing."""
    printed = []
    for username, role, regions, lead, name in DEMO_ACCOUNTS:
        user, password = create_user(username, role=role, region_codes=regions, is_lead=lead, display_name=name)
        printed.append((username, user.role.label + ("（负责人）" if lead else ""), password))
    return printed


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="只在数据库中没有任何行政区划时生成")
@click.option("--seed", default=2026, show_default=True, help="随机种子")
@with_appcontext
def demo_command(if_empty: bool, seed: int) -> None:
    """Build the fictional demo county and print the demo staff passwords."""
    if db.session.scalar(select(func.count()).select_from(Region)):
        if if_empty:
            click.echo("数据库中已有数据，跳过演示数据。")
            return
        raise click.ClickException("数据库中已有行政区划；演示数据只能装入空数据库。")
    rng = random.Random(seed)
    villages = build_regions(rng)
    db.session.commit()
    accounts = build_accounts()
    demo_built.send(rng, villages=villages)
    click.echo(f"已生成演示县 {DEMO_COUNTY[1]}：{len(DEMO_TOWNSHIPS)}个乡镇、{len(villages)}个村。")
    click.echo("演示账号（密码只显示这一次）：")
    for username, label, password in accounts:
        click.echo(f"  {username:8} {label:12} 密码：{password}")
