"""Email over SMTP against a real server on loopback (aiosmtpd): fake, SQLite and PostgreSQL stores.

The run plans, the dispatcher sends through ``SmtpChannel``, the server keeps
what it received; the tests read the messages back and compare them with the
copies in the document store and the activity log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from builders import contact, customer, given, invoice
from recoup.adapters.channels.recording import RecordingChannel
from recoup.adapters.channels.smtp import (
    PlainRendered,
    SmtpChannel,
    message_id,
    pdf_attachments,
    plain_render,
)
from recoup.adapters.documents import DocumentStore
from recoup.domain.calendar import WeekendsOnly
from recoup.domain.ladder import OutboxItem, OutboxStatus
from recoup.services.dispatch import dispatch
from recoup.services.letters import LetterChannel
from recoup.services.policies import PolicyBook, default_policy
from recoup.services.ports import PermanentChannelError, UnitOfWorkFactory
from recoup.services.run import plan_run
from recoup.settings import load_settings
from smtp_server import SmtpServer, free_port, smtp_server

BOOK = PolicyBook(default_policy())
SENDER = "Demo Supplier GmbH <collections@supplier.example>"
REPLY_TO = "team@supplier.example"
PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def with_html(payload: dict[str, Any]) -> PlainRendered:
    plain = plain_render(payload)
    html = f"<html><body><h1>{plain.subject}</h1><pre>{plain.text}</pre></body></html>"  # a marker
    return PlainRendered(plain.subject, plain.text, html, "de")


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def documents(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents")


def email(server: SmtpServer, documents: DocumentStore, **kw: Any) -> SmtpChannel:
    options: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "tls": "none",
        "sender": SENDER,
        "reply_to": REPLY_TO,
        "documents": documents,
        "timeout": 5,
    }
    return SmtpChannel(**(options | kw))


def ledger(uow_factory: UnitOfWorkFactory) -> None:
    given(
        uow_factory,
        customer("C1", sales_owner="sam@supplier.example", time_zone="UTC", language="de"),
        contact("Bea", customer="C1", email="ap@c1.example"),
        contact("Olga", customer="C1", email="owner@c1.example", role="owner"),
        invoice("INV-1", customer="C1", amount="100.00", issued="2026-02-02", due="2026-03-04"),
        invoice("INV-2", customer="C1", amount="50.00", issued="2026-02-07", due="2026-03-09"),
    )


def run(uow_factory: UnitOfWorkFactory, day: str) -> None:
    plan_run(uow_factory, book=BOOK, calendar=WeekendsOnly(), as_of=dt.date.fromisoformat(day), at=at(day, 9))


def outbox(uow_factory: UnitOfWorkFactory, key: str) -> OutboxItem:
    with uow_factory() as uow:
        return next(i for i in uow.outbox.for_customer("C1") if i.key == key)


REMINDER_1 = "C1/EUR/reminder-1/INV-1/email"
REMINDER_2 = "C1/EUR/reminder-2/INV-1/email"


def test_a_reminder_goes_out_by_smtp_and_the_exact_bytes_sent_are_kept_and_logged(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    result = dispatch(uow_factory, {"email": email(server, documents)}, now=lambda: at("2026-03-05"))
    assert result.sent == [REMINDER_1]
    (got,) = server.received
    assert got.mail_from == "collections@supplier.example" and got.rcpt_tos == ["ap@c1.example"]
    msg = got.message
    assert msg["From"] == SENDER
    assert msg["To"] == "ap@c1.example" and msg["Cc"] is None
    assert msg["Reply-To"] == REPLY_TO
    assert msg["Message-ID"] == message_id(REMINDER_1, SENDER)
    assert msg["Message-ID"].endswith("@supplier.example>")
    rendered = plain_render(outbox(uow_factory, REMINDER_1).payload)
    assert msg["Content-Language"] == rendered.language == "de"  # the customer's language
    assert msg["Subject"] == rendered.subject
    assert msg["Date"]
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n").rstrip() == rendered.text.rstrip()
    assert "INV-1" in text.get_content() and "INV-2" in text.get_content()
    assert "INV-1" in html.get_content() and "<" in html.get_content()

    with uow_factory() as uow:
        (log,) = [a for a in uow.activities.for_customer("C1") if a.kind == "email"]
    assert outbox(uow_factory, REMINDER_1).status is OutboxStatus.SENT
    ref = log.document
    stored = documents.get(ref)
    assert ref == f"sha256:{hashlib.sha256(stored).hexdigest()}.eml"
    assert stored == got.data  # byte for byte what the server received
    assert log.data["sha256"] == hashlib.sha256(got.data).hexdigest()
    assert log.data["message_id"] == msg["Message-ID"]
    assert log.data["recipients"] == ["ap@c1.example"] and log.data["copies"] == []
    assert log.data["size"] == len(got.data) and log.data["language"] == "de"
    assert log.data["subject"] == msg["Subject"] and "INV-1" in str(log.data["body"])
    assert "ap@c1.example" in log.text


def test_reminder_2_copies_the_owner_with_html_and_text_parts_and_the_attachments(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    channel = email(
        server,
        documents,
        render=with_html,
        attachments=lambda item: [("statement-C1.pdf", PDF, "application/pdf")],
    )
    run(uow_factory, "2026-03-05")
    dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05"))
    run(uow_factory, "2026-03-11")
    assert dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-11")).sent == [REMINDER_2]
    first, second = server.received
    assert sorted(second.rcpt_tos) == ["ap@c1.example", "owner@c1.example"]
    msg = second.message
    assert msg["To"] == "ap@c1.example" and msg["Cc"] == "owner@c1.example"
    assert msg["Content-Language"] == "de"
    assert msg["Message-ID"] == message_id(REMINDER_2, SENDER) != first.message["Message-ID"]
    assert msg["Subject"] == plain_render(outbox(uow_factory, REMINDER_2).payload).subject
    html = msg.get_body(("html",))
    plain = msg.get_body(("plain",))
    assert html is not None and plain is not None
    assert "<h1>" in html.get_content() and "INV-1" in plain.get_content()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "statement-C1.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    with uow_factory() as uow:
        logs = [a for a in uow.activities.for_customer("C1") if a.kind == "email"]
    log = next(a for a in logs if a.data["step"] == "reminder-2")
    assert documents.get(log.document) == second.data
    assert log.data["copies"] == ["owner@c1.example"] and "owner@c1.example" in log.text
    (kept,) = log.data["attachments"]  # type: ignore[misc]
    assert documents.get(kept["document"]) == PDF


def test_the_message_id_is_the_same_for_the_same_outbox_key(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    item = outbox(uow_factory, REMINDER_1)
    channel = email(server, documents)
    once, _, _ = channel.build(item)
    again, _, _ = channel.build(item)
    assert once["Message-ID"] == again["Message-ID"] == message_id(item.key, SENDER)
    other, _, _ = channel.build(replace(item, key=REMINDER_2))
    assert other["Message-ID"] != once["Message-ID"]


def test_a_transient_server_failure_is_retried_later_and_the_message_sent_once(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    server.fail("421 4.3.2 Service not available, try again later", stage="DATA", times=1)
    channel = email(server, documents)
    first = dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05", 10))
    assert first.retrying == [REMINDER_1] and server.received == []
    item = outbox(uow_factory, REMINDER_1)
    assert item.status is OutboxStatus.PENDING and "421" in item.error
    assert dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05", 10)).sent == []
    later = dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05", 11))
    assert later.sent == [REMINDER_1]
    assert len(server.received) == 1
    assert dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05", 12)).sent == []
    assert len(server.received) == 1
    with uow_factory() as uow:
        assert [a.kind for a in uow.activities.for_customer("C1")].count("email") == 1


def test_a_server_that_cannot_be_reached_is_a_transient_failure(
    uow_factory: UnitOfWorkFactory, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    channel = SmtpChannel(
        host="127.0.0.1",
        port=free_port(),  # nobody listens there
        tls="none",
        sender=SENDER,
        reply_to=None,
        documents=documents,
        timeout=2,
    )
    result = dispatch(uow_factory, {"email": channel}, now=lambda: at("2026-03-05"))
    assert result.retrying == [REMINDER_1]
    assert "unreachable" in outbox(uow_factory, REMINDER_1).error


def test_a_recipient_rejected_for_good_fails_the_item_with_the_servers_reason(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    server.fail("550 5.1.1 <ap@c1.example>: Recipient address rejected: User unknown", rcpt="ap@c1.example")
    result = dispatch(uow_factory, {"email": email(server, documents)}, now=lambda: at("2026-03-05"))
    assert result.failed == [REMINDER_1] and server.received == []
    item = outbox(uow_factory, REMINDER_1)
    assert item.status is OutboxStatus.FAILED
    assert "550 5.1.1" in item.error and "User unknown" in item.error and "ap@c1.example" in item.error
    with uow_factory() as uow:
        (failed,) = [a for a in uow.activities.for_customer("C1") if a.kind == "send_failed"]
    assert "550 5.1.1" in failed.text


def test_a_message_refused_at_data_fails_the_item(
    uow_factory: UnitOfWorkFactory, server: SmtpServer, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    server.fail("554 5.7.1 Message rejected as spam", stage="DATA")
    result = dispatch(uow_factory, {"email": email(server, documents)}, now=lambda: at("2026-03-05"))
    assert result.failed == [REMINDER_1]
    assert "554 5.7.1 Message rejected as spam" in outbox(uow_factory, REMINDER_1).error


def test_a_message_without_any_email_address_is_refused_for_good(
    server: SmtpServer, documents: DocumentStore
) -> None:
    item = OutboxItem(
        key="C9/EUR/final-notice/INV-9/letter",
        customer_id="C9",
        currency="EUR",
        step="final-notice",
        action="email",
        cycle="INV-9",
        as_of=dt.date(2026, 3, 5),
        payload={"recipients": ["Customer C9"], "copies": []},
    )
    with pytest.raises(PermanentChannelError, match="no email address"):
        email(server, documents).send(item)
    assert server.received == []


def test_the_letter_and_statement_a_step_asks_for_are_attached_as_pdfs() -> None:
    item = OutboxItem(
        key="C1/EUR/final-notice/INV-1/email",
        customer_id="C1",
        currency="EUR",
        step="final-notice",
        action="email",
        cycle="INV-1",
        as_of=dt.date(2026, 4, 5),
        payload={"attach": ["letter", "statement", "invoice"]},
    )
    made: list[str] = []

    def letter_pdf(kind: str, payload: dict[str, Any]) -> bytes:
        made.append(kind)
        return PDF

    files = pdf_attachments(item, letter_pdf)
    assert [(name, mime) for name, _, mime in files] == [
        ("final-notice-C1.pdf", "application/pdf"),
        ("statement-C1.pdf", "application/pdf"),
    ]
    assert made == ["final-notice", "statement"]


def test_the_recording_channel_keeps_its_copy_in_the_document_store_too(
    uow_factory: UnitOfWorkFactory, documents: DocumentStore
) -> None:
    ledger(uow_factory)
    run(uow_factory, "2026-03-05")
    recording = RecordingChannel(documents=documents)
    dispatch(uow_factory, {"email": recording}, now=lambda: at("2026-03-05"))
    with uow_factory() as uow:
        (log,) = [a for a in uow.activities.for_customer("C1") if a.kind == "email"]
    copy = documents.get(log.document).decode()
    assert log.document.endswith(".txt") and log.data["sha256"] == log.document[7:71]
    assert "To: ap@c1.example" in copy and "INV-1" in copy


def test_the_installation_sends_by_smtp_when_a_host_is_set_and_the_sales_owner_hears_by_email(
    server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recoup import bootstrap
    from recoup.entrypoints.run_cli import channels, recording_channels

    monkeypatch.setenv("RECOUP_DOCUMENTS", str(tmp_path / "evidence"))
    db = f"sqlite:///{tmp_path / 'recoup.db'}"
    monkeypatch.delenv("RECOUP_SMTP_HOST", raising=False)
    recorded = channels(bootstrap.build(db))
    assert isinstance(recorded["email"], RecordingChannel) and recorded["notify_sales"] is recorded["email"]
    monkeypatch.setenv("RECOUP_SMTP_HOST", server.host)
    monkeypatch.setenv("RECOUP_SMTP_PORT", str(server.port))
    monkeypatch.setenv("RECOUP_SMTP_TLS", "none")
    monkeypatch.setenv("RECOUP_SMTP_SENDER", "ar@supplier.example")
    monkeypatch.setenv("RECOUP_REPLY_TO", "collections@supplier.example")
    built = bootstrap.build(db)
    found = channels(built)
    assert isinstance(found["email"], SmtpChannel) and found["notify_sales"] is found["email"]
    assert isinstance(found["letter"], LetterChannel)
    assert {type(c) for c in recording_channels().values()} == {RecordingChannel}  # simulate
    ledger(built.uow)
    run(built.uow, "2026-03-05")
    run(built.uow, "2026-03-18")
    result = dispatch(built.uow, found, now=lambda: at("2026-03-18"))
    assert "C1/EUR/reminder-3/INV-1/notify_sales" in result.sent
    to_sales = [r for r in server.received if r.rcpt_tos == ["sam@supplier.example"]]
    assert len(to_sales) == 1
    msg = to_sales[0].message
    assert msg["From"].addresses[0].addr_spec == "ar@supplier.example"
    assert msg["Reply-To"] == "collections@supplier.example"
    assert msg["Content-Language"] and msg["Subject"]
    store = DocumentStore(tmp_path / "evidence")
    with built.uow() as uow:
        logs = [a for a in uow.activities.for_customer("C1") if a.kind in ("email", "notify_sales")]
    assert len(logs) == len(server.received) >= 2
    assert sorted(store.get(a.document) for a in logs) == sorted(r.data for r in server.received)
    built.engine.dispose()


def test_a_courtesy_note_carries_the_invoices_own_pdfs_and_the_terms(tmp_path: Path) -> None:
    folder = tmp_path / "invoices"
    folder.mkdir()
    (folder / "INV-1.pdf").write_bytes(b"%PDF-1.4 the invoice INV-1")
    (folder / "INV-X-3.pdf").write_bytes(b"%PDF-1.4 the invoice INV/X/3")
    terms = tmp_path / "terms-2026.pdf"
    terms.write_bytes(b"%PDF-1.4 terms")
    item = OutboxItem(
        key="C1/EUR/courtesy/INV-1/email",
        customer_id="C1",
        currency="EUR",
        step="courtesy",
        action="email",
        cycle="INV-1",
        as_of=dt.date(2026, 2, 27),
        payload={"attach": ["invoice", "terms"], "invoices": [{"number": "INV-1"}, {"number": "INV/X/3"}]},
    )
    files = pdf_attachments(item, lambda kind, payload: PDF, invoice_files=folder, terms_file=terms)
    assert [(name, data[:24]) for name, data, _ in files] == [
        ("invoice-INV-1.pdf", b"%PDF-1.4 the invoice INV"),
        ("invoice-INV-X-3.pdf", b"%PDF-1.4 the invoice INV"),
        ("terms-2026.pdf", b"%PDF-1.4 terms"),
    ]
    missing = replace(item, payload={**item.payload, "invoices": [{"number": "INV-9"}]})
    names = [name for name, _, _ in pdf_attachments(missing, lambda kind, payload: PDF, invoice_files=folder)]
    assert names == ["statement-C1.pdf"]  # no file for INV-9: the statement of account lists it instead


def test_an_attachment_setting_naming_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"RECOUP_TERMS_FILE: no file at .*absent\.pdf"):
        load_settings(terms_file=str(tmp_path / "absent.pdf"))
    with pytest.raises(ValueError, match="RECOUP_INVOICE_FILES: no folder at"):
        load_settings(invoice_files=str(tmp_path / "nowhere"))
