"""Email over SMTP: one message per outbox item, kept byte for byte as the evidence of what was sent.

The message (stdlib ``email``) has a plain-text and, when the templates give
one, an HTML part, the PDF letters the step asks for as attachments, a
Content-Language header and a Message-ID derived from the outbox key (the
same item always has the same id, so a resend after a crash is recognisable
by any mail client). The exact bytes handed to the server are stored in the
document store before they are sent; the receipt names them by SHA-256 and
the dispatcher links them from the activity log.

Failures: a 4xx answer, a refused connection, a timeout or a dropped
connection is transient (the dispatcher retries with backoff); a 5xx answer
about the message or its recipients is permanent and its code and text are
kept as the reason.
"""

from __future__ import annotations

import hashlib
import mimetypes
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path
from typing import Any, Literal, Protocol

from recoup.domain.ladder import OutboxItem
from recoup.services.ports import Documents, PermanentChannelError, Receipt, TransientChannelError

Tls = Literal["starttls", "ssl", "none"]
Attachment = tuple[str, bytes, str]
"""(file name, content, MIME type such as 'application/pdf')."""


class RenderedLike(Protocol):
    """What the templates give for a payload (``services.rendering.Rendered`` has this shape)."""

    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str | None: ...
    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class PlainRendered:
    """A rendering given as plain values (HTML optional)."""

    subject: str
    text: str
    html: str | None = None
    language: str = "en"


def plain_render(payload: dict[str, Any]) -> RenderedLike:
    """The shipped templates in the customer's language (``services.rendering``), default settings."""
    from recoup.services.rendering import Templates

    return Templates().render(payload)


def message_id(key: str, sender: str) -> str:
    """The stable Message-ID of the outbox item ``key``: ``<sha256(key)[:32]@domain of the sender>``."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "recoup.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class SmtpChannel:
    """Sends an outbox item as one email and keeps the exact bytes sent."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str | None = None,
        password: str | None = None,
        tls: Tls = "starttls",
        sender: str,
        reply_to: str | None,
        render: Callable[[dict[str, Any]], RenderedLike] = plain_render,
        attachments: Callable[[OutboxItem], list[Attachment]] | None = None,
        documents: Documents,
        timeout: float = 30,
        name: str = "smtp",
    ) -> None:
        if tls not in ("starttls", "ssl", "none"):
            raise ValueError(f"RECOUP_SMTP_TLS must be starttls, ssl or none, not {tls!r}")
        self.host, self.port, self.user, self.password, self.tls = host, port, user, password, tls
        self.sender, self.reply_to = sender, reply_to
        self.render, self.attachments, self.documents = render, attachments, documents
        self.timeout, self.name = timeout, name

    def build(self, item: OutboxItem) -> tuple[EmailMessage, RenderedLike, list[Attachment]]:
        """The message for ``item`` (without sending it)."""
        payload = item.payload
        recipients = _addresses(payload.get("recipients", []))
        copies = [c for c in _addresses(payload.get("copies", [])) if c not in recipients]
        if not recipients:
            raise PermanentChannelError(
                f"no email address to send '{item.step}' to (recipients: {payload.get('recipients', [])})"
            )
        try:
            rendered = self.render(payload)
            files = self.attachments(item) if self.attachments else []
        except (PermanentChannelError, TransientChannelError):
            raise
        except Exception as error:  # a template or a letter that cannot be made: retrying will not help
            raise PermanentChannelError(
                f"could not write the message: {type(error).__name__}: {error}"
            ) from error
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(recipients)
        if copies:
            msg["Cc"] = ", ".join(copies)
        if self.reply_to:
            msg["Reply-To"] = self.reply_to
        msg["Subject"] = rendered.subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = message_id(item.key, self.sender)
        msg["X-Recoup-Key"] = item.key
        msg.set_content(rendered.text, cte="quoted-printable")
        if rendered.html:
            msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
        for filename, content, mime in files:
            maintype, _, subtype = mime.partition("/")
            msg.add_attachment(
                content, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
            )
        # Last: setting the content would drop or move Content-* headers into the parts.
        msg["Content-Language"] = rendered.language
        return msg, rendered, files

    def send(self, item: OutboxItem) -> Receipt:
        msg, rendered, files = self.build(item)
        data = msg.as_bytes(policy=SMTP_POLICY)
        digest = hashlib.sha256(data).hexdigest()
        try:  # the copy is kept before anything leaves: no message without its evidence
            ref = self.documents.put(data, suffix="eml")
            stored = [
                {"name": name, "document": self.documents.put(content, suffix=_suffix(name, mime))}
                for name, content, mime in files
            ]
        except OSError as error:
            raise TransientChannelError(f"could not store the copy of the message: {error}") from error
        envelope_from = parseaddr(self.sender)[1]
        to = [a for _, a in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]
        refused = self._transmit(envelope_from, to, data)
        recipients = [a for _, a in getaddresses(msg.get_all("To", []))]
        copies = [a for _, a in getaddresses(msg.get_all("Cc", []))]
        summary = f"{item.action} '{item.step}' by email to {', '.join(recipients)}"
        if copies:
            summary += f" (copy to {', '.join(copies)})"
        summary += f": {rendered.subject}"
        if refused:
            summary += f"; refused by the server: {', '.join(refused)}"
        return Receipt(
            summary,
            document=ref,
            data={
                "message_id": msg["Message-ID"],
                "sha256": digest,
                "subject": rendered.subject,
                "recipients": recipients,
                "copies": copies,
                "size": len(data),
                "language": rendered.language,
                "body": rendered.text,
                "attachments": stored,
                "refused": refused,
                "channel": self.name,
            },
        )

    def _transmit(self, envelope_from: str, to: Sequence[str], data: bytes) -> dict[str, str]:
        """Hand the bytes to the server; the recipients it refused (others got it), by address."""
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password or "")
                refused = smtp.sendmail(envelope_from, list(to), data)
        except smtplib.SMTPRecipientsRefused as error:
            reasons = {addr: _reason(code, text) for addr, (code, text) in error.recipients.items()}
            detail = "; ".join(f"{addr}: {why}" for addr, why in reasons.items())
            if all(400 <= code < 500 for code, _ in error.recipients.values()):
                raise TransientChannelError(f"recipients refused for now: {detail}") from error
            raise PermanentChannelError(f"recipients refused: {detail}") from error
        except smtplib.SMTPAuthenticationError as error:  # the configuration, not the message: try later
            raise TransientChannelError(
                f"SMTP login refused ({_reason(error.smtp_code, error.smtp_error)}): check RECOUP_SMTP_USER "
                "and RECOUP_SMTP_PASSWORD"
            ) from error
        except smtplib.SMTPResponseException as error:
            what = "sender refused" if isinstance(error, smtplib.SMTPSenderRefused) else "server refused"
            reason = f"{what}: {_reason(error.smtp_code, error.smtp_error)}"
            if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPConnectError):
                raise PermanentChannelError(reason) from error
            raise TransientChannelError(reason) from error
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, dropped, TLS failure
            raise TransientChannelError(
                f"SMTP server {self.host}:{self.port} unreachable: {type(error).__name__}: {error}"
            ) from error
        return {addr: _reason(code, text) for addr, (code, text) in refused.items()}

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
        return smtp


