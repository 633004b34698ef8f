"""Public read side: region pages and search. No account needed, nothing personal shown."""

from flask import abort, make_response, redirect, render_template, request, url_for

from core.views import Views
from core.extensions import db
from core.regions import queries
from core.regions.models import Level, Region
from core.web import local_path, secure_cookies
from portal import disclosure_views
from portal.caching import public_page

views = Views()

TEMPLATES = {
    Level.COUNTY: "portal/county.html",
    Level.TOWNSHIP: "portal/township.html",
    Level.VILLAGE: "portal/village.html",
}


@views.get("/")
def index():
    counties = queries.counties()
    if len(counties) == 1:
        return _render_region(counties[0])
    return render_template("portal/index.html", counties=counties)


@views.get("/r/<code>")
@public_page  # village pages only; county and township pages pass through
def region(code: str):
    found = db.session.get(Region, code)
    if found is None:
        abort(404)
    return _render_region(found)


def _render_region(found: Region):
    if found.level_enum is Level.VILLAGE:
        return disclosure_views.village_page(found)
    return render_template(
        TEMPLATES[found.level_enum],
        region=found,
        ancestors=queries.ancestors_of(found),
        children=queries.children_of(found),
    )


@views.get("/search")
def search():
    term = request.args.get("q", "").strip()[:50]
    results = list(db.session.scalars(queries.search_regions(term))) if term else []
    return render_template("portal/search.html", term=term, results=results)


@views.get("/prefs/text-size")
def text_size():
    """Toggle large text: what the 大字 link does where no script runs (static/js/text-size.js
    flips it in the page without this round trip). The cookie is readable by that script."""
    target = request.args.get("next", "/")
    if not local_path(target):
        target = url_for(".index")
    response = make_response(redirect(target))
    if request.cookies.get("text") == "large":
        response.delete_cookie("text")
    else:
        response.set_cookie(
            "text", "large", max_age=365 * 86400, samesite="Lax", httponly=False, secure=secure_cookies()
        )
    return response
