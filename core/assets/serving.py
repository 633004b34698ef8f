"""WhiteNoise in front of the app: the built folder, hashed names cached for good."""

from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise

from core.assets.build import current_manifest
from core.security import CONTENT_SECURITY_POLICY, HSTS, static_headers

# Plain names (a page saved before a deployment, a link typed by hand) are rechecked after a
# minute; hashed names never change.
PLAIN_MAX_AGE = 60


def init_app(app: Flask, build_dir: Path) -> None:
    """Serve static files through WhiteNoise; url_for('static', …) names the hashed copy.

    Without a current build (sources changed since, or never built) the sources are served as
    they are, under their plain names, and the log says how to build."""
    source = Path(app.static_folder)
    manifest = current_manifest(source, build_dir)
    if manifest is None:
        app.logger.warning(
            "static files are not built (or older than static/): serving them uncompressed; "
            "run `flask --app app static build`"
        )
        root, hashed = source, {}
    else:
        root, hashed = build_dir, manifest["files"]
    prefix = app.static_url_path.strip("/") + "/"
    policy = app.extensions.get("content_security_policy", CONTENT_SECURITY_POLICY)
    immutable = {f"/{prefix}{name}" for name in hashed.values()}
    app.wsgi_app = _hsts_over_https(
        WhiteNoise(
            app.wsgi_app,
            root=str(root),
            prefix=prefix,
            max_age=PLAIN_MAX_AGE,
            immutable_file_test=lambda _path, url: url in immutable,
            add_headers_function=lambda headers, _path, _url: static_headers(headers, policy),
        )
    )
    app.extensions["static_manifest"] = hashed

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in hashed:
            values["filename"] = hashed[values["filename"]]


def _hsts_over_https(wsgi_app):
    """HSTS on a static file fetched over https, as on every page (WhiteNoise's headers are fixed
    at start-up; whether a request came over https is known only per request)."""

    def application(environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return wsgi_app(environ, start_response)

        def with_hsts(status, headers, exc_info=None):
            if not any(name.lower() == "strict-transport-security" for name, _ in headers):
                headers = [*headers, ("Strict-Transport-Security", HSTS)]
            return start_response(status, headers, exc_info)

        return wsgi_app(environ, with_hsts)

    return application
