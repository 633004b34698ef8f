"""HTTP caching of the public disclosure pages: a strong ETag per page state, 304 without
rendering, and a small in-process cache of rendered HTML under the same key.

What a village's pages show changes only when a batch is published (corrections are batches
too), so the head of its hash chain names the data; the ETag adds everything else the HTML
depends on: the URL, the county's show_full_names, the names in the breadcrumb, today's date
(the current month, rent due), the kiosk and large-text cookies, and the code and templates.
One indexed query finds it all before any heavy query runs (and a worker remembers its answer
for a second: see village_state).

Why `private` and not `public`: every page's HTML depends on the kiosk and large-text cookies,
and a shared cache keyed by URL would hand a phone's page to a kiosk (or the reverse); `Vary:
Cookie` would make a shared cache useless, since every browser's cookies differ. So only the
browser keeps a copy (`Vary: Cookie` there makes the 大字 toggle fetch afresh), revalidates it
after 60 s, and a revisit costs one small query and a 304. Speed for first visits comes from the
server-side cache below. Pages showing a flashed message are one-off: never stored, no ETag.

These pages are also sent gzipped to browsers that accept it (every phone does): a page of
100 ledger rows is ~70 KB of HTML but ~8 KB on the wire, and the cache keeps the gzipped bytes,
so compression costs nothing on a hit. They hold no secret (no CSRF token, nothing from the
session), so compression cannot leak one (BREACH); pages with forms are not compressed here (the
complaint form is, by its view: core/compression.py says when that is safe).
"""

import gzip
import hashlib
from functools import cache, wraps
from pathlib import Path
from time import monotonic, time

from flask import current_app, g, has_app_context, make_response, request, session, url_for
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.extensions import read_outside_transaction
from core.public_url import public_base_url
from core.replica import reads_from_replica
from core.regions.models import Level, Region
from core.settings import CountySettings, county_code_of
from core.timezone import local_date
from disclosures.models import Batch, BatchStatus
from portal.blueprint import bp
from portal.kiosk import kiosk_home
from portal.page_cache import PageCache

REVALIDATE = "private, max-age=60, must-revalidate"
GZIP_LEVEL = 6
NO_STORE = "no-store"
# What the HTML is made from; their contents form the asset version (computed once per process).
SOURCE_DIRS = ("core", "disclosures", "portal", "static", "templates")
SOURCE_SUFFIXES = {".py", ".html", ".css", ".js"}
STATE_MEMO_SIZE = 4096  # villages remembered per worker


def page_cache() -> PageCache:
    cache = current_app.extensions.get("portal_page_cache")
    if cache is None:
        config = current_app.config
        folder = config.get("PORTAL_PAGE_CACHE_DIR")
        if folder is None:
            folder = str(Path(current_app.instance_path) / "page-cache")
        cache = PageCache(
            config.get("PORTAL_PAGE_CACHE_ENTRIES", 256),
            config.get("PORTAL_PAGE_CACHE_BYTES", 16 * 1024 * 1024),
            folder,
            config.get("PORTAL_PAGE_CACHE_FILES", 2000),
        )
        current_app.extensions["portal_page_cache"] = cache
    return cache


def asset_version() -> str:
    """ASSET_VERSION from the config, else a digest of the code, templates and static files
    (once per process; on every request in debug mode, where templates reload as they change)."""
    version = current_app.extensions.get("portal_asset_version")
    if version is None or current_app.debug:
        version = current_app.config.get("ASSET_VERSION") or _digest_sources(Path(current_app.root_path))
        current_app.extensions["portal_asset_version"] = version
    return version


def _digest_sources(root: Path) -> str:
    digest = hashlib.sha256()
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def _state_query():
    # Built once: constructing aliased ORM selects costs milliseconds, more than running them.
    regions = Region.__table__
    village, parent, grand = regions.alias("village"), regions.alias("parent"), regions.alias("grand")
    batches, settings = Batch.__table__, CountySettings.__table__
    head = (
        select(batches.c.id)
        .where(batches.c.village_code == bindparam("code"), batches.c.status == BatchStatus.PUBLISHED.value)
        .order_by(batches.c.sequence.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            village.c.level,
            village.c.name,
            parent.c.name,
            grand.c.name,
            batches.c.id,
            batches.c.sequence,
            batches.c.content_hash,
            settings.c.show_full_names,
        )
        .select_from(village)
        .outerjoin(parent, parent.c.code == village.c.parent_code)
        .outerjoin(grand, grand.c.code == parent.c.parent_code)
        .outerjoin(batches, batches.c.id == head)
        .outerjoin(settings, settings.c.county_code == bindparam("county"))
        .where(village.c.code == bindparam("code"))
    )


