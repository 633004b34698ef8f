"""complaint grams: a GIN index over each case's characters and bigrams, for the queue's text search

The queue's text search was `LIKE '%term%'`, which no index serves: a county-wide search for a
rare term read all 200,000 cases (bench/README.md, "Back office"). PostgreSQL now indexes, with
GIN, the characters and character bigrams of each case's code and text, as computed by the SQL
function complaint_grams; the queue asks for the term's bigrams (`@>`) and LIKE rechecks the few
cases found (complaints/search.py).

The grams are an index expression, not a column: stored beside each case they would triple the
width of the rows that the queue's counts read, and in a table of their own every match would
cost a visit to that table (both measured, bench/README.md). Every way a case is written is
indexed alike. SQLite gets nothing: small deployments search with LIKE alone.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Exact characters (LIKE is case-sensitive on PostgreSQL), duplicates left in (GIN keeps each key
# once); string_to_array(…, NULL) splits a string into its characters.
COMPLAINT_GRAMS = """
CREATE FUNCTION complaint_grams(code text, body text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_to_array(code || body, NULL)
           || ARRAY(SELECT substr(code, i, 2) FROM generate_series(1, length(code) - 1) AS i)
           || ARRAY(SELECT substr(body, i, 2) FROM generate_series(1, length(body) - 1) AS i)
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPLAINT_GRAMS)
        op.create_index(
            "ix_complaints_grams",
            "complaints",
            [sa.text("complaint_grams(code, text)")],
            unique=False,
            postgresql_using="gin",
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_complaints_grams", table_name="complaints", postgresql_using="gin")
        op.execute("DROP FUNCTION complaint_grams(text, text)")
