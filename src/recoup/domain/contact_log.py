"""What a logged call, visit or note says, and what it leads to.

Every contact is recorded (small-business article, point 8) with how it went
(``Outcome``) and, when the customer said why it does not pay, the reason
(``Reason``, point 3: identify the problem). The reason decides what happens
next: an invoice that never arrived is sent again to the right person, a
complaint is a dispute and goes to sales, hard times call for a plan, a refusal
escalates. Someone who cannot be reached is tried again, and after several
failures the contact data is researched again (skip tracing, practice 3 step 2).
``follow_ups`` is that mapping, as a pure function, so it can be read and tested.
"""

from __future__ import annotations

from enum import StrEnum

from recoup.domain.errors import InvalidValueError

# Consecutive unsuccessful attempts after which the contact data is researched again.
SKIP_TRACING_AFTER = 3


class ContactKind(StrEnum):
    CALL = "call"
    VISIT = "visit"
    NOTE = "note"  # something learned otherwise (a chance meeting, sales); not an attempt to reach anyone


class Outcome(StrEnum):
    REACHED = "reached"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    REFUSED_TO_TALK = "refused_to_talk"


class Reason(StrEnum):
    """Why the customer is not paying, as far as the contact told."""

    FORGOT = "forgot"
    NOT_RECEIVED = "not_received"  # the invoice was not received, or went to the wrong person
    CASH_FLOW = "cash_flow"  # a cash-flow difficulty
    DISPUTE = "dispute"  # a complaint about the goods or the service
    AWAITING_APPROVAL = "awaiting_approval"  # stuck in the customer's approval process
    WILL_PAY = "will_pay"  # will pay on a date
    REFUSES = "refuses"
    UNREACHABLE = "unreachable"
    INSOLVENCY = "insolvency"
    NONE = "none"  # no reason given or learned


class FollowUp(StrEnum):
    RESEND_TO_NEW_CONTACT = "resend_to_new_contact"
    OPEN_DISPUTE = "open_dispute"
    NOTIFY_SALES = "notify_sales"
    OFFER_PLAN = "offer_plan"
    RECORD_PROMISE = "record_promise"
    SKIP_TRACING = "skip_tracing"
    REVIEW_LEGAL = "review_legal"  # insolvency: review the claim, e.g. file it with the administrator
    ESCALATE = "escalate"
    CALL_AGAIN = "call_again"


# Why each reason leads where it does:
_BY_REASON: dict[Reason, tuple[FollowUp, ...]] = {
    # The customer cannot pay what it never saw: send it again, to the person named now.
    Reason.NOT_RECEIVED: (FollowUp.RESEND_TO_NEW_CONTACT,),
    # A complaint is a red flag: the items are paused while the dispute is open, and the
    # sales person, who knows the customer and the delivery, is brought in.
    Reason.DISPUTE: (FollowUp.OPEN_DISPUTE, FollowUp.NOTIFY_SALES),
    # Hard times call for a plan, not a harsher letter.
    Reason.CASH_FLOW: (FollowUp.OFFER_PLAN,),
    # A date given is a promise; recorded, it pauses the chase until the date and is checked after.
    Reason.WILL_PAY: (FollowUp.RECORD_PROMISE,),
    # Insolvency changes the rules: the claim is reviewed and filed, not chased.
    Reason.INSOLVENCY: (FollowUp.REVIEW_LEGAL,),
    # An outright refusal moves the case up the ladder, and sales may know why.
    Reason.REFUSES: (FollowUp.ESCALATE, FollowUp.NOTIFY_SALES),
    # Nothing is wrong but the customer's attention: a reminder call in seven to ten days.
    Reason.FORGOT: (FollowUp.CALL_AGAIN,),
    Reason.AWAITING_APPROVAL: (FollowUp.CALL_AGAIN,),
    Reason.UNREACHABLE: (FollowUp.CALL_AGAIN,),
    Reason.NONE: (),
}

_UNSUCCESSFUL = frozenset({Outcome.NO_ANSWER, Outcome.WRONG_NUMBER})


def follow_ups(
    kind: ContactKind, outcome: Outcome, reason: Reason, *, unreachable_streak: int
) -> tuple[FollowUp, ...]:
    """What the contact leads to, in order, without repeats.

    The reason gives the follow-ups in ``_BY_REASON``. An attempt that reached nobody
    (outcome no_answer or wrong_number, or the reason unreachable) leads to another call;
    and when the number is wrong, or ``unreachable_streak`` (the consecutive unsuccessful
    attempts including this one) reaches SKIP_TRACING_AFTER (3), to skip tracing too: the
    contact data is likely stale, and calling the same number again would only pester.
    A note is not an attempt to reach anyone, so only its reason counts.
    A left message or a refusal to talk with no reason leads to nothing here: the ladder
    goes on at its own pace.
    """
    if unreachable_streak < 0:
        raise InvalidValueError(f"unreachable_streak cannot be negative ({unreachable_streak})")
    found = list(_BY_REASON[reason])
    attempt = kind is not ContactKind.NOTE
    unreachable = reason is Reason.UNREACHABLE or (attempt and outcome in _UNSUCCESSFUL)
    if unreachable:
        found.append(FollowUp.CALL_AGAIN)
        wrong_number = attempt and outcome is Outcome.WRONG_NUMBER
        if wrong_number or unreachable_streak >= SKIP_TRACING_AFTER:
            found.append(FollowUp.SKIP_TRACING)
    return tuple(dict.fromkeys(found))


def is_conversation(outcome: Outcome) -> bool:
    """Whether someone was actually spoken to: only ``reached``.

    The consumer guard counts conversations (no call within seven days after one, as US
    Regulation F presumes harassment otherwise); a message left, no answer, a wrong number
    or a hang-up is not a conversation.
    """
    return outcome is Outcome.REACHED
