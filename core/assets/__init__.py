"""Static files as a phone on a weak signal should get them.

`flask --app app static build` (bin/serve and the tests run it; so does a deployment, after each
update) copies static/ into STATIC_BUILD_DIR under content-hashed names beside the plain ones and
precompresses every file with WhiteNoise's compressor (gzip and brotli). WhiteNoise then serves
that folder in front of the app, under `flask run` and gunicorn alike: a hashed name never
changes its content, so it is cached for good (`immutable`); nginx serves the same folder with
`gzip_static`/`brotli_static` (README). Nothing is compressed while serving.

A first visit cannot wait for a stylesheet (one more round trip, ~0.4 s on weak 4G): public
pages carry their CSS inline, allowed by its hash in the Content-Security-Policy rather than by
'unsafe-inline' (inline.py).
"""

from pathlib import Path

from flask import Flask

from core.assets import inline, serving


def build_dir(app: Flask) -> Path:
    return Path(app.config.get("STATIC_BUILD_DIR") or Path(app.root_path) / "build" / "static")


def init_app(app: Flask) -> None:
    inline.init_app(app)
    serving.init_app(app, build_dir(app))