def village_state(code: str):
    """(level, names up the breadcrumb, head batch id/sequence/hash, show_full_names), or None.

    Remembered for PORTAL_STATE_SECONDS (default 1) so that a busy worker asks the database about
    once a second per village, not on every request; a commit in this process forgets it at once
    (below), a publication in another process shows within that second — well inside the 60 s
    browsers may keep a page anyway. 0 asks on every request.
    """
    seconds = current_app.config.get("PORTAL_STATE_SECONDS", 1.0)
    memo = current_app.extensions.setdefault("portal_state_memo", {})
    now = monotonic()
    # Remembered per database: a state read on the primary must not key a page rendered from a
    # replica that has not replayed that publication yet (the page cache would keep it).
    key = (reads_from_replica(), code)
    remembered = memo.get(key)
    if remembered is not None and now - remembered[0] < seconds:
        return remembered[1]
    state = _read_state(code)
    if seconds:
        if len(memo) >= STATE_MEMO_SIZE:
            memo.clear()
        memo[key] = (now, state)
    return state


def _read_state(code: str):
    with read_outside_transaction() as connection:
        return connection.execute(_state_query(), {"code": code, "county": county_code_of(code)}).first()


@event.listens_for(Session, "after_commit")
def _forget_states(_session) -> None:
    """Whatever this process commits (a publication, a setting) is on its pages at once."""
    if has_app_context():
        current_app.extensions.get("portal_state_memo", {}).clear()


def page_etag(state, encoding: str, path: str | None = None) -> str:
    """The strong validator of this request's page, in this encoding and state of the village;
    `path` is the page's own address when another one (a QR token's) renders it."""
    parts = [
        encoding,
        asset_version(),
        request.script_root,
        path or request.path,
        request.query_string.decode("latin-1"),
        _today(),
        *map(str, state),
        kiosk_home() or "",
        str(request.cookies.get("text") == "large"),
        public_base_url(),
    ]  # in development the QR codes on a page follow the address asked for
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


_TODAY: list = [None, ""]  # (minute, today's date in Asia/Shanghai)


def _today() -> str:
    """Today's date, worked out once a minute: the date changes only on a minute's edge (China's
    offset is whole hours), and a cached page is served thousands of times a minute."""
    minute = int(time()) // 60
    if _TODAY[0] != minute:
        _TODAY[:] = [minute, local_date(utcnow()).isoformat()]
    return _TODAY[1]


def _has_flashes() -> bool:
    # Without a session cookie there is no flash; reading the session is left to those who have one.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    return bool(session.get("_flashes"))


def _revalidatable(response, etag: str):
    # Set as plain headers: a fresh response has none of them, and this runs on every cached hit.
    headers = response.headers
    headers["ETag"] = f'"{etag}"'
    headers["Cache-Control"] = REVALIDATE
    headers["Vary"] = "Cookie, Accept-Encoding"
    return response


def public_page(view):
    """Serve a village's public page through its ETag: 304, the cached HTML, or a fresh render.

    A QR token's address (/q/7KD3QX) renders the page it names by calling this view: the page is
    keyed by its own address then, so the scan and the page share one cached copy."""
    endpoint = f"{bp.name}.{view.__name__}"

    @wraps(view)
    def wrapper(code: str, **kwargs):
        state = village_state(code)
        if state is None or state[0] != Level.VILLAGE:
            return view(code, **kwargs)  # the view 404s, or renders a county or township page
        if _has_flashes():
            return no_store(make_response(view(code, **kwargs)))
        zipped = request.accept_encodings["gzip"] > 0
        own_path = (
            None
            if request.endpoint == endpoint
            else url_for(endpoint, code=code, **kwargs).removeprefix(request.script_root)
        )
        etag = page_etag(state, "gzip" if zipped else "identity", own_path)
        if request.if_none_match.contains_weak(etag):  # weak: a gzip proxy may weaken the tag
            return _revalidatable(current_app.response_class(status=304), etag)
        body = page_cache().get(etag)
        if body is None:
            response = make_response(view(code, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            body = gzip.compress(response.get_data(), GZIP_LEVEL, mtime=0) if zipped else response.get_data()
            page_cache().put(etag, body)
        response = current_app.response_class(body, mimetype="text/html")
        if zipped:
            response.headers["Content-Encoding"] = "gzip"
        return _revalidatable(response, etag)

    return wrapper


def no_store(response):
    """Mark a response that no cache may keep (personal, or holding a form's token)."""
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.after_app_request
def forms_are_not_stored(response):
    """Any page that generated a CSRF token is tied to one session: never stored by any cache."""
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g and "Cache-Control" not in response.headers:
        no_store(response)
    return response
