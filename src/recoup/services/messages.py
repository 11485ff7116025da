"""The words of a message, from an outbox item's payload: plain text that states everything.

Practice 2: every message says the amount due per invoice and in total, the
due dates, what is disputed or promised (shown as such), the terms that
apply, how to dispute or promise, and what happens next and when. The
templates in several languages, HTML and PDF come with the message channels;
this plain rendering is what the recording channel keeps as the copy.
"""

from __future__ import annotations

from typing import Any

SUBJECTS = {
    "friendly": "Payment reminder",
    "firm": "Overdue invoices: payment required",
    "formal": "Final notice before further steps",
}


def render_text(payload: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of the message an outbox payload describes."""
    customer = payload["customer"]
    currency = payload["currency"]
    invoices = payload.get("invoices", [])
    step = payload["step"]
    if payload["action"] == "notify_sales":
        subject = f"Collections: {customer['name']} has {payload['overdue']} {currency} overdue ({step})"
    elif step == "courtesy":
        subject = f"Upcoming due date: {len(invoices)} invoice(s), {payload['total']} {currency}"
    else:
        subject = (
            f"{SUBJECTS.get(payload['tone'], 'Payment reminder')}: {payload['overdue']} {currency} overdue"
        )
    lines = [f"To: {customer['name']}", ""]
    if payload["action"] == "notify_sales":
        lines += [
            f"The account {customer['name']} ({customer['id']}) has reached step '{step}' of the "
            "collection ladder. You know the customer: is there a complaint, a delivery problem "
            "or a change we should know of?",
            "",
        ]
    lines.append(f"{'Invoice':<20}{'Due date':<14}{'Amount':>14}{'Open':>14}")
    for line in invoices:
        lines.append(f"{line['number']:<20}{line['due_date']:<14}{line['amount']:>14}{line['balance']:>14}")
    lines.append(f"{'Total open':<48}{payload['total']:>14} {currency}")
    lines.append(f"{'Of which overdue':<48}{payload['overdue']:>14} {currency}")
    shown = payload.get("shown", [])
    if shown:
        lines += ["", "Not requested in this message:"]
        lines += [f"  {s['number']} ({s['balance']} {currency}): {s['state']}" for s in shown]
    lines.append("")
    if payload.get("late_fee_clause"):
        lines.append(f"Late payment terms agreed in your contract: {payload['late_fee_clause']}")
    elif payload.get("terms"):
        lines.append(f"Agreed terms: {payload['terms']}")
    else:
        lines.append("Late payment interest and compensation apply as provided by law.")
    lines.append(
        "If you disagree with an invoice, tell us which one and why, and we will pause it while we "
        "look into it. If you need time, reply with the date you will pay or ask us for a payment plan."
    )
    if payload.get("next_step") and payload.get("next_on"):
        lines.append(
            f"If the overdue amount is not paid, the next step ({payload['next_step']}) follows on "
            f"{payload['next_on']}."
        )
    for notice in payload.get("notices", []):
        lines.append(f"[{notice['code']}] This message states {notice['text']} ({notice['source']}).")
    if payload.get("sales_owner"):
        lines.append(f"Your contact: {payload['sales_owner']}")
    return subject, "\n".join(lines)
