"""The engine's legal guards on time-barred claims (LAW.md 4.1 Reg F §1006.26, 4.2 CONC 7.15, 4.6)."""

from __future__ import annotations

from engine_world import World, business, consumer, d, item
from recoup.domain.tasks import TaskKind

THREATENING = {"demand-letter", "agency-review", "litigation-review"}
RULE = "DE: 3 years from the end of the year the claim fell due (BGB §§195, 199)"


def barred_world(*items: object, customer: object, barred: dict[str, str]) -> World:
    world = World(*items, customer=customer)  # type: ignore[arg-type]
    world.change(
        barred_on={n: d(day) for n, day in barred.items()},
        limitation_rule=RULE,
        checklist_complete=True,
        approvals=frozenset({"agency-review", "litigation-review", "writeoff-review"}),
    )
    return world


def test_a_time_barred_consumer_debt_never_gets_a_step_that_threatens_legal_action() -> None:
    world = barred_world(item("INV-1", "2022-06-15"), customer=consumer(), barred={"INV-1": "2026-01-01"})
    world.run_days("2026-03-02", "2026-06-30")
    steps = {step for _day, step, _action in world.sent}
    assert steps, "the debt is still chased, only without threats"
    assert not steps & THREATENING
    for _day, decision in world.decisions:
        for action in decision.actions:
            assert action.next_step not in THREATENING
    codes = {x.code for _day, dec in world.decisions for x in dec.diagnostics}
    assert "time_barred" in codes
    assert not any(t.key.startswith("time-barred") for t in world.tasks.values())


def test_a_demand_letter_to_a_consumer_leaves_the_time_barred_invoice_out() -> None:
    world = barred_world(
        item("OLD-1", "2022-06-15", "300.00"),
        item("NEW-1", "2026-01-02", "100.00"),
        customer=consumer(),
        barred={"OLD-1": "2026-01-01", "NEW-1": "2030-01-01"},
    )
    world.run_days("2026-03-02", "2026-03-20")
    letters = [a for _day, dec in world.decisions for a in dec.actions if a.step == "demand-letter"]
    assert letters, "the fresh invoice reached its demand letter"
    assert all(a.invoices == ("NEW-1",) and str(a.total.amount) == "100.00" for a in letters)


def test_a_time_barred_business_debt_is_flagged_for_review_naming_the_rule_and_never_litigated() -> None:
    world = barred_world(item("INV-1", "2022-06-15"), customer=business(), barred={"INV-1": "2026-01-01"})
    world.run_days("2026-03-02", "2026-06-30")
    review = world.tasks["review:C1:EUR:time-barred:INV-1"]
    assert review.kind is TaskKind.REVIEW
    assert "BGB §§195, 199" in review.reason and "2026-01-01" in review.reason
    steps = {step for _day, step, _action in world.sent}
    assert "litigation-review" not in steps
    assert "writeoff-review" in steps


def test_a_claim_not_yet_time_barred_still_reaches_litigation_review() -> None:
    world = barred_world(item("INV-1", "2025-10-01"), customer=business(), barred={"INV-1": "2029-01-01"})
    world.run_days("2026-03-02", "2026-03-06")
    assert "litigation-review" in {step for _day, step, _action in world.sent}
    assert not any(t.key.startswith("time-barred") for t in world.tasks.values())