LETTER_KINDS = ("final-notice", "demand-letter")


def pdf_attachments(
    item: OutboxItem,
    letter_pdf: Callable[[str, dict[str, Any]], bytes],
    *,
    invoice_files: Path | None = None,
    terms_file: Path | None = None,
) -> list[Attachment]:
    """The files the step's ``attach`` asks for.

    - 'letter': the step's letter (the final notice or the demand letter), as a PDF;
    - 'statement': the statement of account, as a PDF;
    - 'invoice': each chased invoice's own PDF from the ``invoice_files`` folder (``<number>.pdf``); the
      invoices with no file there are covered by the statement of account instead;
    - 'terms': the terms and conditions file (``terms_file``), when one is set.
    """
    asked = item.payload.get("attach", [])
    customer = _safe(item.customer_id)
    files: list[Attachment] = []
    if "letter" in asked:
        kind = item.step if item.step in LETTER_KINDS else "final-notice"
        files.append((f"{kind}-{customer}.pdf", letter_pdf(kind, item.payload), "application/pdf"))
    statement = "statement" in asked
    if "invoice" in asked:
        for line in item.payload.get("invoices", []):
            name = f"{_safe(str(line['number']))}.pdf"
            found = invoice_files / name if invoice_files else None
            if found is not None and found.is_file():
                files.append((f"invoice-{name}", found.read_bytes(), "application/pdf"))
            else:
                statement = True
    if statement:
        files.append((f"statement-{customer}.pdf", letter_pdf("statement", item.payload), "application/pdf"))
    if "terms" in asked and terms_file is not None:
        mime = mimetypes.guess_type(terms_file.name)[0] or "application/octet-stream"
        files.append((terms_file.name, terms_file.read_bytes(), mime))
    return files


def _safe(name: str) -> str:
    """``name`` fit for a file name: letters, digits, '-' and '_' kept, anything else a '-'."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)


def _addresses(values: Sequence[str]) -> list[str]:
    """The email addresses among ``values`` (a letter's recipient is a name, not an address)."""
    found: list[str] = []
    for value in values:
        address = parseaddr(str(value))[1]
        if "@" in address and address not in found:
            found.append(str(Address(addr_spec=address)))
    return found


def _reason(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()


def _suffix(name: str, mime: str) -> str:
    ext = name.rpartition(".")[2] if "." in name else mime.rpartition("/")[2]
    return "".join(ch for ch in ext if ch.isalnum())[:16] or "bin"
