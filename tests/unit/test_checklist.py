"""The questions before a demand letter: records answer what they can, the collector the rest and wins."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.domain.checklist import QUESTIONS, Checklist, auto_answers, busy_season, late_pattern
from recoup.domain.errors import InvalidValueError

D = dt.date
IDS = [qid for qid, _ in QUESTIONS]


def test_the_questions_are_those_of_practice_three_in_order() -> None:
    assert IDS == [
        "right_recipient",
        "owner_contacted",
        "first_response",
        "pattern",
        "busy_season",
        "plan_offered",
    ]
    assert (
        dict(QUESTIONS)["owner_contacted"] == "Was the business owner or decision maker contacted directly?"
    )


def test_an_empty_checklist_misses_every_question() -> None:
    c = Checklist()
    assert not c.complete
    assert c.missing() == tuple(IDS)
    assert c.answer("pattern") is None


def test_the_collector_answer_wins_over_the_records() -> None:
    c = Checklist(answers={"pattern": False}, auto={"pattern": True, "busy_season": True})
    assert c.answer("pattern") is False
    assert c.answer("busy_season") is True
    assert c.source("pattern") == "collector"
    assert c.source("busy_season") == "records"
    assert c.source("plan_offered") == ""


def test_the_checklist_is_complete_when_records_and_collector_together_answer_everything() -> None:
    auto = {qid: True for qid in IDS[:4]}
    c = Checklist(answers={"busy_season": False}, auto=auto)
    assert c.missing() == ("plan_offered",)
    assert not c.complete
    done = c.with_answer("plan_offered", True)
    assert done.complete
    assert done.missing() == ()
    assert c.answers == {"busy_season": False}  # the original is unchanged


def test_a_false_answer_counts_as_an_answer() -> None:
    c = Checklist(answers=dict.fromkeys(IDS, False))
    assert c.complete


def test_rows_show_id_text_answer_and_source_in_order() -> None:
    rows = Checklist(answers={"plan_offered": True}, auto={"right_recipient": False}).as_rows()
    assert len(rows) == 6
    assert rows[0] == ("right_recipient", "Was the invoice sent to the right person?", False, "records")
    assert rows[1] == (
        "owner_contacted",
        "Was the business owner or decision maker contacted directly?",
        None,
        "",
    )
    assert rows[5] == ("plan_offered", "Was a payment plan offered?", True, "collector")


@pytest.mark.parametrize(
    "build",
    [
        lambda: Checklist(answers={"weather": True}),
        lambda: Checklist(auto={"weather": True}),
        lambda: Checklist().answer("weather"),
        lambda: Checklist().with_answer("weather", True),
    ],
)
def test_an_unknown_question_is_refused_naming_the_valid_ones(build: object) -> None:
    with pytest.raises(InvalidValueError, match=r"'weather'.*right_recipient, owner_contacted"):
        build()  # type: ignore[operator]


def on_time(due: dt.date) -> tuple[dt.date, dt.date]:
    return (due, due)


def late(due: dt.date, days: int = 10) -> tuple[dt.date, dt.date]:
    return (due, due + dt.timedelta(days=days))


def test_two_late_among_the_last_six_invoices_make_a_pattern() -> None:
    paid = [on_time(D(2026, m, 1)) for m in range(1, 5)] + [late(D(2026, 5, 1)), late(D(2026, 6, 1))]
    assert late_pattern(paid)


def test_one_late_invoice_is_no_pattern() -> None:
    paid = [on_time(D(2026, m, 1)) for m in range(1, 6)] + [late(D(2026, 6, 1))]
    assert not late_pattern(paid)


def test_paying_on_the_due_date_is_not_late() -> None:
    assert not late_pattern([on_time(D(2026, m, 1)) for m in range(1, 7)])


def test_late_invoices_older_than_the_last_six_do_not_count() -> None:
    paid = [late(D(2025, 1, 1)), late(D(2025, 2, 1))] + [on_time(D(2026, m, 1)) for m in range(1, 7)]
    assert not late_pattern(paid)


def test_the_last_six_are_chosen_by_due_date_whatever_the_order_given() -> None:
    paid = [late(D(2026, 8, 1)), *(on_time(D(2025, m, 1)) for m in range(1, 13)), late(D(2026, 7, 1))]
    assert late_pattern(paid)


def test_no_payment_history_is_no_pattern() -> None:
    assert not late_pattern([])


def test_late_payments_concentrated_in_the_month_make_a_busy_season() -> None:
    late_paid = [D(2023, 12, 20), D(2024, 12, 18), D(2025, 3, 3), D(2025, 7, 1)]  # 2 of 4 in December
    assert busy_season(late_paid, D(2026, 12, 5))
    assert not busy_season(late_paid, D(2026, 11, 5))


def test_a_quarter_of_the_late_payments_in_the_month_is_just_enough() -> None:
    late_paid = [D(2025, 12, 1), *(D(2025, m, 1) for m in (2, 3, 4, 5, 6, 7, 8))]  # 1 of 8 in December
    assert not busy_season(late_paid, D(2026, 12, 1))
    assert busy_season([*late_paid[:1], *late_paid[1:4]], D(2026, 12, 1))  # 1 of 4


def test_fewer_than_three_late_payments_say_nothing_about_seasons() -> None:
    assert not busy_season([D(2025, 12, 1), D(2024, 12, 1)], D(2026, 12, 1))


def test_late_payments_after_the_day_asked_about_are_not_yet_known() -> None:
    late_paid = [D(2025, 12, 1), D(2025, 12, 2), D(2027, 1, 1), D(2027, 2, 1)]
    assert not busy_season(late_paid, D(2026, 1, 10))  # only the two December ones are known


def test_auto_answers_leave_unknown_questions_to_the_collector() -> None:
    answers = auto_answers(
        invoices_sent_to_valid_billing=True,
        owner_contacted=None,
        responded=False,
        paid=[late(D(2026, 1, 1)), late(D(2026, 2, 1))],
        late_paid_on=[],
        plan_offered=None,
        as_of=D(2026, 6, 1),
    )
    assert answers == {
        "right_recipient": True,
        "first_response": False,
        "pattern": True,
        "busy_season": False,
    }
    c = Checklist(auto=answers)
    assert c.missing() == ("owner_contacted", "plan_offered")


def test_auto_answers_feed_a_complete_checklist_when_the_records_know_everything() -> None:
    answers = auto_answers(
        invoices_sent_to_valid_billing=False,
        owner_contacted=True,
        responded=True,
        paid=[],
        late_paid_on=[D(2024, 6, 3), D(2025, 6, 9), D(2025, 6, 30)],
        plan_offered=False,
        as_of=D(2026, 6, 1),
    )
    assert answers["busy_season"] is True
    assert answers["pattern"] is False
    assert Checklist(auto=answers).complete
