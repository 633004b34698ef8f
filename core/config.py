"""Configuration: safe defaults, then instance/ and the environment, then the caller's overrides.

Secrets come from the environment in production (the same for every worker). When one is unset
it is generated once into instance/secrets.json — the single-server default — and never
committed.
"""

import json
import os
import secrets
from pathlib import Path

SECRET_NAMES = ("SECRET_KEY", "ID_HMAC_KEY", "DATA_ENCRYPTION_KEY", "TRACKING_SECRET_KEY")

DEFAULTS = {
    # Unset: links follow each request's address, for the `flask` command only (core/public_url.py).
    "PUBLIC_BASE_URL": "",
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 1_000_000,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Said explicitly: the one Limiter serves every app a process makes, and flask-limiter keeps the
    # previous app's setting where a config gives none (an app made without limits disabled the next).
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    # Redis gone: each worker counts in its own memory with the same limits (so the county sees at
    # most workers × each limit) until Redis answers again; a count that cannot be written after a
    # view ran (its work is committed) is logged, not turned into a 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    # Per account: after this many failed passwords or codes in a row, each further one doubles
    # the wait before the next try (1 s, 2 s, 4 s …), up to the maximum (core/users/backoff.py).
    "LOGIN_FREE_FAILURES": 3,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    # 我的补贴: misses (name with a wrong ID number) allowed per day, across all addresses, per
    # name, per village listing the name, and for the county; when spent, lookups wait a day.
    "LOOKUP_MISSES_PER_NAME": "10 per day",
    "LOOKUP_MISSES_PER_VILLAGE": "200 per day",
    "LOOKUP_MISSES_PER_COUNTY": "3000 per day",
    # A staff session unused this long ends, and any ends this long after its sign-in.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_MAX_SESSION_HOURS": 12,
    # STAFF_2FA_REQUIRED (True/False): administrators and leads must set up TOTP at their next
    # sign-in. Unset, it follows PUBLIC_BASE_URL: required on https (production), not on a plain
    # http try-out or the demo. An account that has set it up always needs its code.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,
    "CRYPTO_PROFILE": "aes",
    "PASSWORD_HASH_METHOD": "scrypt",  # werkzeug's scrypt (N=2^15): memory-hard, a modern KDF  # "aes" (AES-GCM + HMAC-SHA256) or "sm" (SM4-GCM + HMAC-SM3)
    "TRUSTED_PROXIES": 0,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Cross-check rules run after each published import: on RQ over Redis when RULES_QUEUE_URL is
    # set (`flask rules worker` serves it), else in a thread of the app process.
    "RULES_AUTORUN": True,
    "RULES_BACKGROUND": True,  # False: a requested run happens before the request answers (tests)
    "RULES_QUEUE_URL": "",
    "QUEUE_URL": "",  # the same, for all background work (core/background.py); RULES_QUEUE_URL is its older name
    # Where uploaded files are kept (core/storage): "local" (UPLOAD_DIR) or "database" (several hosts).
    "UPLOAD_STORE": "local",
    "RULE_SQL_TIMEOUT_SECONDS": 10,
    "RULE_SQL_MAX_ROWS": 10_000,
    # A streaming replica for public reads (core/replica.py); unset, everything reads the primary.
    "DATABASE_REPLICA_URL": "",
    "DATABASE_REPLICA_MAX_LAG_SECONDS": 5.0,  # a replica further behind is skipped
    "DATABASE_REPLICA_CHECK_SECONDS": 2.0,  # how often each worker asks it how far behind it is
}

