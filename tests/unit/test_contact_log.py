"""What a logged contact leads to: the reason picks the follow-up, the unreachable are traced."""

from __future__ import annotations

import pytest

from recoup.domain.contact_log import ContactKind, FollowUp, Outcome, Reason, follow_ups, is_conversation
from recoup.domain.errors import InvalidValueError

CALL, VISIT, NOTE = ContactKind.CALL, ContactKind.VISIT, ContactKind.NOTE
F = FollowUp


def reached(reason: Reason, kind: ContactKind = CALL) -> tuple[FollowUp, ...]:
    return follow_ups(kind, Outcome.REACHED, reason, unreachable_streak=0)


def test_an_invoice_not_received_is_resent_to_the_new_contact() -> None:
    assert reached(Reason.NOT_RECEIVED) == (F.RESEND_TO_NEW_CONTACT,)


def test_a_dispute_opens_a_dispute_and_brings_in_sales() -> None:
    assert reached(Reason.DISPUTE) == (F.OPEN_DISPUTE, F.NOTIFY_SALES)


def test_cash_flow_trouble_leads_to_a_payment_plan_offer() -> None:
    assert reached(Reason.CASH_FLOW) == (F.OFFER_PLAN,)


def test_a_date_to_pay_is_recorded_as_a_promise() -> None:
    assert reached(Reason.WILL_PAY) == (F.RECORD_PROMISE,)


def test_insolvency_leads_to_a_legal_review_of_the_claim() -> None:
    assert reached(Reason.INSOLVENCY) == (F.REVIEW_LEGAL,)


def test_a_refusal_escalates_and_brings_in_sales() -> None:
    assert reached(Reason.REFUSES) == (F.ESCALATE, F.NOTIFY_SALES)


@pytest.mark.parametrize("reason", [Reason.FORGOT, Reason.AWAITING_APPROVAL])
def test_a_customer_who_forgot_or_awaits_approval_is_called_again(reason: Reason) -> None:
    assert reached(reason) == (F.CALL_AGAIN,)


def test_a_conversation_with_no_reason_leads_to_nothing_extra() -> None:
    assert reached(Reason.NONE) == ()


def test_a_visit_leads_where_a_call_would() -> None:
    assert reached(Reason.DISPUTE, VISIT) == (F.OPEN_DISPUTE, F.NOTIFY_SALES)


def test_no_answer_leads_to_another_call() -> None:
    assert follow_ups(CALL, Outcome.NO_ANSWER, Reason.NONE, unreachable_streak=1) == (F.CALL_AGAIN,)
    assert follow_ups(CALL, Outcome.NO_ANSWER, Reason.NONE, unreachable_streak=2) == (F.CALL_AGAIN,)


def test_the_third_unsuccessful_attempt_in_a_row_starts_skip_tracing() -> None:
    assert follow_ups(CALL, Outcome.NO_ANSWER, Reason.NONE, unreachable_streak=3) == (
        F.CALL_AGAIN,
        F.SKIP_TRACING,
    )
    assert follow_ups(VISIT, Outcome.NO_ANSWER, Reason.NONE, unreachable_streak=5) == (
        F.CALL_AGAIN,
        F.SKIP_TRACING,
    )


def test_a_wrong_number_starts_skip_tracing_at_once() -> None:
    assert follow_ups(CALL, Outcome.WRONG_NUMBER, Reason.NONE, unreachable_streak=1) == (
        F.CALL_AGAIN,
        F.SKIP_TRACING,
    )


def test_the_reason_unreachable_counts_like_an_unanswered_call() -> None:
    assert follow_ups(NOTE, Outcome.REACHED, Reason.UNREACHABLE, unreachable_streak=1) == (F.CALL_AGAIN,)
    assert follow_ups(NOTE, Outcome.REACHED, Reason.UNREACHABLE, unreachable_streak=3) == (
        F.CALL_AGAIN,
        F.SKIP_TRACING,
    )


def test_follow_ups_are_not_repeated() -> None:
    got = follow_ups(CALL, Outcome.NO_ANSWER, Reason.FORGOT, unreachable_streak=1)
    assert got == (F.CALL_AGAIN,)


def test_the_reason_and_the_failed_attempt_both_count() -> None:
    got = follow_ups(CALL, Outcome.WRONG_NUMBER, Reason.NOT_RECEIVED, unreachable_streak=1)
    assert got == (F.RESEND_TO_NEW_CONTACT, F.CALL_AGAIN, F.SKIP_TRACING)


def test_a_note_is_not_an_attempt_so_only_its_reason_counts() -> None:
    assert follow_ups(NOTE, Outcome.NO_ANSWER, Reason.CASH_FLOW, unreachable_streak=0) == (F.OFFER_PLAN,)


@pytest.mark.parametrize("outcome", [Outcome.LEFT_MESSAGE, Outcome.REFUSED_TO_TALK])
def test_a_left_message_or_a_hang_up_without_reason_leaves_the_pace_to_the_ladder(outcome: Outcome) -> None:
    assert follow_ups(CALL, outcome, Reason.NONE, unreachable_streak=0) == ()


def test_a_negative_streak_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="negative"):
        follow_ups(CALL, Outcome.NO_ANSWER, Reason.NONE, unreachable_streak=-1)


def test_every_reason_has_a_mapping() -> None:
    for reason in Reason:
        follow_ups(CALL, Outcome.REACHED, reason, unreachable_streak=0)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_only_reaching_someone_is_a_conversation(outcome: Outcome) -> None:
    assert is_conversation(outcome) is (outcome is Outcome.REACHED)
