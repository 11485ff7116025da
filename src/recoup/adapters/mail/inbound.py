"""Reading replies and bounces: a Maildir folder or an IMAP mailbox, one raw message at a time.

A source yields ``(source_id, raw bytes)`` for each message not yet processed and
is told ``done(source_id)`` once the message is filed (committed). A Maildir
message is then moved to the folder's ``.processed`` subfolder (Maildir++), an
IMAP message is flagged ``\\Seen``; either way the next ingest does not read it
again. A message read but not reported done (the ingest failed) is read again
next time; filing is idempotent by Message-ID, so that is harmless.
"""

from __future__ import annotations

import contextlib
import email
import imaplib
import mailbox
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

PROCESSED = "processed"
"""The Maildir++ subfolder (``.processed``) processed messages are moved to."""


class MailboxError(Exception):
    """The mailbox cannot be read: missing folder, refused login, unreachable server."""


class MailSource(Protocol):
    def messages(self) -> Iterator[tuple[str, bytes]]: ...
    def done(self, source_id: str) -> None: ...
    def close(self) -> None: ...


def parse(raw: bytes) -> EmailMessage:
    """The message as an ``EmailMessage`` (headers decoded, parts navigable)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # the default policy's factory
    return msg


class MaildirSource:
    """The messages of a Maildir folder (``new`` and ``cur``), processed ones moved to ``.processed``."""

    def __init__(self, path: str | Path) -> None:
        root = Path(path)
        if not all((root / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise MailboxError(f"{root} is not a Maildir folder (it needs cur, new and tmp subfolders)")
        self.path = root
        self._box = mailbox.Maildir(root, factory=None, create=False)
        self._processed: mailbox.Maildir | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def messages(self) -> Iterator[tuple[str, bytes]]:
        for key in sorted(self._box.keys()):
            try:
                raw = self._box.get_bytes(key)
            except KeyError:  # moved away meanwhile
                continue
            yield key, raw

    def done(self, source_id: str) -> None:
        if self._processed is None:
            self._processed = self._box.add_folder(PROCESSED)
        msg = self._box.get_message(source_id)
        msg.add_flag("S")
        msg.set_subdir("cur")
        self._processed.add(msg)
        self._box.discard(source_id)

    def close(self) -> None:
        self._box.close()


@dataclass(frozen=True, slots=True)
class ImapSettings:
    host: str
    port: int | None = None
    user: str = ""
    password: str = ""
    folder: str = "INBOX"
    ssl: bool = True
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.ssl else 143)


class ImapSource:
    """The unseen messages of an IMAP folder, flagged ``\\Seen`` once processed (read with BODY.PEEK)."""

    def __init__(self, settings: ImapSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        where = f"{settings.host}:{settings.effective_port}"
        try:
            if settings.ssl:
                self._imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    settings.host,
                    settings.effective_port,
                    ssl_context=ssl_context or ssl.create_default_context(),
                    timeout=settings.timeout,
                )
            else:
                self._imap = imaplib.IMAP4(settings.host, settings.effective_port, timeout=settings.timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"cannot reach the IMAP server {where}: {exc}") from None
        try:
            if settings.user:
                self._imap.login(settings.user, settings.password)
            status, data = self._imap.select(_quote(settings.folder))
        except (OSError, imaplib.IMAP4.error) as exc:
            self._logout()
            raise MailboxError(f"IMAP server {where} refused {settings.user or 'the login'}: {exc}") from None
        if status != "OK":
            self._logout()
            raise MailboxError(f"IMAP folder {settings.folder!r} on {where} cannot be opened: {_text(data)}")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def messages(self) -> Iterator[tuple[str, bytes]]:
        try:
            status, data = self._imap.uid("SEARCH", "UNSEEN")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP search failed: {exc}") from None
        if status != "OK":
            raise MailboxError(f"IMAP search failed: {_text(data)}")
        uids = b" ".join(d for d in data if isinstance(d, bytes)).split()
        for uid in uids:
            try:
                status, parts = self._imap.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailboxError(f"IMAP fetch of message {uid.decode()} failed: {exc}") from None
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
            if status == "OK" and isinstance(raw, bytes):
                yield uid.decode(), raw

    def done(self, source_id: str) -> None:
        try:
            self._imap.uid("STORE", source_id, "+FLAGS", "(\\Seen)")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"IMAP could not flag message {source_id} as seen: {exc}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self._imap.close()
        self._logout()

    def _logout(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self._imap.logout()


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9_./-]+", folder) else '"' + folder.replace('"', '\\"') + '"'


def _text(data: object) -> str:
    if isinstance(data, list):
        return " ".join(d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data)
    return str(data)
