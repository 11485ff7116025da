"""``recoup mail ingest``: replies and bounces from a Maildir folder or an IMAP mailbox onto the timelines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.adapters.mail.inbound import (
    ImapSettings,
    ImapSource,
    MailboxError,
    MaildirSource,
    MailSource,
    parse,
)
from recoup.domain.errors import DomainError
from recoup.entrypoints.options import DbOption, JsonOption, emit_json, fail, out
from recoup.services.inbound import IngestResult, ingest

mail_app = typer.Typer(
    no_args_is_help=True, help="Mail that comes back: replies, out-of-office answers, bounces."
)

PASSWORD_ENV = "RECOUP_IMAP_PASSWORD"


def _source(
    maildir: Path | None,
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    folder: str,
    use_ssl: bool,
) -> MailSource:
    if maildir is not None and host:
        fail("give either --maildir or --imap-host, not both")
    if maildir is None and not host:
        fail("give --maildir PATH or --imap-host HOST: where to read the replies from")
    if maildir is not None:
        if not maildir.is_dir():
            fail(f"--maildir: {maildir} is not a folder")
        try:
            return MaildirSource(maildir)
        except MailboxError as exc:
            fail(f"--maildir: {exc}")
    assert host is not None
    if port is not None and not 1 <= port <= 65535:
        fail(f"--imap-port: {port} is not a port number (1 to 65535)")
    if not folder.strip():
        fail("--imap-folder: the folder name is empty")
    secret = password if password is not None else os.environ.get(PASSWORD_ENV, "")
    if user and not secret:
        fail(f"--imap-password: no password for {user} (give --imap-password or set {PASSWORD_ENV})")
    try:
        return ImapSource(ImapSettings(host, port, user or "", secret, folder, use_ssl))
    except MailboxError as exc:
        fail(f"--imap-host: {exc}")
    raise AssertionError  # fail() exits


def _read(source: MailSource) -> Iterator[EmailMessage]:
    """Each message parsed; the previous one is marked processed when the next is asked for (it is filed)."""
    for key, raw in source.messages():
        yield parse(raw)
        source.done(key)


@mail_app.command("ingest")
def ingest_command(
    maildir: Annotated[
        Path | None, typer.Option("--maildir", help="A Maildir folder (processed mail moves to .processed).")
    ] = None,
    imap_host: Annotated[str | None, typer.Option("--imap-host", help="IMAP server to read from.")] = None,
    imap_port: Annotated[
        int | None, typer.Option("--imap-port", help="IMAP port (default 993 with SSL, 143 without).")
    ] = None,
    imap_user: Annotated[str | None, typer.Option("--imap-user", help="IMAP login.")] = None,
    imap_password: Annotated[
        str | None, typer.Option("--imap-password", help=f"IMAP password (default: ${PASSWORD_ENV}).")
    ] = None,
    imap_folder: Annotated[str, typer.Option("--imap-folder", help="IMAP folder to read.")] = "INBOX",
    imap_ssl: Annotated[bool, typer.Option("--imap-ssl/--no-imap-ssl", help="IMAP over SSL/TLS.")] = True,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """File replies (with a task), out-of-office answers and bounces (contact marked invalid)."""
    source = _source(maildir, imap_host, imap_port, imap_user, imap_password, imap_folder, imap_ssl)
    try:
        built = bootstrap.build(db)
        result = ingest(built.uow, _read(source), at=built.now())
    except (MailboxError, DomainError) as exc:
        fail(str(exc))
        return
    finally:
        source.close()
    if as_json:
        emit_json(result.as_json())
        return
    _print(result)


def _print(result: IngestResult) -> None:
    table = Table(title="Mail ingested")
    table.add_column("filed as")
    table.add_column("messages", justify="right")
    for label, count in (
        ("replies (task raised)", result.replies),
        ("out-of-office / automatic", result.auto_replies),
        ("bounces (contact invalid)", result.bounces),
        ("delivery delays (ignored)", result.delays),
        ("already ingested", result.duplicates),
        ("unmatched", result.unmatched),
    ):
        table.add_row(label, str(count))
    out.print(table)
    for line in result.unmatched_from:
        out.print(f"unmatched: {line}", markup=False)
