"""gzip for a page that carries a form, where BREACH can read nothing out of it.

A compressed page's length tells an attacker whether a guess of theirs, echoed in the page,
matches a secret in it; repeated over many requests it spells out any secret that stays the same
from response to response (BREACH). So the app compresses a page with a form only when both hold:
- no secret repeats in it: its CSRF token is masked afresh in every response (core/csrf.py), its
  filing ticket is signed afresh for each rendering, and nothing else of the session is printed;
- nothing in it was chosen by whoever made the request, beyond codes the server resolved.
The view vouches for both (complaints/routes.py: the complaint form's GET); an answer to a POST,
which echoes what was typed, is never compressed. Pages without forms are gzipped, and cached so,
by portal/caching.py.
"""

import gzip

from flask import Response, request

GZIP_LEVEL = 6  # as portal/caching.py: ~4 times smaller, a fraction of a millisecond for a form page


def gzipped(response: Response) -> Response:
    """`response` gzipped for a browser that accepts it; either way the answer varies with it."""
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] > 0 and not response.direct_passthrough:
        response.set_data(gzip.compress(response.get_data(), GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response
