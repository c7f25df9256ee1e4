"""How the config tree becomes each part's own settings object.

Pure translation: no object with a life is built here. One place per setting, so the sync,
an import and a preview read calendars under the same limits.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from service.adapters.feeds.fetch import FetchSettings
from service.adapters.runner import RunnerSettings
from service.config import Settings
from service.core.feed_reading import ReadSettings
from service.core.ics import FeedLimits
from service.core.polling import PollingPolicy
from service.core.timing import Timing
from service.usecases.dispatch import DispatchSettings
from service.usecases.preview import PreviewSettings
from service.usecases.replan import ReplanSettings
from service.usecases.track import TrackingSettings


def worker_id(settings: Settings) -> str:
    """This process's name in claims and leases: configured, else host, pid and a nonce."""
    return settings.scheduler.worker_id or (
        f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )


def timing(settings: Settings) -> Timing:
    return Timing(
        join_lead=settings.scheduler.join_lead,
        min_lead=settings.planner.min_lead,
        deadline_margin=settings.planner.deadline_margin,
    )


def polling_policy(settings: Settings) -> PollingPolicy:
    tracking = settings.tracking
    return PollingPolicy(
        in_call=tracking.in_call_interval,
        near_join=tracking.near_join_interval,
        far=tracking.far_interval,
        processing=tracking.processing_interval,
    )


def dispatch_settings(settings: Settings) -> DispatchSettings:
    return DispatchSettings(
        bot_name=settings.mavera.bot_name,
        workspace_id=settings.mavera.workspace_id,
        lease=settings.scheduler.lease,
        batch_size=settings.scheduler.batch_size,
        settle=settings.mavera.request_timeout * 2,
        give_up_after=settings.tracking.give_up_after,
        polling=polling_policy(settings),
        freeze=settings.scheduler.freeze,
        send_margin=settings.send_margin,
    )


def tracking_settings(settings: Settings) -> TrackingSettings:
    return TrackingSettings(
        policy=polling_policy(settings), workspace_id=settings.mavera.workspace_id
    )


def replan_settings(settings: Settings) -> ReplanSettings:
    return ReplanSettings(
        policy=settings.planner.policy,
        min_lead=settings.planner.min_lead,
        read_share=settings.tracking.read_share,
    )


def runner_settings(settings: Settings) -> RunnerSettings:
    return RunnerSettings(
        dispatch_tick=settings.scheduler.tick,
        tracking_tick=settings.tracking.tick,
        replan_interval=settings.planner.interval,
        timer_window=settings.scheduler.timer_window,
    )


def feed_limits(settings: Settings) -> FeedLimits:
    """The one place the ``calendars:`` limits become the parser's: sync, import, preview."""
    calendars = settings.calendars
    return FeedLimits(
        max_lines=calendars.max_feed_lines,
        max_events=calendars.max_feed_events,
        max_repetitions=calendars.max_feed_repetitions,
        max_occurrences=calendars.max_feed_occurrences,
        max_event_repetitions=calendars.max_event_repetitions,
        max_event_occurrences=calendars.max_event_occurrences,
    )


def read_settings(settings: Settings) -> ReadSettings:
    calendars = settings.calendars
    return ReadSettings(
        past=timedelta(days=calendars.past_days),
        ahead=timedelta(days=calendars.sync_days),
        fallback_zone=calendars.fallback_zone,
        limits=feed_limits(settings),
        rules=settings.rules,
        timing=timing(settings),
    )


def fetch_settings(settings: Settings) -> FetchSettings:
    calendars = settings.calendars
    return FetchSettings(
        timeout=calendars.fetch_timeout,
        max_bytes=calendars.max_feed_bytes,
        max_redirects=calendars.max_redirects,
        allow_private=calendars.allow_private_addresses,
    )


def preview_settings(settings: Settings) -> PreviewSettings:
    calendars = settings.calendars
    return PreviewSettings(
        rules=settings.rules,
        fallback_zone=calendars.fallback_zone,
        limits=feed_limits(settings),
        ahead=timedelta(days=calendars.sync_days),
    )
