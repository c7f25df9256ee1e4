"""SQLAlchemy table metadata and the UtcDateTime type; the only schema source for Alembic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend; SQLite stores naive UTC, so we re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("meeting_url", Text, nullable=False),
    Column("platform", String(32), nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=False),
    Column("join_at", UtcDateTime, nullable=False),
    Column("organizer", String(320)),
    Column("attendees", JSON, nullable=False),
    # The newest iCalendar SEQUENCE applied: an older copy of the event never undoes a newer.
    Column("sequence", Integer, nullable=False, server_default=text("0")),
    # What is wanted: a bot or not (rules over every source, or the manual override).
    Column("wanted", Boolean, nullable=False, server_default=text("true")),
    Column("decision_reason", String(64)),
    Column("override", String(8)),
    # Dispatch control: the meeting row is the claim and the outbox entry.
    Column("dispatch_state", String(16), nullable=False),
    Column("dispatch_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("claim_token", String(36)),
    Column("claimed_by", String(128)),
    Column("lease_until", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "dispatch_state", "dispatch_at"),
    Index(None, "start_at"),
    Index(None, "meeting_url", "start_at"),
)

# Every place a meeting came from: the same call in fifty calendars is one meeting with
# fifty sources. Each source keeps its own view and its own rule decision.
meeting_sources = Table(
    "meeting_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("source", String(64), nullable=False),
    Column("source_key", String(512), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("title", Text, nullable=False),
    Column("record", Boolean, nullable=False),
    Column("reason", String(64)),
    Column("explanation", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("source", "source_key"),
    Index(None, "source_key"),
    Index(None, "meeting_id"),
)

calendars = Table(
    "calendars",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("owner_email", String(320)),
    Column("kind", String(16), nullable=False),
    # A feed URL is a secret (anyone with it reads the calendar): never shown unmasked.
    Column("location", Text, nullable=False),
    Column("interval_seconds", Integer, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("clip_start", UtcDateTime),
    Column("clip_end", UtcDateTime),
    Column("last_attempt_at", UtcDateTime),
    Column("last_success_at", UtcDateTime),
    Column("last_error", Text),
    Column("event_count", Integer, nullable=False, server_default=text("0")),
    Column("meeting_count", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# What happened to a meeting and why: for `autojoin meetings explain`.
meeting_events = Table(
    "meeting_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Index(None, "meeting_id", "at"),
)

bots = Table(
    "bots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("mavera_id", String(128), unique=True),
    # What was sent to Mavera: reconciliation matches on these, not on the meeting's values.
    Column("meeting_url", Text, nullable=False),
    Column("join_at", UtcDateTime, nullable=False),
    Column("status", String(64)),
    # At most one active booking per meeting: a DB-enforced guard against a second bot.
    Column("active", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("requested_at", UtcDateTime),
    Column("status_changed_at", UtcDateTime),
    Column("next_check_at", UtcDateTime),
    Column("track_until", UtcDateTime),
    Column("last_error_code", String(64)),
    Column("last_error_message", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(
        "uq_bots_active_meeting",
        "meeting_id",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    ),
    Index(None, "next_check_at"),
)

bot_status_changes = Table(
    "bot_status_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bot_id", Integer, ForeignKey("bots.id"), nullable=False),
    Column("status", String(64), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    Index(None, "bot_id", "observed_at"),
)

# One row per API key (by hash): the shared request budget and the account's health, so that
# every replica on one PostgreSQL spends one budget and honours one pause.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("requests_per_minute", Integer, nullable=False),
    Column("blocked_until", UtcDateTime),
    Column("paused_until", UtcDateTime),
    Column("pause_reason", Text),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The sliding-window log of requests sent with a key (Mavera counts per key, per 60 s).
api_sends = Table(
    "api_sends",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_id", String(32), ForeignKey("api_keys.key_id"), nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("is_read", Boolean, nullable=False),
    Index(None, "key_id", "sent_at"),
)

# Named singleton leases: periodic jobs that one replica at a time should run.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("until", UtcDateTime, nullable=False),
)
