"""After a publication, render the village's busiest pages in the background, so that the first
villager to open them does not wait for the render (up to a second for a very large village).

The pages go into the page cache under the ETag a phone's request will carry (gzip, standard
text, no kiosk): in this process's memory and in the shared folder (PORTAL_PAGE_CACHE_DIR),
where every worker finds them. In the background (core/background.py): on RQ when
QUEUE_URL is set, else a thread of the process that published.
"""

from flask import current_app, request, url_for
from sqlalchemy import select

from core.background import dispatch
from core.extensions import db
from core.replica import PRIMARY, READ_TARGET
from disclosures.models import Batch

QUEUE = "portal"
# The pages a scan or a notice-board link lands on: the village page, the latest ledger month,
# the list of subsidy rosters.
PAGES = ("portal.region", "portal.ledger", "portal.subsidies")
PHONE = {"Accept-Encoding": "gzip, deflate"}


def on_batches_published(sender, batch_ids) -> None:
    if not current_app.config.get("PORTAL_WARM_AFTER_PUBLISH", True):
        return
    codes = sorted(set(db.session.scalars(select(Batch.village_code).where(Batch.id.in_(batch_ids)))))
    if codes:
        dispatch(warm_villages, codes, queue=QUEUE)


def warm_villages(codes: list[str]) -> None:
    """Render each village's PAGES as a phone would ask for them, through the page cache."""
    app = current_app._get_current_object()
    base_url = app.config["PUBLIC_BASE_URL"]
    for code in codes:
        with app.test_request_context(base_url=base_url):
            paths = [url_for(endpoint, code=code).removeprefix(request.script_root) for endpoint in PAGES]
        for path in paths:
            # On the primary: a replica may not have replayed the publication yet.
            with app.test_request_context(
                path, base_url=base_url, headers=PHONE, environ_overrides={READ_TARGET: PRIMARY}
            ):
                try:
                    app.full_dispatch_request().close()
                finally:
                    db.session.remove()
