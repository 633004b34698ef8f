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
MODEL_MODULES = ("core.regions.models", "core.users.models", "core.audit", "core.calendar.models",
                 "core.settings", "core.storage.database", "disclosures.models", "complaints.models",
                 "complaints.notices.models",
                 "admin.models", "rules.rosters.models", "rules.models",
                 "rules.custom.models")


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
    from admin import calendar_routes, departments, settings_routes  # noqa: F401  (attach their views to the admin blueprint)
    from admin.cases import action_routes, bulk_routes, routes as case_routes  # noqa: F401  (likewise)
    from admin import dashboard, exports, notices  # noqa: F401  (likewise)
    from admin.routes import bp as admin_bp
    from disclosures.routes import bp as disclosures_bp
    from disclosures import photo_routes  # noqa: F401  (attaches the photo views to the disclosures blueprint)
    from admin.auth import bp as auth_bp
    from portal import bp as portal_bp
    from complaints.routes import bp as complaints_bp
    from complaints.staff_routes import bp as complaints_staff_bp
    from complaints import kiosk_reset, qr_routes
    from admin import rounds as rounds_admin
    from rules import roster_routes  # noqa: F401  (attaches the roster views to the rules blueprint)
    from rules.custom import routes as custom_routes  # noqa: F401  (likewise, custom rules)
    from rules.routes import bp as rules_bp
    from core.health import bp as health_bp

    app.register_blueprint(portal_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(disclosures_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(complaints_staff_bp)
    app.register_blueprint(qr_routes.bp)
    app.register_blueprint(kiosk_reset.bp)
    app.register_blueprint(rounds_admin.bp)
    app.register_blueprint(rules_bp)
    app.register_blueprint(health_bp)


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

    for command in (regions_cli, users_cli, calendar_cli, disclosures_cli, demo_command, deadlines_cli,
                    uploads_cli, rosters_cli, rules_cli, backup_command, restore_command, static_cli,
                    crypto_cli, db_cli):
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
