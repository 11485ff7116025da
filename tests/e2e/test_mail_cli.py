"""``recoup mail ingest`` as a user runs it: a Maildir (and a tiny IMAP server) onto a SQLite ledger."""

from __future__ import annotations

import json
import mailbox
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from test_cli import load_examples, recoup

from recoup import bootstrap


def mail(sender: str, subject: str, body: str, mid: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "collections@supplier.example"
    msg["Subject"] = subject
    msg["Message-ID"] = mid
    msg.set_content(body)
    return msg.as_bytes()


def bounce(recipient: str) -> bytes:
    """A delivery status notification (RFC 3464) saying ``recipient`` does not exist."""
    return (
        "From: MAILER-DAEMON@mx.supplier.example\r\n"
        "To: collections@supplier.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-7@mx.supplier.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.supplier.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n"
        "--R--\r\n"
    ).encode()


MESSAGES = [
    mail(
        "Petra Klein <buchhaltung@acme-maschinenbau.example>", "AW: Rechnung", "Zahlung folgt.", "<p1@acme>"
    ),
    mail("ar@hanbit.example", "부재중 자동 회신", "12월 1일에 복귀합니다.", "<h1@hanbit>"),
    mail("stranger@nowhere.example", "Hello", "Who are you?", "<s1@nowhere>"),
    bounce("compta@dupont-logistique.example"),
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "mail.db")
    load_examples(path)
    return path


def maildir(tmp_path: Path) -> Path:
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    for raw in MESSAGES:
        box.add(raw)
    return tmp_path / "inbox"


def activities(db: str, customer_id: str) -> list[str]:
    with bootstrap.build(db).uow() as uow:
        return [a.kind for a in uow.activities.for_customer(customer_id)]


def test_mail_ingest_files_replies_auto_replies_and_bounces_from_a_maildir_and_says_what_is_unmatched(
    db: str, tmp_path: Path
) -> None:
    path = maildir(tmp_path)
    code, out, err = recoup("mail", "ingest", "--maildir", str(path), "--json", "--db", db)
    assert code == 0, err
    result = json.loads(out)
    assert {k: result[k] for k in ("replies", "auto_replies", "bounces", "unmatched", "duplicates")} == {
        "replies": 1,
        "auto_replies": 1,
        "bounces": 1,
        "unmatched": 1,
        "duplicates": 0,
    }
    assert result["unmatched_from"] == ["reply from stranger@nowhere.example: Hello"]
    assert "reply" in activities(db, "ACME-DE")
    assert "auto_reply" in activities(db, "HANBIT") and "reply" not in activities(db, "HANBIT")
    assert {"bounce", "contact_invalid"} <= set(activities(db, "DUPONT"))
    code, out, err = recoup("mail", "ingest", "--maildir", str(path), "--db", db)
    assert code == 0, err
    assert "unmatched" in out and "replies" in out  # the table, all zeros: everything was moved away
    assert list(mailbox.Maildir(path).keys()) == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ((), "--maildir"),
        (("--maildir", "/no/such/folder", "--imap-host", "localhost"), "not both"),
        (("--maildir", "/no/such/folder"), "--maildir"),
        (("--imap-host", "localhost", "--imap-port", "70000"), "--imap-port"),
        (("--imap-host", "localhost", "--imap-user", "ar"), "--imap-password"),
    ],
)
def test_mail_ingest_refuses_bad_options_naming_the_option(
    db: str, args: tuple[str, ...], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RECOUP_IMAP_PASSWORD", raising=False)
    code, _out, err = recoup("mail", "ingest", *args, "--db", db)
    assert code == 1
    assert named in err


def test_mail_ingest_says_which_imap_server_it_cannot_reach(db: str) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _out, err = recoup(
        "mail", "ingest", "--imap-host", "127.0.0.1", "--imap-port", str(port), "--no-imap-ssl"
    )
    assert code == 1
    assert "--imap-host" in err and f"127.0.0.1:{port}" in err


class _Imap(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib: LOGIN, SELECT, UID SEARCH/FETCH/STORE, CLOSE, LOGOUT."""

    store: dict[int, list[object]]  # uid -> [raw bytes, seen]
    logins: list[tuple[str, str]]

    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.send("* OK IMAP4rev1 test server ready")
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            tag, command, *rest = line.split(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                self.logins.append((rest[0].strip('"'), rest[1].strip('"')))
            elif command == "SELECT":
                self.send(f"* {len(self.store)} EXISTS")
                self.send("* FLAGS (\\Seen)")
            elif command == "UID" and rest[0].upper() == "SEARCH":
                self.send("* SEARCH " + " ".join(str(u) for u, (_, seen) in self.store.items() if not seen))
            elif command == "UID" and rest[0].upper() == "FETCH":
                uid = int(rest[1])
                raw = self.store[uid][0]
                assert isinstance(raw, bytes)
                self.wfile.write(
                    f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n"
                )
            elif command == "UID" and rest[0].upper() == "STORE":
                self.store[int(rest[1])][1] = True
                self.send(f"* {rest[1]} FETCH (FLAGS (\\Seen))")
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            self.send(f"{tag} OK {command} completed")


class _ImapSsl(socketserver.ThreadingTCPServer):
    """The same server speaking IMAP over implicit TLS (as on port 993), its certificate from ``context``."""

    context: ssl.SSLContext

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), address


def _serve(handler: type[_Imap], context: ssl.SSLContext | None = None) -> socketserver.ThreadingTCPServer:
    if context is None:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    else:
        server = type("Server", (_ImapSsl,), {"context": context})(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _handler() -> type[_Imap]:
    return type(
        "Handler", (_Imap,), {"store": {i + 1: [raw, False] for i, raw in enumerate(MESSAGES)}, "logins": []}
    )


@pytest.fixture
def imap_server() -> Iterator[tuple[int, type[_Imap]]]:
    handler = _handler()
    server = _serve(handler)
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def test_mail_ingest_reads_the_unseen_imap_messages_and_flags_them_seen(
    db: str, imap_server: tuple[int, type[_Imap]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, handler = imap_server
    monkeypatch.setenv("RECOUP_IMAP_PASSWORD", "s3cret")
    args = ("--imap-host", "127.0.0.1", "--imap-port", str(port), "--no-imap-ssl", "--imap-user", "ar")
    code, out, err = recoup("mail", "ingest", *args, "--json", "--db", db)
    assert code == 0, err
    result = json.loads(out)
    assert (result["replies"], result["auto_replies"], result["bounces"], result["unmatched"]) == (1, 1, 1, 1)
    assert handler.logins == [("ar", "s3cret")]
    assert all(seen for _, seen in handler.store.values())
    code, out, err = recoup("mail", "ingest", *args, "--json", "--db", db)
    assert code == 0, err
    assert json.loads(out)["replies"] == 0  # nothing unseen is left


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def imap_ssl_server(authority: trustme.CA) -> Iterator[tuple[int, type[_Imap]]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    handler = _handler()
    server = _serve(handler, context)
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def test_mail_ingest_reads_over_imap_ssl_checking_the_servers_certificate(
    db: str,
    imap_ssl_server: tuple[int, type[_Imap]],
    authority: trustme.CA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port, handler = imap_ssl_server
    monkeypatch.setenv("RECOUP_IMAP_PASSWORD", "s3cret")
    args = ("--imap-host", "127.0.0.1", "--imap-port", str(port), "--imap-user", "ar", "--json", "--db", db)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))  # the server's CA not trusted
    code, _, err = recoup("mail", "ingest", *args)
    assert code != 0 and f"127.0.0.1:{port}" in err and "CERTIFICATE_VERIFY_FAILED" in err
    assert handler.logins == [] and not any(seen for _, seen in handler.store.values())
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # the CA trusted, as a company CA would be
    code, out, err = recoup("mail", "ingest", *args)
    assert code == 0, err
    result = json.loads(out)
    assert (result["replies"], result["auto_replies"], result["bounces"], result["unmatched"]) == (1, 1, 1, 1)
    assert handler.logins == [("ar", "s3cret")]
    assert all(seen for _, seen in handler.store.values())
