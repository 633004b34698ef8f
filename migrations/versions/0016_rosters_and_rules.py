"""rosters and rules: the commission's reference rosters (versions kept), rule runs, warnings
with their evidence, each county's rule settings, the scratch table a run's hits pass through, and
the custom rules administrators compose (each save a version)

Roster ID numbers are stored as disclosures store them: a keyed hash to join on, and ciphertext.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

import core.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rule_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=100), nullable=False),
        sa.Column("subject_cipher", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_hits")),
    )
    with op.batch_alter_table("rule_hits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rule_hits_run_subject", ["run_id", "rule_code", "village_code", "subject_key"], unique=False
        )

    op.create_table(
        "roster_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("replaced_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["imported_by_id"], ["users.id"], name=op.f("fk_roster_versions_imported_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_versions")),
    )
    with op.batch_alter_table("roster_versions", schema=None) as batch_op:
        batch_op.create_index("ix_roster_versions_kind_current", ["kind", "is_current"], unique=False)

    op.create_table(
        "rule_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_rule_runs_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_runs")),
    )
    with op.batch_alter_table("rule_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_runs_state"), ["state"], unique=False)

    op.create_table(
        "rule_settings",
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("split_window_days", sa.Integer(), nullable=False),
        sa.Column("rent_grace_days", sa.Integer(), nullable=False),
        sa.Column("exclusive_pairs", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["regions.code"], name=op.f("fk_rule_settings_county_code_regions")),
        sa.PrimaryKeyConstraint("county_code", name=op.f("pk_rule_settings")),
    )
    op.create_table(
        "roster_cadres",
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_cipher", sa.Text(), nullable=False),
        sa.Column("post", sa.String(length=32), nullable=False),
        sa.Column("cadre_id_hash", sa.String(length=64), nullable=True),
        sa.Column("cadre_id_cipher", sa.Text(), nullable=True),
        sa.Column("relation", sa.String(length=8), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_roster_cadres_version_id_roster_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_cadres")),
    )
    with op.batch_alter_table("roster_cadres", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_cadres_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_cadres_version_id"), ["version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_cadres_village_code"), ["village_code"], unique=False)

    op.create_table(
        "roster_deceased",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_cipher", sa.Text(), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=False),
        sa.Column("died_month", sa.String(length=7), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_roster_deceased_version_id_roster_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_deceased")),
    )
    with op.batch_alter_table("roster_deceased", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_deceased_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_deceased_version_id"), ["version_id"], unique=False)

    op.create_table(
        "roster_public_employees",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_cipher", sa.Text(), nullable=False),
        sa.Column("employer", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_roster_public_employees_version_id_roster_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_public_employees")),
    )
    with op.batch_alter_table("roster_public_employees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_public_employees_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_public_employees_version_id"), ["version_id"], unique=False)

    op.create_table(
        "roster_standards",
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("from_month", sa.String(length=7), nullable=False),
        sa.Column("max_amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["roster_versions.id"], name=op.f("fk_roster_standards_version_id_roster_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_standards")),
    )
    with op.batch_alter_table("roster_standards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_standards_version_id"), ["version_id"], unique=False)

    op.create_table(
        "rule_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=100), nullable=False),
        sa.Column("subject_cipher", sa.Text(), nullable=True),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("created_run_id", sa.Integer(), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_rule_warnings_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["created_run_id"], ["rule_runs.id"], name=op.f("fk_rule_warnings_created_run_id_rule_runs")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["rule_warnings.id"], name=op.f("fk_rule_warnings_previous_id_rule_warnings")
        ),
        sa.ForeignKeyConstraint(["village_code"], ["regions.code"], name=op.f("fk_rule_warnings_village_code_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_warnings")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_rule_warnings_complaint_id")),
        sa.UniqueConstraint("rule_code", "village_code", "subject_key", "sequence", name="subject_sequence"),
    )
    with op.batch_alter_table("rule_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_warnings_rule_code"), ["rule_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_rule_warnings_village_code"), ["village_code"], unique=False)

    op.create_table(
        "rule_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["rule_runs.id"], name=op.f("fk_rule_evidence_run_id_rule_runs")),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["rule_warnings.id"], name=op.f("fk_rule_evidence_warning_id_rule_warnings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_evidence")),
        sa.UniqueConstraint("warning_id", "source", "row_id", name="warning_row"),
    )
    op.create_table(
        "custom_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_custom_rules_code")),
    )
    op.create_table(
        "custom_rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["custom_rules.id"], name=op.f("fk_custom_rule_versions_rule_id_custom_rules")
        ),
        sa.ForeignKeyConstraint(["saved_by_id"], ["users.id"], name=op.f("fk_custom_rule_versions_saved_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_rule_versions")),
        sa.UniqueConstraint("rule_id", "version", name="rule_version"),
    )
    with op.batch_alter_table("custom_rule_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custom_rule_versions_rule_id"), ["rule_id"], unique=False)


def downgrade():
    with op.batch_alter_table("custom_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custom_rule_versions_rule_id"))

    op.drop_table("custom_rule_versions")
    op.drop_table("custom_rules")
    op.drop_table("rule_evidence")
    with op.batch_alter_table("rule_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_warnings_village_code"))
        batch_op.drop_index(batch_op.f("ix_rule_warnings_rule_code"))

    op.drop_table("rule_warnings")
    with op.batch_alter_table("roster_standards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_standards_version_id"))

    op.drop_table("roster_standards")
    with op.batch_alter_table("roster_public_employees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_public_employees_version_id"))
        batch_op.drop_index(batch_op.f("ix_roster_public_employees_id_hash"))

    op.drop_table("roster_public_employees")
    with op.batch_alter_table("roster_deceased", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_deceased_version_id"))
        batch_op.drop_index(batch_op.f("ix_roster_deceased_id_hash"))

    op.drop_table("roster_deceased")
    with op.batch_alter_table("roster_cadres", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_cadres_village_code"))
        batch_op.drop_index(batch_op.f("ix_roster_cadres_version_id"))
        batch_op.drop_index(batch_op.f("ix_roster_cadres_id_hash"))

    op.drop_table("roster_cadres")
    op.drop_table("rule_settings")
    with op.batch_alter_table("rule_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_runs_state"))

    op.drop_table("rule_runs")
    with op.batch_alter_table("roster_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_versions_kind_current")

    op.drop_table("roster_versions")
    with op.batch_alter_table("rule_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_rule_hits_run_subject")

    op.drop_table("rule_hits")
