"""The rate-aware planner: properties (hypothesis) and worked examples."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.planner import Capacity, Job, PlanSettings, Policy, plan_dispatches

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAD = timedelta(minutes=10)
MARGIN = timedelta(seconds=30)


def job(key: int, join_in: timedelta) -> Job:
    join_at = NOW + join_in
    return Job(key=key, join_at=join_at, deadline=join_at - MARGIN)


def plan_settings(per_window: int, policy: Policy = Policy.JUST_IN_TIME) -> PlanSettings:
    return PlanSettings(
        policy=policy,
        min_lead=LEAD,
        capacity=Capacity(per_window=per_window, window=timedelta(seconds=60)),
    )


def earliest(jobs: list[Job], capacity: Capacity) -> dict[int, datetime]:
    """EDF from now at full pace: the earliest each job could possibly go."""
    times: dict[int, datetime] = {}
    at = NOW - capacity.spacing
    for item in sorted(jobs, key=lambda j: (j.deadline, j.key)):
        at = max(NOW, at + capacity.spacing)
        times[item.key] = at
    return times


def feasible(jobs: list[Job], capacity: Capacity) -> bool:
    first = earliest(jobs, capacity)
    return all(first[item.key] <= item.deadline for item in jobs)


def max_in_any_window(times: list[datetime], window: timedelta) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while ordered[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


joins = st.integers(min_value=-120, max_value=4 * 3600).map(lambda s: timedelta(seconds=s))
job_lists = st.lists(joins, min_size=0, max_size=150).map(
    lambda offsets: [job(key, offset) for key, offset in enumerate(offsets)]
)
capacities = st.integers(min_value=1, max_value=600)
policies = st.sampled_from([Policy.JUST_IN_TIME, Policy.AS_SOON_AS_KNOWN])


@settings(max_examples=300, deadline=None)
@given(jobs=job_lists, per_window=capacities, policy=policies)
def test_no_window_is_planned_above_capacity(
    jobs: list[Job], per_window: int, policy: Policy
) -> None:
    config = plan_settings(per_window, policy)
    plan = plan_dispatches(jobs, now=NOW, settings=config)
    assert set(plan.times) == {j.key for j in jobs}
    assert max_in_any_window(list(plan.times.values()), config.capacity.window) <= per_window
    assert all(at >= NOW for at in plan.times.values())


@settings(max_examples=300, deadline=None)
@given(jobs=job_lists, per_window=capacities, policy=policies)
def test_deadlines_hold_whenever_a_feasible_schedule_exists(
    jobs: list[Job], per_window: int, policy: Policy
) -> None:
    config = plan_settings(per_window, policy)
    plan = plan_dispatches(jobs, now=NOW, settings=config)
    by_key = {j.key: j for j in jobs}
    if feasible(jobs, config.capacity):
        assert plan.on_time
        assert all(plan.times[k] <= by_key[k].deadline for k in plan.times)
    else:
        assert not plan.on_time
    for late in plan.late:
        assert late.by == plan.times[late.key] - by_key[late.key].deadline > timedelta(0)


@settings(max_examples=300, deadline=None)
@given(jobs=job_lists, per_window=capacities)
def test_nothing_is_later_than_comfortable_unless_the_pace_forces_it(
    jobs: list[Job], per_window: int
) -> None:
    config = plan_settings(per_window)
    plan = plan_dispatches(jobs, now=NOW, settings=config)
    first = earliest(jobs, config.capacity)
    for item in jobs:
        assert plan.times[item.key] <= max(item.join_at - LEAD, first[item.key])


@settings(max_examples=200, deadline=None)
@given(jobs=job_lists, extra=joins, per_window=capacities, policy=policies)
def test_adding_a_meeting_never_makes_another_late_while_capacity_remains(
    jobs: list[Job], extra: timedelta, per_window: int, policy: Policy
) -> None:
    config = plan_settings(per_window, policy)
    grown = [*jobs, job(len(jobs), extra)]
    if feasible(grown, config.capacity):
        plan = plan_dispatches(grown, now=NOW, settings=config)
        assert plan.on_time


@settings(max_examples=200, deadline=None)
@given(jobs=job_lists, per_window=capacities, policy=policies, seed=st.integers(0, 1000))
def test_plans_are_deterministic_for_equal_input(
    jobs: list[Job], per_window: int, policy: Policy, seed: int
) -> None:
    config = plan_settings(per_window, policy)
    shuffled = list(jobs)
    random.Random(seed).shuffle(shuffled)
    assert plan_dispatches(jobs, now=NOW, settings=config) == plan_dispatches(
        shuffled, now=NOW, settings=config
    )


@settings(max_examples=200, deadline=None)
@given(jobs=job_lists, per_window=capacities)
def test_dispatches_go_out_in_deadline_order(jobs: list[Job], per_window: int) -> None:
    plan = plan_dispatches(jobs, now=NOW, settings=plan_settings(per_window))
    by_deadline = sorted(jobs, key=lambda j: (j.deadline, j.key))
    times = [plan.times[j.key] for j in by_deadline]
    assert times == sorted(times)


def test_a_peak_is_pulled_earlier_exactly_as_far_as_needed() -> None:
    # 1,200 meetings join at 09:00; 420 creates a minute fit (600/min with 30% for reads).
    jobs = [job(k, timedelta(hours=1)) for k in range(1200)]
    plan = plan_dispatches(jobs, now=NOW, settings=plan_settings(420))
    times = sorted(plan.times.values())
    assert plan.on_time
    assert times[-1] == NOW + timedelta(hours=1) - LEAD
    spread = times[-1] - times[0]
    assert timedelta(seconds=1199 * 60 / 420) <= spread < timedelta(seconds=1199 * 60 / 420 + 1)


def test_a_lone_meeting_is_booked_at_the_comfortable_lead() -> None:
    plan = plan_dispatches([job(1, timedelta(hours=2))], now=NOW, settings=plan_settings(60))
    assert plan.times == {1: NOW + timedelta(hours=2) - LEAD}


def test_an_overload_says_who_is_late_and_by_how_much() -> None:
    # Three meetings 10 s from their deadlines, one create per minute.
    jobs = [job(k, MARGIN + timedelta(seconds=10)) for k in range(3)]
    plan = plan_dispatches(jobs, now=NOW, settings=plan_settings(1))
    assert plan.times == {0: NOW, 1: NOW + timedelta(minutes=1), 2: NOW + timedelta(minutes=2)}
    assert [(late.key, late.by) for late in plan.late] == [
        (2, timedelta(seconds=110)),
        (1, timedelta(seconds=50)),
    ]


def test_as_soon_as_known_books_everything_now_at_the_budget_pace() -> None:
    jobs = [job(k, timedelta(days=3, minutes=k)) for k in range(3)]
    plan = plan_dispatches(jobs, now=NOW, settings=plan_settings(6, Policy.AS_SOON_AS_KNOWN))
    assert plan.times == {
        0: NOW,
        1: NOW + timedelta(seconds=10),
        2: NOW + timedelta(seconds=20),
    }


def test_fixed_lead_does_not_smooth_a_burst() -> None:
    jobs = [job(k, timedelta(hours=1)) for k in range(50)]
    plan = plan_dispatches(jobs, now=NOW, settings=plan_settings(10, Policy.FIXED_LEAD))
    assert set(plan.times.values()) == {NOW + timedelta(hours=1) - LEAD}


def test_spacing_rounds_up_so_a_window_never_fits_one_more() -> None:
    capacity = Capacity(per_window=7, window=timedelta(seconds=61))
    assert capacity.spacing * 7 >= timedelta(seconds=61)
    assert capacity.spacing - timedelta(microseconds=1) < timedelta(seconds=61) / 7
