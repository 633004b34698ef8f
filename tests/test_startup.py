"""Every `flask --app app …` command builds the app first: heavy libraries wait until they are used."""

import json
import subprocess
import sys

from support import REPO

# None is needed to build the app. The first ten take a tenth of a second to a second to
# import; the others a hundredth or so each (mutagen for recordings, stdnum for ID numbers, which
# brings pydoc, WhiteNoise's compressor with brotli for `static build`), and the test and queue
# libraries belong to their own commands.
HEAVY = (
    "weasyprint",
    "fontTools",
    "openpyxl",
    "pypinyin",
    "alembic",
    "flask_migrate",
    "PIL",
    "qrcode",
    "sqlparse",
    "email_validator",
    "mutagen",
    "stdnum",
    "pydoc",
    "whitenoise.compress",
    "brotli",
    "chinese_calendar",
    "hypothesis",
    "rq",
    "redis",
)

BUILD_APP = f"""
import json, sys
from app import create_app
create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_BASE_URL": "http://portal.test",
            "SECRET_KEY": "x", "ID_HMAC_KEY": "x", "DATA_ENCRYPTION_KEY": "x", "TRACKING_SECRET_KEY": "x"}})
print(json.dumps(sorted(name for name in {HEAVY!r} if name in sys.modules)))
"""


def test_building_the_app_imports_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", BUILD_APP], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_flask_db_still_migrates(tmp_path):
    """`flask db` loads Flask-Migrate when it runs: its commands, their options, an upgrade."""
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x",
        "ID_HMAC_KEY": "x",
        "DATA_ENCRYPTION_KEY": "x",
        "TRACKING_SECRET_KEY": "x",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app", "db"]
    listed = subprocess.run([*flask, "--help"], cwd=REPO, capture_output=True, text=True, check=True, env=env)
    assert "upgrade" in listed.stdout and "--directory" in listed.stdout
    subprocess.run([*flask, "upgrade"], cwd=REPO, capture_output=True, text=True, check=True, env=env)
    current = subprocess.run(
        [*flask, "-x", "unused=1", "current"], cwd=REPO, capture_output=True, text=True, check=True, env=env
    )
    assert "(head)" in current.stdout
