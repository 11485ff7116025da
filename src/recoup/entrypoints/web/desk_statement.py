""" "Send a statement now" from the desk: a statement of account as a PDF letter, kept as evidence.

The statement is made the way ``recoup letter --kind statement`` makes it (every open invoice of
the currency, the payments of the last twelve months, in the customer's language), stored in the
document store, and logged as a ``letter`` entry whose document is that PDF, to be posted, like
the letters of the run (``services.letters.LetterChannel``). It does not go through the outbox: the
outbox holds the ladder's steps, one per case, step and cycle, and a statement asked for by a
person is none of those.
"""

from __future__ import annotations

import hashlib

from recoup import bootstrap
from recoup.adapters.documents import DocumentStore
from recoup.domain.activity import Activity
from recoup.services.letter_payload import letter_payload
from recoup.services.letters import language_of, letter_pdf, page_count
from recoup.services.ports import UnitOfWork
from recoup.services.rates import load_rate_book


def send_statement(
    uow: UnitOfWork, built: bootstrap.App, customer_id: str, currency: str, *, actor: str
) -> Activity:
    """Make, store and log the statement of ``customer_id`` in ``currency``; the caller commits."""
    today = built.today()
    settings = built.settings
    payload = letter_payload(
        uow, customer_id, "statement", today, currency=currency, policies=settings.policies
    )
    pdf = letter_pdf(
        "statement", payload, settings=settings, rates=load_rate_book(settings.rates), as_of=today
    )
    ref = DocumentStore(settings.documents).put(pdf, suffix="pdf")
    numbers = tuple(line["number"] for line in payload["invoices"])
    attention = payload["customer"].get("attention") or payload["customer"]["name"]
    entry = Activity(
        "letter",
        built.now(),
        actor,
        customer_id,
        f"Statement of account ({len(numbers)} open invoice(s), {payload['currency']} {payload['total']}) "
        f"for {attention}, made on the desk, to be posted",
        invoices=numbers,
        document=ref,
        data={
            "kind": "statement",
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "pages": page_count(pdf),
            "language": language_of(payload),
            "currency": payload["currency"],
            "recipients": payload["recipients"],
            "manual": True,
        },
    )
    uow.activities.add_many([entry])
    return entry
