"""meeting sources, calendars, decisions and meeting events

Revision ID: 8bda7b97bee3
Revises: 8c8deba555a8
Create Date: 2026-11-24 05:51:10.946553
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.adapters.sql.tables

revision: str = "8bda7b97bee3"
down_revision: str | None = "8c8deba555a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column(
            "clip_start", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "clip_end", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_attempt_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "last_success_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("event_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("meeting_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_calendars_name")),
    )
    op.create_table(
        "meeting_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_events_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_events")),
    )
    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_events_meeting_id_at"), ["meeting_id", "at"], unique=False
        )

    op.create_table(
        "meeting_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "start_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("record", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column(
            "updated_at", service.adapters.sql.tables.UtcDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_sources_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_sources")),
        sa.UniqueConstraint(
            "source", "source_key", name=op.f("uq_meeting_sources_source_source_key")
        ),
    )
    with op.batch_alter_table("meeting_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_sources_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_sources_source_key"), ["source_key"], unique=False
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sequence", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("wanted", sa.Boolean(), server_default=sa.text("true"), nullable=False)
        )
        batch_op.add_column(sa.Column("decision_reason", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("override", sa.String(length=8), nullable=True))

    # Every meeting's one source so far becomes its first row in meeting_sources.
    op.execute(
        "INSERT INTO meeting_sources"
        " (meeting_id, source, source_key, sequence, start_at, title, record, reason, updated_at)"
        " SELECT id, source, source_key, 0, start_at, title, TRUE, NULL, updated_at FROM meetings"
    )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_meetings_source_source_key"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_meetings_meeting_url_start_at"),
            ["meeting_url", "start_at"],
            unique=False,
        )
        batch_op.drop_column("source_key")
        batch_op.drop_column("source")


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_key", sa.VARCHAR(length=512), nullable=True))
    # Each meeting keeps its first source; a meeting with none keeps its own id as key.
    op.execute(
        "UPDATE meetings SET"
        " source = COALESCE((SELECT s.source FROM meeting_sources s WHERE s.meeting_id ="
        " meetings.id ORDER BY s.id LIMIT 1), 'migrated'),"
        " source_key = COALESCE((SELECT s.source_key FROM meeting_sources s WHERE s.meeting_id ="
        " meetings.id ORDER BY s.id LIMIT 1), CAST(meetings.id AS VARCHAR(512)))"
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.alter_column("source", nullable=False)
        batch_op.alter_column("source_key", nullable=False)
        batch_op.drop_index(batch_op.f("ix_meetings_meeting_url_start_at"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_meetings_source_source_key"), ["source", "source_key"]
        )
        batch_op.drop_column("override")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("wanted")
        batch_op.drop_column("sequence")

    with op.batch_alter_table("meeting_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_sources_source_key"))
        batch_op.drop_index(batch_op.f("ix_meeting_sources_meeting_id"))

    op.drop_table("meeting_sources")
    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_events_meeting_id_at"))

    op.drop_table("meeting_events")
    op.drop_table("calendars")
