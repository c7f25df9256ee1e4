"""The store's state writes go through the core's table: a write the table forbids is refused
before anything reaches the store (on every backend)."""

from __future__ import annotations

import pytest

from service.core.dispatch.states import DispatchEvent, DispatchState, sources
from service.core.errors import InvalidTransition
from tests.backends import Stores
from tests.contract import internals
from tests.contract.test_dispatch_store import DUE, LEASE, seed, state_of


def forbidden_for_a_claim() -> list[DispatchEvent]:
    """The events the table does not allow in a held (claimed) meeting."""
    return [event for event in DispatchEvent if DispatchState.CLAIMED not in sources(event)]


@pytest.mark.parametrize("event", forbidden_for_a_claim(), ids=str)
async def test_a_claim_cannot_end_on_an_event_the_table_forbids(
    stores: Stores, event: DispatchEvent
) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    with pytest.raises(InvalidTransition):
        await internals.settle(stores, intent.claim, DUE, event)
    assert await state_of(stores, meeting_id) is DispatchState.CLAIMED


@pytest.mark.parametrize(
    "event", [DispatchEvent.RELEASED, DispatchEvent.CREATED, DispatchEvent.FROZEN], ids=str
)
async def test_a_claim_goes_on_only_after_an_event_that_keeps_it_held(
    stores: Stores, event: DispatchEvent
) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    with pytest.raises(InvalidTransition):
        await internals.touch(stores, intent.claim, DUE, event)
    assert await internals.touch(stores, intent.claim, DUE, DispatchEvent.CANCELLED)
    assert await state_of(stores, meeting_id) is DispatchState.CLAIMED


@pytest.mark.parametrize("event", [DispatchEvent.PLANNED, DispatchEvent.LOST], ids=str)
async def test_a_late_answer_cannot_apply_an_event_the_table_forbids(
    stores: Stores, event: DispatchEvent
) -> None:
    [meeting_id] = await seed(stores)
    with pytest.raises(InvalidTransition):
        await internals.settle_unclaimed(stores, meeting_id, DUE, event)
    assert await state_of(stores, meeting_id) is DispatchState.WAITING
