"""Calendars: add, list and remove the calendars autojoin reads meetings from.

A calendar's feed URL is a secret: it is checked here (no private or local address unless
allowed, no credentials) and only ever shown masked by whoever displays it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from service.core.errors import InputError
from service.core.feed_urls import FeedUrlRefused, check_url
from service.core.model import Calendar, CalendarKind
from service.core.ports import CalendarStore, Clock
from service.core.untrusted import UNSAFE, clean_email

NAME_LIMIT: Final = 200
"""The store's name column holds 200 characters."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewCalendar:
    """A calendar to add: a feed URL (``ICS_URL``) or a local file's path (``ICS_FILE``)."""

    name: str
    kind: CalendarKind
    location: str = field(repr=False)
    owner_email: str | None = None
    interval: timedelta | None = None
    """Between syncs; None: the configured ``calendars.interval_seconds``."""


class Calendars:
    def __init__(
        self,
        *,
        store: CalendarStore,
        clock: Clock,
        interval: timedelta,
        allow_private: bool,
        freeze: timedelta,
    ) -> None:
        """``interval``: between syncs unless a calendar says otherwise; ``allow_private``:
        feed URLs may point at private or local addresses; ``freeze``: see the scheduler."""
        self._store = store
        self._clock = clock
        self._interval = interval
        self._allow_private = allow_private
        self._freeze = freeze

    async def add(self, new: NewCalendar) -> Calendar:
        """Add a calendar; it is synced when the daemon's next calendar tick comes.

        :raises InputError: the name (``where="name"``), the owner (``"owner"``) or the feed
            URL (``"url"``) is refused, or a calendar with this name exists.
        """
        check(new, allow_private=self._allow_private)
        return await self._store.add(
            name=new.name,
            kind=new.kind,
            location=new.location,
            owner_email=new.owner_email.lower() if new.owner_email else None,
            interval=new.interval or self._interval,
            now=self._clock.now(),
        )

    async def all(self) -> list[Calendar]:
        """Every calendar by name, with its last sync, error and counts."""
        return await self._store.all()

    async def remove(self, name: str) -> int:
        """Remove a calendar, in one transaction with its source from every meeting: a
        meeting it alone brought in no longer gets a bot (a booked one is cancelled). How
        many meetings lost this source.

        :raises CalendarNotFound: no calendar is called ``name``.
        """
        return await self._store.remove(name, now=self._clock.now(), freeze=self._freeze)


def check(new: NewCalendar, *, allow_private: bool) -> None:
    """A name of 1 to 200 visible characters, an owner that is an email, a feed URL that may
    be fetched; else InputError naming ``name``, ``owner`` or ``url``."""
    name, owner = new.name, new.owner_email
    if not name.strip() or len(name) > NAME_LIMIT or UNSAFE.search(name):
        problem = f"expected 1 to {NAME_LIMIT} characters, none of them control characters"
        raise InputError("name", problem)
    if owner is not None and (clean_email(owner) != owner.lower() or "@" not in owner):
        raise InputError("owner", "expected an email address")
    if new.kind is CalendarKind.ICS_URL:
        try:
            check_url(new.location, allow_private=allow_private)
        except FeedUrlRefused as exc:
            raise InputError("url", str(exc)) from exc
