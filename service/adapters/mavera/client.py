"""MaveraClient: the Meetings API over aiohttp, with bounded timeouts and safe retries only."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from service.adapters.mavera import payloads
from service.core.api_key import ApiKey
from service.core.errors import (
    NOTHING_DONE,
    MaveraError,
    MaveraNotFound,
    MaveraNotSent,
    MaveraOutcomeUnknown,
    MaveraPaymentRequired,
    MaveraRateLimited,
    MaveraRejected,
    MaveraUnauthorized,
    SendWindowPassed,
)
from service.core.model import RemoteBot, RemotePage
from service.core.ports import Alerts, Clock, Purpose, RequestBudget
from service.core.redaction import redact_text

log = logging.getLogger(__name__)
T = TypeVar("T")

_REJECTIONS: Mapping[int, type[MaveraRejected]] = {
    401: MaveraUnauthorized,
    402: MaveraPaymentRequired,
    404: MaveraNotFound,
}
BOOKKEEPING = "rate-limit bookkeeping"
_backoff = wait_exponential(multiplier=0.5, max=8.0) + wait_random(0, 0.5)


class MaveraClient:
    """Every call spends one request from ``budget``.

    Retries happen only where they cannot make a second bot: a 429 (after Retry-After) and a
    connection that failed before anything was sent, for every call; a timeout or 5xx is
    retried only for reads and cancels. A create whose outcome is unknown raises
    ``MaveraOutcomeUnknown`` and is never re-sent here.

    Every answer is also told to ``alerts``: failures that are Mavera's or the account's
    (unreachable, 5xx, 429 storms, 401/402) become conditions, logged once with their cause
    and again when a request of the same kind succeeds.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: ApiKey,
        budget: RequestBudget,
        clock: Clock,
        timeout: timedelta,
        alerts: Alerts,
        attempts: int = 4,
    ) -> None:
        self._alerts = alerts
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._headers = {
            "Authorization": f"Bearer {api_key.reveal()}",
            "Accept": "application/json",
        }
        self._budget = budget
        self._clock = clock
        seconds = timeout.total_seconds()
        self._timeout = aiohttp.ClientTimeout(
            total=seconds + 5, connect=min(5.0, seconds), sock_read=seconds
        )
        self._attempts = attempts

    def __repr__(self) -> str:
        return f"MaveraClient(base_url={self._base_url!r})"

    async def create_bot(
        self,
        *,
        meeting_url: str,
        join_at: datetime,
        title: str,
        bot_name: str,
        workspace_id: str | None,
        send_by: datetime | None = None,
    ) -> RemoteBot:
        """Book a bot; with ``send_by``, the request is not sent at all after that time
        (``SendWindowPassed``), so it cannot outlive the claim it was sent under."""
        body = payloads.create_body(
            meeting_url=meeting_url,
            join_at=join_at,
            title=title,
            bot_name=bot_name,
            workspace_id=workspace_id,
        )
        data = await self._call(
            "POST", "/meetings", Purpose.CREATE, body=body, repeatable=False, send_by=send_by
        )
        return _parse(payloads.remote_bot, data)

    async def get_bot(self, mavera_id: str) -> RemoteBot:
        data = await self._call("GET", f"/meetings/{mavera_id}", Purpose.READ, repeatable=True)
        return _parse(payloads.remote_bot, data)

    async def cancel_bot(self, mavera_id: str, *, reason: str) -> None:
        path = f"/meetings/{mavera_id}/cancel"
        body = {"reason": reason[:500]}
        await self._call("POST", path, Purpose.CANCEL, body=body, repeatable=True)

    async def list_pages(
        self, *, workspace_id: str | None = None, page_size: int = 100, max_pages: int = 1000
    ) -> AsyncIterator[RemotePage]:
        """Pages of bots, following ``next_cursor`` or, in the older shape, the offset."""
        params: dict[str, str] = {"limit": str(page_size)}
        if workspace_id:
            params["workspace_id"] = workspace_id
        offset = 0
        for _ in range(max_pages):
            data = await self._call(
                "GET", "/meetings", Purpose.READ, params=params, repeatable=True
            )
            page, offset = _parse_page(data, offset)
            yield page
            if not page.has_more:
                return
            params.pop("cursor", None)
            params.pop("offset", None)
            if page.next_cursor:
                params["cursor"] = page.next_cursor
            else:
                params["offset"] = str(offset)

    async def _call(
        self,
        method: str,
        path: str,
        purpose: Purpose,
        *,
        repeatable: bool,
        body: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        send_by: datetime | None = None,
    ) -> Any:
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: _retryable(exc, repeatable=repeatable)),
            stop=stop_after_attempt(self._attempts),
            wait=_wait,
            sleep=self._clock.sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send(
                    method, path, purpose, body=body, params=params, send_by=send_by
                )
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _send(
        self,
        method: str,
        path: str,
        purpose: Purpose,
        *,
        body: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        send_by: datetime | None,
    ) -> Any:
        await self._budget.acquire(purpose, by=send_by)
        try:
            status, headers, text = await self._exchange(method, path, body=body, params=params)
            await self._observe(headers)
            if status < 300:
                data = _json(text, strict=True, status=status)
            else:
                error = self._error(status, headers, _json(text, strict=False))
                if isinstance(error, MaveraRateLimited):
                    until = self._clock.now() + timedelta(seconds=error.retry_after)
                    await self._budget.block(until)
                raise error
        except MaveraError as exc:
            self._alerts.mavera_failed(exc, request=f"{method} {path}", source=purpose.value)
            raise
        self._alerts.mavera_succeeded(source=purpose.value)
        return data

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
    ) -> tuple[int, Mapping[str, str], str]:
        url = self._base_url + path
        try:
            async with self._session.request(
                method, url, json=body, params=params, headers=self._headers, timeout=self._timeout
            ) as response:
                text = await response.text()
                status, headers = response.status, response.headers
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            raise MaveraNotSent(
                f"{method} {path}: could not connect ({type(exc).__name__})"
            ) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise MaveraOutcomeUnknown(f"{method} {path}: no answer in time") from exc
        except aiohttp.ClientError as exc:
            message = f"{method} {path}: connection broke ({type(exc).__name__})"
            raise MaveraOutcomeUnknown(message) from exc
        log.debug("mavera %s %s -> %d", method, path, status)
        return status, headers, text

    async def _observe(self, headers: Mapping[str, str]) -> None:
        limit = _int(headers.get("X-RateLimit-Limit"))
        remaining = _int(headers.get("X-RateLimit-Remaining"))
        try:
            await self._budget.observe(limit=limit, remaining=remaining, now=self._clock.now())
        except Exception as exc:
            # Bookkeeping must never cost the answer (a create's id above all); a failure
            # that lasts is one condition, not a traceback per request.
            self._alerts.pass_failed(BOOKKEEPING, exc)
            return
        self._alerts.pass_succeeded(BOOKKEEPING)

    def _error(self, status: int, headers: Mapping[str, str], data: Any) -> MaveraError:
        code, text = payloads.error_fields(data)
        # The answer may echo the key or the meeting link (passcode): neither is kept.
        message = redact_text(text, hide=[self._api_key.reveal()]) if text else f"HTTP {status}"
        if status == 429:
            now = self._clock.now()
            wait = payloads.retry_after_seconds(headers.get("Retry-After"), now=now)
            if wait is None:
                reset = _int(headers.get("X-RateLimit-Reset"))
                wait = max(1.0, reset - now.timestamp()) if reset else 1.0
            return MaveraRateLimited(message, retry_after=wait, code=code)
        if status >= 500:
            return MaveraOutcomeUnknown(message, status=status, code=code)
        return _REJECTIONS.get(status, MaveraRejected)(message, status=status, code=code)


def _retryable(exc: BaseException, *, repeatable: bool) -> bool:
    if isinstance(exc, SendWindowPassed):
        return False
    if isinstance(exc, NOTHING_DONE):
        return True
    return repeatable and isinstance(exc, MaveraOutcomeUnknown)


def _wait(state: RetryCallState) -> float:
    # After a 429 the budget itself waits until Retry-After has passed.
    failure = state.outcome.exception() if state.outcome else None
    return 0.0 if isinstance(failure, MaveraRateLimited) else float(_backoff(state))


def _json(text: str, *, strict: bool, status: int | None = None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError as exc:
        if strict:
            raise MaveraOutcomeUnknown(
                "answer is not JSON", status=status, code="invalid_json"
            ) from exc
        return None


def _parse(parser: Callable[[Any], T], data: Any) -> T:
    try:
        return parser(data)
    except payloads.PayloadError as exc:
        raise MaveraOutcomeUnknown(f"unexpected answer: {exc}") from exc


def _parse_page(data: Any, offset: int) -> tuple[RemotePage, int]:
    try:
        return payloads.page(data, offset=offset)
    except payloads.PayloadError as exc:
        raise MaveraOutcomeUnknown(f"unexpected answer: {exc}") from exc


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
