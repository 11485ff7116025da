"""Replies and bounces: what comes back from the customers' mailboxes, on their timelines.

``classify`` tells what a parsed message is:

- ``bounce``: a delivery status notification (RFC 3464: ``multipart/report;
  report-type=delivery-status``) saying a recipient failed for good (Action
  ``failed``, Status 5.x.x). A 4.x.x status or Action ``delayed`` is a ``delay``:
  the server is still trying, nothing is wrong yet.
- ``auto_reply``: an out-of-office or other automatic answer (Auto-Submitted,
  X-Autoreply, X-Autorespond, Precedence auto_reply/bulk/junk, a non-report from a
  mailer daemon, or a subject such as "Out of Office", "Abwesenheitsnotiz",
  "Absence", "Fuera de la oficina", "Ofis dışında", "부재중"). It is logged but is
  not a response from the customer.
- ``reply``: anything else, a person writing back.

``ingest`` files each message on the customer it belongs to: a reply to one of our
emails (In-Reply-To or References naming the Message-ID logged with the sent
email), else the customer whose contact has the sender's address (for a bounce:
the failed recipient's address). A reply becomes a ``reply`` activity and a REPLY
task; an automatic answer an ``auto_reply`` activity only; a bounce marks the
contact invalid (kept, never deleted; ``casework.mark_contact_invalid`` raises the
skip-tracing task) and logs a ``bounce`` activity. A message whose Message-ID is
already logged for the customer is a duplicate and changes nothing, so ingesting
the same mailbox twice is harmless. Messages nobody can be found for are counted
as unmatched and listed, nothing is logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any, Literal

from recoup.domain.activity import Activity
from recoup.domain.customers import Contact
from recoup.domain.errors import InvalidStateError, InvalidValueError
from recoup.domain.tasks import Task, TaskKind
from recoup.services import casework
from recoup.services.ports import UnitOfWork, UnitOfWorkFactory

ACTOR = "mail"
"""Who the log entries of ingested mail are by."""
INBOUND_KINDS = ("reply", "auto_reply", "bounce")
"""Activity kinds written here; their data carries the message's ``message_id``."""
SENT_KINDS = ("email", "letter")
"""Log entries of messages sent; an email's data carries its ``message_id``."""
SENT_LOOKBACK = dt.timedelta(days=730)
"""How far back sent emails are searched for the Message-ID a reply answers."""
FIRST_LINES = 3
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Kind = Literal["reply", "auto_reply", "bounce", "delay"]

_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon"})

# Subjects of automatic answers in English, German, French, Spanish, Turkish and Korean (compared casefolded,
# Turkish i and ı alike, as whole words).
AUTO_SUBJECTS = (
    # en
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "on vacation",
    "away from the office",
    # de
    "abwesenheitsnotiz",
    "abwesenheit",
    "automatische antwort",
    "nicht im büro",
    "außer haus",
    # fr
    "absence",
    "absent du bureau",
    "réponse automatique",
    "message d'absence",
    # es
    "fuera de la oficina",
    "respuesta automática",
    "ausente",
    "ausencia",
    # tr
    "izindeyim",
    "ofis dışında",
    "ofis dışındayım",
    "otomatik yanıt",
    "otomatik cevap",
    # ko
    "부재중",
    "부재 중",
    "자동 회신",
    "자동 응답",
    "휴가중",
)


def _fold(text: str) -> str:
    # 'İ' folds to 'i' + a combining dot, 'I' to 'i' where Turkish has 'ı': compare all of them as 'i'
    return text.casefold().replace("\u0307", "").replace("ı", "i")


_AUTO_SUBJECT = re.compile(
    r"(?:^|\W)(?:" + "|".join(re.escape(_fold(s)) for s in AUTO_SUBJECTS) + r")(?:\W|$)"
)


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed (or delayed) recipient of a delivery status notification."""

    recipient: str
    status: str
    action: str
    diagnostic: str

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True, slots=True)
class Classified:
    """What a message is, with what matters for filing it."""

    kind: Kind
    message_id: str
    sender: str
    subject: str
    references: tuple[str, ...] = ()
    failures: tuple[Failure, ...] = ()
    reason: str = ""  # why it is an automatic answer


def normalize_id(value: str) -> str:
    """A Message-ID without angle brackets or spaces, lower case: the form compared and stored."""
    return value.strip().strip("<>").strip().lower()


def _ids(header: str | None) -> list[str]:
    if not header:
        return []
    found = re.findall(r"<([^<>\s]+)>", str(header))
    return [normalize_id(i) for i in (found or str(header).split())]


def message_id(msg: Message) -> str:
    """The message's own id; a message without one gets a stable id from its bytes."""
    ids = _ids(msg.get("Message-ID"))
    if ids:
        return ids[0]
    try:
        raw = msg.as_bytes()
    except Exception:  # a message too broken to serialise: its text will do
        raw = str(msg).encode("utf-8", "replace")
    return "sha256-" + hashlib.sha256(raw).hexdigest()[:32]


