"""Read helpers for regions."""

from sqlalchemy import Select, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from core.extensions import db
from core.regions.codes import ancestor_codes
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
    """A region with its township and county in one query: a village's page names them, and
    ancestors_of then walks the parents set here instead of loading each one."""
    loaded = {
        region.code: region
        for region in db.session.scalars(select(Region).where(Region.code.in_([code, *ancestor_codes(code)])))
    }
    for region in loaded.values():
        if region.parent_code in loaded:
            set_committed_value(region, "parent", loaded[region.parent_code])
    return loaded.get(code)


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
    query = select(Region).where(
        or_(
            Region.name.like(f"%{pattern}%", escape="\\"),
            Region.pinyin.like(f"{lowered}%", escape="\\"),
            Region.initials.like(f"{lowered}%", escape="\\"),
        )
    )
    if under is not None:
        query = query.where(Region.code.like(f"{under.prefix}%"))
    # Villages first: that is what a villager is looking for.
    return query.order_by(Region.level.desc(), Region.code).limit(SEARCH_LIMIT)