ENV_STRINGS = (
    "DATABASE_URL",
    "PUBLIC_BASE_URL",
    "UPLOAD_DIR",
    "UPLOAD_STORE",
    "RATELIMIT_STORAGE_URI",
    "CRYPTO_PROFILE",
    "SMTP_URL",
    "MAIL_FROM",
    "RULES_QUEUE_URL",
    "QUEUE_URL",
    "LOGIN_LIMIT_PER_ADDRESS",
    "LOOKUP_MISSES_PER_NAME",
    "LOOKUP_MISSES_PER_VILLAGE",
    "LOOKUP_MISSES_PER_COUNTY",
    "STATIC_BUILD_DIR",
    "PORTAL_PAGE_CACHE_DIR",
    "NOTICE_PROVIDER",
    "NOTICE_LOG_FILE",
    "NOTICE_SMS_SIGN",
    "NOTICE_SMS_HTTP_URL",
    "NOTICE_SMS_HTTP_KEY",
    "NOTICE_SMS_TEMPLATES",
    "DATABASE_REPLICA_URL",
)
ENV_INTS = (
    "MAX_CONTENT_LENGTH",
    "UPLOAD_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "TRUSTED_PROXIES",
    "STAFF_IDLE_MINUTES",
    "STAFF_MAX_SESSION_HOURS",
    "LOGIN_FREE_FAILURES",
    "LOGIN_MAX_DELAY_SECONDS",
)
ENV_FLOATS = ("DATABASE_REPLICA_MAX_LAG_SECONDS", "DATABASE_REPLICA_CHECK_SECONDS")
ENV_FLAGS = ("STAFF_2FA_REQUIRED",)


def load_secrets(instance_path: Path) -> dict[str, str]:
    """Secrets from the environment, else from instance/secrets.json, generated when missing."""
    found = {name: os.environ[name] for name in SECRET_NAMES if os.environ.get(name)}
    missing = [name for name in SECRET_NAMES if name not in found]
    if not missing:
        return found
    store = instance_path / "secrets.json"
    stored = json.loads(store.read_text()) if store.exists() else {}
    if any(name not in stored for name in missing):
        for name in missing:
            stored.setdefault(name, secrets.token_urlsafe(32))
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle, indent=2)
    return {name: stored[name] for name in missing} | found


def build_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """The whole configuration dict for one app."""
    overrides = overrides or {}
    config = dict(DEFAULTS)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'portal.db'}"
    config["UPLOAD_DIR"] = str(instance_path / "uploads")
    config["NOTICE_LOG_FILE"] = str(instance_path / "notices.log")
    for name in ENV_STRINGS:
        if os.environ.get(name):
            config[name] = os.environ[name]
    for name in ENV_INTS:
        if os.environ.get(name):
            config[name] = int(os.environ[name])
    for name in ENV_FLOATS:
        if os.environ.get(name):
            config[name] = float(os.environ[name])
    for name in ENV_FLAGS:
        if os.environ.get(name):
            config[name] = os.environ[name].strip().lower() in ("1", "true", "yes", "on")
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config.pop("DATABASE_URL"))
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        overrides = dict(
            overrides, SQLALCHEMY_DATABASE_URI=normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])
        )
    if not all(name in overrides for name in SECRET_NAMES):
        config.update(load_secrets(instance_path))
    config.update(overrides)
    if config["DATABASE_REPLICA_URL"]:
        config["DATABASE_REPLICA_URL"] = normalise_database_url(config["DATABASE_REPLICA_URL"])
    config["PUBLIC_BASE_URL"] = config["PUBLIC_BASE_URL"].rstrip("/")
    config["SESSION_COOKIE_SECURE"] = config["PUBLIC_BASE_URL"].startswith("https://")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config.setdefault("STAFF_2FA_REQUIRED", config["SESSION_COOKIE_SECURE"])
    if config["UPLOAD_STORE"] not in ("local", "database"):
        raise ValueError(f"UPLOAD_STORE={config['UPLOAD_STORE']!r}: 应为 local 或 database")
    _short_timeouts(config)
    return config


# Seconds to wait for the database or Redis to answer a new connection: while one is down or hung,
# pages answer 503 at once instead of holding every worker (libpq counts at least 2 s).
CONNECT_TIMEOUT = 3


def _short_timeouts(config: dict) -> None:
    """Connect and read timeouts for PostgreSQL and Redis, unless the caller set its own."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT, **options.get("connect_args", {})}
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": CONNECT_TIMEOUT,
            **config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
