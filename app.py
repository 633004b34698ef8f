"""Application factory: defaults → instance/env config → argument; extensions; blueprints; CLI."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import build_config
from core.extensions import csrf, db, limiter, login_manager
from core.public_url import require_public_base_url


def create_app(config: dict | None = None) -> Flask:
    """Build a portal application; `config` overrides everything else (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(build_config(Path(app.instance_path), config))
    require_public_base_url(app)

    db.init_app(app)
    _import_models()
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)

    from core import assets, security, unavailable, web

    security.init_app(app)
    assets.init_app(app)  # static files are served in front of the app (WhiteNoise)
    if app.config["TRUSTED_PROXIES"]:  # in front of both: static files too know https
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    web.init_app(app)
    unavailable.init_app(app, server_error=lambda error: web.render_error(500))
    _register_blueprints(app)
    from admin import staff_sessions

    staff_sessions.init_app(app)
    from core import replica

    replica.init_app(app)  # after the blueprints: it wraps their views
    _register_cli(app)
    _connect_signals()
    return app


# Every module that defines tables, so that migrations and the mapper see the whole schema.
MODEL_MODULES = (
    "core.regions.models",
    "core.users.models",
    "core.audit",
    "core.calendar.models",
    "core.settings",
    "core.storage.database",
    "disclosures.models",
    "complaints.models",
    "complaints.notices.models",
    "admin.models",
    "rules.rosters.models",
    "rules.models",
    "rules.custom.models",
)


def _import_models() -> None:
    import importlib

    for name in MODEL_MODULES:
        importlib.import_module(name)


def _init_login(app: Flask) -> None:
    from core.users.services import load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def _register_blueprints(app: Flask) -> None:
    from admin import calendar_routes, dashboard, departments, exports, notices, settings_routes
    from admin import rounds as rounds_admin
    from admin.auth import bp as auth_bp
    from admin.cases import action_routes, bulk_routes, routes as case_routes
    from admin.routes import bp as admin_bp
    from complaints import kiosk_reset, qr_routes
    from complaints.routes import bp as complaints_bp
    from complaints.staff_routes import bp as complaints_staff_bp
    from core.health import bp as health_bp
    from disclosures import photo_routes
    from disclosures.routes import bp as disclosures_bp
    from portal import disclosure_views, downloads, kiosk, lookup, routes as portal_routes
    from portal.blueprint import bp as portal_bp
    from rules import roster_routes
    from rules.custom import routes as custom_routes
    from rules.routes import bp as rules_bp

    # Blueprints whose views live in several modules: each module's views attached here.
    attached = {
        portal_bp: (portal_routes, disclosure_views, downloads, kiosk, lookup),
        admin_bp: (
            calendar_routes,
            departments,
            settings_routes,
            case_routes,
            action_routes,
            bulk_routes,
            dashboard,
            exports,
            notices,
        ),
        disclosures_bp: (photo_routes,),
        rules_bp: (roster_routes, custom_routes),
    }
    for bp, modules in attached.items():
        for module in modules:
            module.views.attach(bp)

    for bp in (
        portal_bp,
        auth_bp,
        admin_bp,
        disclosures_bp,
        complaints_bp,
        complaints_staff_bp,
        qr_routes.bp,
        kiosk_reset.bp,
        rounds_admin.bp,
        rules_bp,
        health_bp,
    ):
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from core.calendar.cli import calendar_cli
    from core.demo import demo_command
    from core.regions.cli import regions_cli
    from core.users.cli import users_cli
    from disclosures.cli import disclosures_cli
    from admin.sweep_cli import deadlines_cli
    from admin.rekey_cli import crypto_cli
    from admin.uploads_cli import uploads_cli
    from rules.cli import rules_cli
    from rules.rosters.cli import rosters_cli
    from backup.cli import backup_command, restore_command
    from core.assets.cli import static_cli
    from core.schema_migrations import db_cli

    for command in (
        regions_cli,
        users_cli,
        calendar_cli,
        disclosures_cli,
        demo_command,
        deadlines_cli,
        uploads_cli,
        rosters_cli,
        rules_cli,
        backup_command,
        restore_command,
        static_cli,
        crypto_cli,
        db_cli,
    ):
        app.cli.add_command(command)


def _connect_signals() -> None:
    """Feature packages listen to announcements from below the wall (blinker; connecting twice
    is a no-op)."""
    from complaints.clocks import on_calendar_changed
    from core.calendar.signals import calendar_changed
    from admin.cases.referrals import on_calendar_changed as referral_deadlines
    from admin.demo import on_demo_built as demo_cases
    from core.demo import demo_built
    from disclosures.demo import on_demo_built as demo_disclosures

    from disclosures.signals import batches_published
    from portal.warming import on_batches_published as warm_village_pages
    from rules.jobs import on_batches_published, on_roster_imported
    from rules.rosters.signals import roster_imported

    batches_published.connect(on_batches_published)
    batches_published.connect(warm_village_pages)
    roster_imported.connect(on_roster_imported)
    demo_built.connect(demo_disclosures)
    demo_built.connect(demo_cases)
    calendar_changed.connect(on_calendar_changed)
    calendar_changed.connect(referral_deadlines)

    from admin.lookup_alerts import on_budget_spent
    from portal.signals import lookup_budget_spent

    lookup_budget_spent.connect(on_budget_spent)
