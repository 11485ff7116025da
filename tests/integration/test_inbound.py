"""Replies and bounces read from a real Maildir, on every store: filed on the right customer, tasks raised,
bounced contacts marked invalid, out-of-office answers not taken for a response, nothing filed twice."""

from __future__ import annotations

import datetime as dt
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from builders import contact, customer, given, note
from recoup.adapters.mail.inbound import MaildirSource, parse
from recoup.domain.activity import Activity
from recoup.domain.tasks import TaskKind
from recoup.services.cases import records_answers
from recoup.services.inbound import IngestResult, ingest
from recoup.services.ports import UnitOfWorkFactory

AT = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
SENT_ID = "<3f2a9c0d1e5b4a7f8c6d2e1b0a9f8e7d@supplier.example>"


@pytest.fixture
def ledger(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """C1 has Anna (ap@c1.example) and Ben (ben@c1.example); C2 has Carla; an email went to C2 as SENT_ID."""
    sent = Activity(
        "email",
        dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC),
        "system",
        "C2",
        "Reminder sent to carla@c2.example",
        data={"message_id": SENT_ID, "key": "C2:EUR:reminder-1:1", "recipients": ["carla@c2.example"]},
    )
    given(
        uow_factory,
        customer("C1"),
        customer("C2"),
        customer("C3"),
        contact("Anna Petrov", customer="C1", email="ap@c1.example"),
        contact("Ben Ode", customer="C1", email="Ben@C1.example", role="owner"),
        contact("Carla Diaz", customer="C2", email="carla@c2.example"),
        contact("Dae-jung Kim", customer="C3", email="kim@c3.example"),
        sent,
        note("an unrelated note", customer="C3"),
    )
    return uow_factory


