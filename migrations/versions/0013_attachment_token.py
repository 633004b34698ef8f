"""attachment token: attachments are fetched by an unguessable token, not their sequential id

Revision ID: 0013
Revises: 0012
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    attachments = sa.table("complaint_attachments", sa.column("id", sa.Integer), sa.column("token", sa.String))
    for (attachment_id,) in connection.execute(sa.select(attachments.c.id)).all():
        connection.execute(
            attachments.update().where(attachments.c.id == attachment_id).values(token=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.alter_column("token", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_complaint_attachments_token"), ["token"])


def downgrade():
    with op.batch_alter_table("complaint_attachments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_complaint_attachments_token"), type_="unique")
        batch_op.drop_column("token")
