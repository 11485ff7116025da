"""Telling a bounce, a delivery delay, an out-of-office answer and a person's reply apart."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from recoup.adapters.mail.inbound import parse
from recoup.services.inbound import classify, first_lines, normalize_id


def mail(
    subject: str = "Re: invoice INV-1", body: str = "We will pay on Friday.", **headers: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Anna Petrov <AP@C1.example>"
    msg["To"] = "collections@supplier.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<Reply-1@c1.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return parse(msg.as_bytes())


def dsn(status: str, action: str, *, final: bool = True) -> EmailMessage:
    recipient = (
        "Final-Recipient: rfc822; ap@c1.example" if final else "Original-Recipient: rfc822;AP@c1.example"
    )
    raw = (
        "From: MAILER-DAEMON@mx.example\r\nSubject: Delivery Status Notification\r\n"
        "Message-ID: <dsn@mx.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type="delivery-status"; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        f"{recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User\r\n unknown\r\n\r\n--b--\r\n"
    )
    return parse(raw.encode())


def test_a_person_writing_back_is_a_reply_with_the_sender_in_lower_case() -> None:
    found = classify(mail())
    assert found.kind == "reply"
    assert (found.sender, found.message_id, found.subject) == (
        "ap@c1.example",
        "reply-1@c1.example",
        "Re: invoice INV-1",
    )


def test_in_reply_to_comes_first_then_the_references_newest_first() -> None:
    found = classify(mail(In_Reply_To="<B@x>", References="<a@x> <b@x> <c@x>"))
    assert found.references == ("b@x", "c@x", "a@x")


def test_a_permanent_failure_report_is_a_bounce_with_recipient_status_and_diagnostic() -> None:
    found = classify(dsn("5.1.1", "failed"))
    assert found.kind == "bounce"
    [failure] = found.failures
    assert (failure.recipient, failure.status, failure.action) == ("ap@c1.example", "5.1.1", "failed")
    assert failure.diagnostic == "smtp; 550 5.1.1 User unknown"


def test_the_original_recipient_is_used_when_the_final_one_is_missing() -> None:
    [failure] = classify(dsn("5.2.1", "failed", final=False)).failures
    assert failure.recipient == "ap@c1.example"


@pytest.mark.parametrize(
    ("status", "action"), [("4.4.1", "delayed"), ("4.2.2", "failed"), ("2.0.0", "delivered")]
)
def test_a_temporary_or_successful_report_is_not_a_bounce(status: str, action: str) -> None:
    assert classify(dsn(status, action)).kind == "delay"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Auto_Submitted": "auto-generated"},
        {"X_Autoreply": "yes"},
        {"X_Autorespond": "Out of office"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
    ],
)
def test_automatic_answer_headers_make_an_auto_reply(headers: dict[str, str]) -> None:
    assert classify(mail(**headers)).kind == "auto_reply"


def test_auto_submitted_no_is_a_person_writing() -> None:
    assert classify(mail(Auto_Submitted="no")).kind == "reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Reminder INV-1",
        "Automatic reply: Reminder INV-1",
        "Abwesenheitsnotiz: Zahlungserinnerung",
        "Automatische Antwort: Rechnung",
        "Absence : Relance facture",
        "Réponse automatique : Relance",
        "Fuera de la oficina: Recordatorio",
        "Respuesta automática: factura",
        "İzindeyim: Ödeme hatırlatması",
        "izindeyim",
        "Ofis dışında: Fatura",
        "OFİS DIŞINDA",
        "부재중: 결제 안내",
        "[자동 회신] 결제 안내",
    ],
)
def test_out_of_office_subjects_in_six_languages_make_an_auto_reply(subject: str) -> None:
    assert classify(mail(subject=subject)).kind == "auto_reply"


@pytest.mark.parametrize("subject", ["Re: Invoice INV-1 absences policy", "Re: Outstanding office supplies"])
def test_similar_words_inside_other_words_are_not_taken_for_an_out_of_office(subject: str) -> None:
    assert classify(mail(subject=subject)).kind == "reply"


def test_a_message_without_a_message_id_gets_a_stable_one_from_its_bytes() -> None:
    msg = mail()
    del msg["Message-ID"]
    assert classify(msg).message_id == classify(parse(msg.as_bytes())).message_id
    assert classify(msg).message_id.startswith("sha256-")


def test_the_first_lines_leave_out_quotes_and_the_quoted_original() -> None:
    body = (
        "Hello,\n\n> You owe 100.00\nWe paid it yesterday.\nOn Mon, 1 Dec 2026 Collections wrote:\nold text\n"
    )
    assert first_lines(mail(body=body)) == ["Hello,", "We paid it yesterday."]


def test_message_ids_compare_without_brackets_and_case() -> None:
    assert normalize_id(" <ABC@Supplier.example> ") == "abc@supplier.example"