def mail(sender: str, subject: str, body: str, *, mid: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "collections@supplier.example"
    msg["Subject"] = subject
    msg["Message-ID"] = mid
    msg["Date"] = "Tue, 24 Nov 2026 16:02:00 +0100"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def dsn(recipient: str, status: str, *, action: str = "failed", mid: str = "<dsn-1@mx.c1.example>") -> bytes:
    """A delivery status notification as a mail server writes it (RFC 3464)."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.supplier.example>\r\n"
        "To: collections@supplier.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {mid}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"\r\n'
        "\r\n"
        "--REPORT\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "\r\n"
        "--REPORT\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.supplier.example\r\n"
        "Arrival-Date: Tue, 24 Nov 2026 16:00:00 +0100\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822; {recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address rejected: User unknown\r\n"
        "\r\n"
        "--REPORT\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        "From: collections@supplier.example\r\n"
        f"To: {recipient}\r\n"
        "Subject: Reminder: invoice INV-1\r\n"
        "\r\n"
        "--REPORT--\r\n"
    ).encode()


def maildir(tmp_path: Path, *messages: bytes) -> Path:
    path = tmp_path / "inbox"
    box = mailbox.Maildir(path, create=True)
    for raw in messages:
        box.add(raw)
    box.close()
    return path


def run(factory: UnitOfWorkFactory, path: Path) -> IngestResult:
    source = MaildirSource(path)

    def read():  # type: ignore[no-untyped-def]
        for key, raw in source.messages():
            yield parse(raw)
            source.done(key)

    try:
        return ingest(factory, read(), at=AT)
    finally:
        source.close()


def log(factory: UnitOfWorkFactory, customer_id: str, kind: str | None = None) -> list[Activity]:
    with factory() as uow:
        return [a for a in uow.activities.for_customer(customer_id) if kind is None or a.kind == kind]


def test_a_reply_to_a_logged_email_is_filed_on_that_customer_with_a_task_to_answer_it(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    raw = mail(
        "Someone New <assistant@c2.example>",
        "Re: Reminder: invoice INV-3",
        "> Dear Carla,\n\nWe paid this on Friday, see the attached remittance.\nRegards\n",
        mid="<reply-1@c2.example>",
        In_Reply_To=SENT_ID,
        References=SENT_ID,
    )
    result = run(ledger, maildir(tmp_path, raw))
    assert (result.replies, result.unmatched, result.duplicates) == (1, 0, 0)
    [entry] = log(ledger, "C2", "reply")
    assert entry.data["message_id"] == "reply-1@c2.example"
    assert entry.data["in_reply_to"] == SENT_ID.strip("<>")
    assert entry.data["from"] == "assistant@c2.example"
    assert "We paid this on Friday" in entry.text and "Dear Carla" not in entry.text
    with ledger() as uow:
        [task] = uow.tasks.open(customer_ids=["C2"])
    assert task.kind is TaskKind.REPLY and "answer" in task.reason


def test_a_reply_without_reference_headers_is_matched_by_the_sender_address_of_a_contact(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    raw = mail(
        "Ben Ode <ben@c1.example>", "Invoice INV-1", "We will pay next week.\n", mid="<b-1@c1.example>"
    )
    result = run(ledger, maildir(tmp_path, raw))
    assert result.replies == 1
    [entry] = log(ledger, "C1", "reply")
    assert "We will pay next week." in entry.text
    with ledger() as uow:
        assert [t.kind for t in uow.tasks.open(customer_ids=["C1"])] == [TaskKind.REPLY]
        contacts = uow.contacts.for_customer("C1")
        history = uow.activities.for_customer("C1")
    answers = records_answers(
        contacts=contacts, sent_to=[], paid=[], plan_in_force=False, history=history, as_of=AT.date()
    )
    assert answers["first_response"] is True


def test_a_permanent_bounce_marks_the_contact_invalid_logs_it_and_raises_a_skip_tracing_task(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    result = run(ledger, maildir(tmp_path, dsn("ap@c1.example", "5.1.1")))
    assert (result.bounces, result.replies, result.auto_replies) == (1, 0, 0)
    with ledger() as uow:
        anna = {c.name: c for c in uow.contacts.for_customer("C1")}["Anna Petrov"]
        tasks = uow.tasks.open(customer_ids=["C1"])
    assert anna.valid is False and anna.email == "ap@c1.example"  # kept, never deleted
    assert [t.kind for t in tasks] == [TaskKind.SKIP_TRACING]
    [bounce] = log(ledger, "C1", "bounce")
    assert bounce.data["status"] == "5.1.1" and bounce.data["recipient"] == "ap@c1.example"
    assert "User unknown" in bounce.data["diagnostic"] and "5.1.1" in bounce.text
    assert [a.kind for a in log(ledger, "C1", "contact_invalid")] == ["contact_invalid"]


def test_a_delayed_delivery_report_is_not_a_bounce_and_changes_nothing(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    before = log(ledger, "C1")
    result = run(ledger, maildir(tmp_path, dsn("ap@c1.example", "4.4.1", action="delayed")))
    assert (result.bounces, result.delays, result.replies, result.unmatched) == (0, 1, 0, 0)
    with ledger() as uow:
        assert all(c.valid for c in uow.contacts.for_customer("C1"))
        assert uow.tasks.open(customer_ids=["C1"]) == []
    assert len(log(ledger, "C1")) == len(before)


@pytest.mark.parametrize(
    ("sender", "subject", "customer_id"),
    [
        ("Anna Petrov <ap@c1.example>", "Abwesenheitsnotiz: Zahlungserinnerung INV-1", "C1"),
        ("김대중 <kim@c3.example>", "부재중: 결제 안내", "C3"),
    ],
)
def test_an_out_of_office_answer_is_logged_without_a_task_and_is_not_a_first_response(
    ledger: UnitOfWorkFactory, tmp_path: Path, sender: str, subject: str, customer_id: str
) -> None:
    raw = mail(sender, subject, "Ich bin bis zum 30.11. nicht im Büro.\n", mid=f"<ooo@{customer_id}.example>")
    result = run(ledger, maildir(tmp_path, raw))
    assert (result.auto_replies, result.replies) == (1, 0)
    assert [a.kind for a in log(ledger, customer_id) if a.actor == "mail"] == ["auto_reply"]
    with ledger() as uow:
        assert uow.tasks.open(customer_ids=[customer_id]) == []
        contacts = uow.contacts.for_customer(customer_id)
        history = uow.activities.for_customer(customer_id)
    answers = records_answers(
        contacts=contacts, sent_to=[], paid=[], plan_in_force=False, history=history, as_of=AT.date()
    )
    assert "first_response" not in answers  # still open: the collector must find out


def test_a_sender_nobody_knows_is_counted_as_unmatched_and_nothing_is_logged(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    raw = mail("spam@elsewhere.example", "Great offer", "Buy now\n", mid="<x@elsewhere.example>")
    result = run(ledger, maildir(tmp_path, raw))
    assert (result.unmatched, result.replies) == (1, 0)
    assert result.unmatched_from == ["reply from spam@elsewhere.example: Great offer"]
    assert all(a.actor != "mail" for c in ("C1", "C2", "C3") for a in log(ledger, c))


def test_ingesting_the_same_folder_twice_adds_nothing_the_second_time(
    ledger: UnitOfWorkFactory, tmp_path: Path
) -> None:
    messages = [
        mail("ben@c1.example", "Re: INV-1", "Paid.\n", mid="<b-2@c1.example>"),
        mail("carla@c2.example", "Out of Office", "Back Monday.\n", mid="<c-ooo@c2.example>"),
        dsn("ap@c1.example", "5.1.1"),
    ]
    path = maildir(tmp_path, *messages)
    first = run(ledger, path)
    assert (first.replies, first.auto_replies, first.bounces) == (1, 1, 1)
    snapshot = [log(ledger, c) for c in ("C1", "C2")]
    second = run(ledger, path)
    assert second == IngestResult()  # the folder is empty now: processed messages were moved away
    assert len(list(mailbox.Maildir(path).get_folder("processed").keys())) == 3
    # The same messages delivered again (a copy in the inbox) are recognised by their Message-ID.
    again = run(ledger, maildir(tmp_path, *messages))
    assert (again.duplicates, again.replies, again.auto_replies, again.bounces) == (3, 0, 0, 0)
    assert [log(ledger, c) for c in ("C1", "C2")] == snapshot
    with ledger() as uow:
        assert sorted(t.kind for t in uow.tasks.open(customer_ids=["C1"])) == [
            TaskKind.REPLY,
            TaskKind.SKIP_TRACING,
        ]
