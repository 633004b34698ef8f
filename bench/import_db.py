"""Throwaway databases for the import bench: one migrated, seeded template per backend, and a
fresh copy of it for every measurement (a file copy on SQLite, CREATE DATABASE … TEMPLATE on
PostgreSQL, as tests/conftest.py does)."""

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

import import_data

# Fixed bench keys: the import subprocess and the baseline must seal values alike.
SECRETS = {
    "SECRET_KEY": "bench-secret-key-0123456789",
    "ID_HMAC_KEY": "bench-id-hmac-key-0123456789",
    "DATA_ENCRYPTION_KEY": "bench-data-encryption-key-0123456789",
    "TRACKING_SECRET_KEY": "bench-tracking-key-0123456789",
}


def app_config(uri: str, workdir: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_DIR": str(workdir / "uploads"),
        "PUBLIC_BASE_URL": "http://bench.test",
        **SECRETS,
    }


def _migrate_and_seed(uri: str, workdir: Path, village_count: int) -> None:
    import logging

    from flask_migrate import upgrade

    from app import create_app
    from core.extensions import db
    from core.schema_migrations import migrations
    from core.regions.models import Region
    from disclosures.importers import validate_rows
    from disclosures.models import Kind
    from disclosures.services import stage_upload

    app = create_app(app_config(uri, workdir))
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's line per migration
        migrations(app)
        upgrade()
        db.session.execute(insert(Region), import_data.regions(village_count))
        db.session.commit()
        codes = import_data.villages(village_count)
        parsed = validate_rows(Kind.CONTRACTS, import_data.contracts(codes), villages=None)
        stage_upload(parsed, uploader=None, publish=True)
        db.session.remove()
        db.engine.dispose()


class SqliteDatabases:
    name = "SQLite"

    def __init__(self, workdir: Path, village_count: int):
        self.workdir = workdir
        self.template = workdir / "template.db"
        self.count = 0
        _migrate_and_seed(f"sqlite:///{self.template}", workdir, village_count)

    def create(self) -> str:
        self.count += 1
        target = self.workdir / f"run{self.count}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def drop(self, uri: str) -> None:
        Path(make_url(uri).database).unlink(missing_ok=True)

    def close(self) -> None:
        self.template.unlink(missing_ok=True)


class PostgresDatabases:
    name = "PostgreSQL"

    def __init__(self, workdir: Path, village_count: int, server: str):
        self.server = make_url(server)
        self.admin = create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.prefix = f"bench_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.count = 0
        self._run(f'CREATE DATABASE "{self.template}"')
        _migrate_and_seed(self._url(self.template), workdir, village_count)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _run(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def create(self) -> str:
        self.count += 1
        name = f"{self.prefix}_{self.count}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, uri: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{make_url(uri).database}" WITH (FORCE)')

    def close(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()
