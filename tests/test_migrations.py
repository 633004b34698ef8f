"""The schema comes only from migrations: they run from empty and match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from core.extensions import db
from core.partitions import include_in_comparison


def test_migrated_database_matches_the_models(app):
    with db.engine.connect() as connection:
        opts = {"compare_type": True, "render_as_batch": True, "include_object": include_in_comparison}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_to_base_and_upgrade_again(app):
    from flask_migrate import downgrade, upgrade

    from core.schema_migrations import migrations

    migrations(app)

    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
