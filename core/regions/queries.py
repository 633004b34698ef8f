"""Read helpers for regions."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.regions.models import Level, Region

SEARCH_LIMIT = 30


def escape_like(term: str) -> str:
    """Escape LIKE wildcards so user input matches literally (used with escape='\\')."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def counties() -> list[Region]:
    """All counties, by code."""
    return list(db.session.scalars(select(Region).where(Region.level == Level.COUNTY).order_by(Region.code)))


def children_of(region: Region) -> list[Region]:
    """Direct children of a region, by code."""
    return list(db.session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)))


def region_with_ancestors(code: str) -> Region | None:
    """A region, its parent and grandparent in one query: a village's page names its township
    and county, and ancestors_of then walks loaded objects."""
    return db.session.get(Region, code, options=[joinedload(Region.parent).joinedload(Region.parent)])


def ancestors_of(region: Region) -> list[Region]:
    """County first, down to the region's parent."""
    chain = []
    current = region.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def search_regions(term: str, under: Region | None = None) -> Select:
    """Regions whose name contains the term or whose pinyin / initials start with it."""
    term = term.strip()
    pattern = escape_like(term)
    lowered = escape_like(term.lower().replace(" ", ""))
    query = select(Region).where(or_(
        Region.name.like(f"%{pattern}%", escape="\\"),
        Region.pinyin.like(f"{lowered}%", escape="\\"),
        Region.initials.like(f"{lowered}%", escape="\\"),
    ))
    if under is not None:
        query = query.where(Region.code.like(f"{under.prefix}%"))
    # Villages first: that is what a villager is looking for.
    return query.order_by(Region.level.desc(), Region.code).limit(SEARCH_LIMIT)