def _address(header: str | None) -> str:
    return parseaddr(str(header or ""))[1].strip().lower()


def _delivery_status(msg: Message) -> tuple[Failure, ...] | None:
    """The recipients of a DSN, or None when the message is not one."""
    if msg.get_content_type() != "multipart/report":
        return None
    if str(msg.get_param("report-type", "")).lower() != "delivery-status":
        return None
    failures: list[Failure] = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, the others about recipients
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            status = str(block.get("Status") or "").strip().split(" ")[0]
            if address:
                failures.append(
                    Failure(
                        address,
                        status,
                        str(block.get("Action") or "").strip().lower(),
                        " ".join(str(block.get("Diagnostic-Code") or "").split()),
                    )
                )
    return tuple(failures)


def _automatic(msg: Message, sender: str, subject: str) -> str:
    """Why ``msg`` is an automatic answer, '' if it is not."""
    auto = str(msg.get("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    for name in _AUTO_HEADERS:
        if msg.get(name) is not None:
            return f"{name} header"
    precedence = str(msg.get("Precedence") or "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if sender.split("@", 1)[0] in _DAEMONS:
        return f"sent by {sender}"
    if _AUTO_SUBJECT.search(_fold(subject)):
        return f"subject {subject!r}"
    return ""


def classify(msg: Message) -> Classified:
    """Tell a bounce, a delay, an automatic answer and a reply apart (see the module's text)."""
    sender = _address(msg.get("From"))
    subject = " ".join(str(msg.get("Subject") or "").split())
    mid = message_id(msg)
    refs = tuple(dict.fromkeys([*_ids(msg.get("In-Reply-To")), *reversed(_ids(msg.get("References")))]))
    failures = _delivery_status(msg)
    if failures is not None:
        kind: Kind = "bounce" if any(f.permanent for f in failures) else "delay"
        return Classified(kind, mid, sender, subject, refs, failures)
    reason = _automatic(msg, sender, subject)
    if reason:
        return Classified("auto_reply", mid, sender, subject, refs, reason=reason)
    return Classified("reply", mid, sender, subject, refs)


def first_lines(msg: Message, count: int = FIRST_LINES, width: int = 300) -> list[str]:
    """The first lines the person wrote (quoted text and blank lines left out)."""
    text = ""
    if isinstance(msg, EmailMessage):
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            try:
                text = str(body.get_content())
            except (LookupError, ValueError, AssertionError):
                text = ""
            if body.get_content_type() == "text/html":
                text = re.sub(r"<[^>]+>", "\n", re.sub(r"(?is)<(style|script).*?</\1>", "", text))
    lines: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line or line.startswith(">"):
            continue
        if re.match(r"^(on .* wrote:|am .* schrieb .*:|-----original message-----)$", line, re.IGNORECASE):
            break
        lines.append(line[:width])
        if len(lines) == count:
            break
    return lines


@dataclass
class IngestResult:
    """How many messages were filed as what; ``unmatched_from`` says who the unmatched ones were from."""

    replies: int = 0
    auto_replies: int = 0
    bounces: int = 0
    delays: int = 0
    unmatched: int = 0
    duplicates: int = 0
    unmatched_from: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "replies": self.replies,
            "auto_replies": self.auto_replies,
            "bounces": self.bounces,
            "delays": self.delays,
            "unmatched": self.unmatched,
            "duplicates": self.duplicates,
            "unmatched_from": list(self.unmatched_from),
        }


@dataclass
class _Directory:
    """Who is who, read once per ingest: contacts by address, sent emails by Message-ID."""

    by_email: dict[str, list[Contact]]
    sent: dict[str, str] | None = None  # normalised Message-ID -> customer id, read when first needed

    @classmethod
    def read(cls, uow: UnitOfWork) -> _Directory:
        ids = [c.id for c in uow.customers.list()]
        by_email: dict[str, list[Contact]] = {}
        for contacts in uow.contacts.for_customers(ids).values():
            for c in contacts:
                if c.email:
                    by_email.setdefault(c.email.strip().lower(), []).append(c)
        return cls(by_email)

    def sent_by_id(self, uow: UnitOfWork, at: dt.datetime) -> dict[str, str]:
        if self.sent is None:
            ids = [c.id for c in uow.customers.list()]
            self.sent = {}
            for entry in uow.activities.recent(ids, SENT_KINDS, at - SENT_LOOKBACK):
                mid = entry.data.get("message_id")
                if isinstance(mid, str) and mid:
                    self.sent[normalize_id(mid)] = entry.customer_id
        return self.sent


def _already(uow: UnitOfWork, customer_id: str, mid: str) -> bool:
    return any(
        a.data.get("message_id") == mid for a in uow.activities.recent([customer_id], INBOUND_KINDS, _EPOCH)
    )


def _customers_for(uow: UnitOfWork, found: Classified, directory: _Directory, at: dt.datetime) -> list[str]:
    if found.references:
        sent = directory.sent_by_id(uow, at)
        for ref in found.references:
            if ref in sent:
                return [sent[ref]]
    contacts = directory.by_email.get(found.sender, [])
    return list(dict.fromkeys(c.customer_id for c in contacts))


def _log(
    uow: UnitOfWork, kind: str, customer_id: str, at: dt.datetime, text: str, data: dict[str, Any]
) -> None:
    uow.activities.add_many([Activity(kind, at, ACTOR, customer_id, text, data=data)])


def _file_reply(uow: UnitOfWork, msg: Message, found: Classified, customer_id: str, at: dt.datetime) -> None:
    lines = first_lines(msg)
    head = f"Reply from {found.sender or 'an unknown sender'}: {found.subject or '(no subject)'}"
    data = {
        "message_id": found.message_id,
        "in_reply_to": found.references[0] if found.references else "",
        "from": found.sender,
        "subject": found.subject,
        "date": str(msg.get("Date") or ""),
    }
    if found.kind == "auto_reply":
        head = (
            f"Automatic answer from {found.sender or 'an unknown sender'}: {found.subject or '(no subject)'}"
        )
        data["reason"] = found.reason
    _log(uow, found.kind, customer_id, at, " / ".join([head, *lines]), data)
    if found.kind == "reply":
        uow.tasks.add_many(
            [
                Task(
                    TaskKind.REPLY,
                    customer_id,
                    "",
                    at.date(),
                    f"{found.sender or 'The customer'} replied ({found.subject or 'no subject'}): "
                    "read the customer's reply and answer",
                    key=f"reply:{found.message_id}",
                    data={"message_id": found.message_id, "from": found.sender, "subject": found.subject},
                )
            ]
        )


def _file_bounce(
    uow: UnitOfWork, found: Classified, directory: _Directory, at: dt.datetime, result: IngestResult
) -> None:
    filed = False
    for failure in (f for f in found.failures if f.permanent):
        contacts = directory.by_email.get(failure.recipient, [])
        for contact in contacts:
            if _already(uow, contact.customer_id, found.message_id):
                result.duplicates += 1
                filed = True
                continue
            with contextlib.suppress(InvalidStateError):  # already invalid: the bounce is still logged
                casework.mark_contact_invalid(uow, contact.customer_id, contact.name, at=at, actor=ACTOR)
            _log(
                uow,
                "bounce",
                contact.customer_id,
                at,
                f"A message to {contact.name} <{failure.recipient}> bounced: status {failure.status}"
                + (f" ({failure.diagnostic})" if failure.diagnostic else ""),
                {
                    "message_id": found.message_id,
                    "from": found.sender,
                    "contact": contact.name,
                    "recipient": failure.recipient,
                    "status": failure.status,
                    "action": failure.action,
                    "diagnostic": failure.diagnostic,
                    "in_reply_to": found.references[0] if found.references else "",
                },
            )
            result.bounces += 1
            filed = True
    if not filed:
        _unmatched(result, found, ", ".join(f.recipient for f in found.failures if f.permanent))


def _unmatched(result: IngestResult, found: Classified, who: str) -> None:
    result.unmatched += 1
    result.unmatched_from.append(f"{found.kind} from {who or 'nobody'}: {found.subject or '(no subject)'}")


def ingest_one(
    uow: UnitOfWork, msg: Message, directory: _Directory, *, at: dt.datetime, result: IngestResult
) -> Classified:
    """File one message in ``uow`` (the caller commits); count what it was in ``result``."""
    found = classify(msg)
    if found.kind == "delay":
        result.delays += 1
        return found
    if found.kind == "bounce":
        _file_bounce(uow, found, directory, at, result)
        return found
    customers = _customers_for(uow, found, directory, at)
    if not customers:
        _unmatched(result, found, found.sender)
        return found
    for customer_id in customers:
        if _already(uow, customer_id, found.message_id):
            result.duplicates += 1
            continue
        _file_reply(uow, msg, found, customer_id, at)
        if found.kind == "reply":
            result.replies += 1
        else:
            result.auto_replies += 1
    return found


def ingest(
    uow_factory: UnitOfWorkFactory,
    messages: Iterable[Message],
    *,
    at: dt.datetime,
    on_filed: Callable[[Message, Classified], None] | None = None,
) -> IngestResult:
    """File each message in its own transaction; see the module's text for what each kind does.

    ``messages`` is consumed lazily: the next message is asked for only after the
    previous one is committed, so a source may mark a message processed when the
    next is requested. ``on_filed`` is called after each commit.
    """
    if at.tzinfo is None or at.utcoffset() != dt.timedelta(0):
        raise InvalidValueError("the time of an ingest must be timezone-aware UTC")
    result = IngestResult()
    directory: _Directory | None = None
    for msg in messages:
        with uow_factory() as uow:
            if directory is None:
                directory = _Directory.read(uow)
            found = ingest_one(uow, msg, directory, at=at, result=result)
            uow.commit()
        if on_filed is not None:
            on_filed(msg, found)
    return result
