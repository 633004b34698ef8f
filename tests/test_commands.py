"""The shell commands as an administrator runs them: the real `flask` program in a process of its
own, with no test's application context around it (the in-process runner shares the test's
session, which hid a command that closed its own session half-way)."""

import secrets
import subprocess
import sys

from support import REPO

SAMPLE = REPO / "data" / "sample"
KEYS = {
    name: secrets.token_hex(32) for name in ("SECRET_KEY", "ID_HMAC_KEY", "DATA_ENCRYPTION_KEY", "TRACKING_SECRET_KEY")
}


def flask(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        **KEYS,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PUBLIC_BASE_URL": "http://portal.test",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "PORTAL_PAGE_CACHE_DIR": str(tmp_path / "pages"),
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_a_published_import_from_the_shell_prints_its_summary_and_the_record_verifies(tmp_path):
    for step in (["db", "upgrade"], ["regions", "import", str(SAMPLE / "regions.csv")]):
        done = flask(tmp_path, *step)
        assert done.returncode == 0, done.stderr
    for kind in ("projects", "contracts", "ledger"):  # the ledger cites the projects and contracts
        imported = flask(tmp_path, "disclosures", "import", kind, str(SAMPLE / f"{kind}.csv"), "--publish")
        # Each publication warms the village pages; the summary is printed after that.
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "个批次（已公开）" in imported.stdout and "Traceback" not in imported.stderr
    verified = flask(tmp_path, "disclosures", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
