"""Mapping between database rows and domain values; rows never leave the store package."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from service.core.dispatch.states import DispatchState
from service.core.model import Bot, Meeting, MeetingEvent, MeetingSource, Platform, StatusChange


def meeting_from_row(row: RowMapping) -> Meeting:
    return Meeting(
        id=row["id"],
        title=row["title"],
        meeting_url=row["meeting_url"],
        platform=Platform(row["platform"]),
        start_at=row["start_at"],
        end_at=row["end_at"],
        join_at=row["join_at"],
        organizer=row["organizer"],
        attendees=tuple(row["attendees"] or ()),
        sequence=row["sequence"],
        wanted=row["wanted"],
        decision_reason=row["decision_reason"],
        override=row["override"],
        dispatch_state=DispatchState(row["dispatch_state"]),
        dispatch_at=row["dispatch_at"],
        deadline=row["deadline"],
        last_error=row["last_error"],
    )


def bot_from_row(row: RowMapping | dict[str, Any]) -> Bot:
    return Bot(
        id=row["id"],
        meeting_id=row["meeting_id"],
        mavera_id=row["mavera_id"],
        meeting_url=row["meeting_url"],
        join_at=row["join_at"],
        status=row["status"],
        active=row["active"],
        attempts=row["attempts"],
        requested_at=row["requested_at"],
        status_changed_at=row["status_changed_at"],
        next_check_at=row["next_check_at"],
        track_until=row["track_until"],
        last_error_code=row["last_error_code"],
        last_error_message=row["last_error_message"],
    )


def change_from_row(row: RowMapping) -> StatusChange:
    return StatusChange(bot_id=row["bot_id"], status=row["status"], observed_at=row["observed_at"])


def source_from_row(row: RowMapping) -> MeetingSource:
    return MeetingSource(
        source=row["source"],
        source_key=row["source_key"],
        title=row["title"],
        start_at=row["start_at"],
        record=row["record"],
        reason=row["reason"],
        explanation=row["explanation"],
    )


def event_from_row(row: RowMapping) -> MeetingEvent:
    return MeetingEvent(at=row["at"], kind=row["kind"], detail=row["detail"])
