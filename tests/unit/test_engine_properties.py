"""Properties of the engine over random ledgers and random gaps between runs (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from engine_world import World, consumer, item, people
from recoup.domain.cases import Dispute, Promise
from recoup.domain.money import Money
from recoup.policy.model import Action

BASE = dt.date(2026, 3, 2)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[World, list[dt.date], set[str]]:
    n = draw(st.integers(1, 4))
    dues = draw(st.lists(st.integers(-20, 120), min_size=n, max_size=n))
    items = [
        item(f"INV-{i}", (BASE + dt.timedelta(days=due)).isoformat(), "100.00") for i, due in enumerate(dues)
    ]
    is_consumer = draw(st.booleans())
    customer = consumer("C1") if is_consumer else None
    world = World(*items, customer=customer, contacts=people("C1"))
    paused: set[str] = set()
    if draw(st.booleans()):
        world.dispute(Dispute("INV-0", "C1", "goods", BASE))
        paused.add("INV-0")
    if n > 1 and draw(st.booleans()):
        promise = Promise("C1", Money("50.00", "EUR"), BASE + dt.timedelta(days=2000), BASE, ("INV-1",), id=1)
        world.promise(promise)
        paused.add("INV-1")
    gaps = draw(st.lists(st.integers(1, 25), min_size=1, max_size=25))
    days, day = [], BASE - dt.timedelta(days=25)
    for gap in gaps:
        day += dt.timedelta(days=gap)
        days.append(day)
    return world, days, paused


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_random_runs_never_repeat_a_step_never_chase_a_paused_item_and_rerunning_adds_nothing(
    case: tuple[World, list[dt.date], set[str]],
) -> None:
    world, days, paused = case
    for day in days:
        decision = world.run(day)
        again = world.run(day)
        assert again.actions == () and again.steps == (), "running twice on a day added something"
        channels = Counter(a.action for a in decision.actions)
        assert all(count == 1 for count in channels.values()), "two actions on one channel in a day"
        window = {
            i.number
            for i in world.snap.items
            if i.number not in paused and i.days_past_due(day) >= world.policy.first_offset
        }
        for action in decision.actions:
            assert not set(action.invoices) & paused, "a disputed or promised item was chased"
            assert set(action.invoices) == window, "a message did not list every item due"
            if world.snap.consumer:
                assert action.copies == ()
                assert len(action.recipients) <= 1 or action.action is Action.NOTIFY_SALES
                assert 8 <= action.window[0] < action.window[1] <= 21
                if action.next_step:
                    assert not world.policy.step(action.next_step).needs_approval
    records = Counter(
        (r.invoice_number, r.step) for _, dec in world.decisions for r in dec.steps if r.status != "waiting"
    )
    assert all(count == 1 for count in records.values()), "a step was recorded twice for an invoice"


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_messages_to_a_case_keep_the_minimum_gap(case: tuple[World, list[dt.date], set[str]]) -> None:
    world, days, _ = case
    for day in days:
        world.run(day)
    sent = sorted({d for d, _, action in world.sent if action in ("email", "letter")})
    gaps = [(b - a).days for a, b in itertools.pairwise(sent)]
    assert all(g >= world.policy.min_gap_days for g in gaps)
