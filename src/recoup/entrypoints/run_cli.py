"""``recoup run``, ``recoup dispatch`` and ``recoup simulate``: the day's ladder from the command line."""

from __future__ import annotations

from collections.abc import Callable
from email.headerregistry import Address
from typing import Annotated, Any

import typer
from rich.table import Table

from recoup import bootstrap
from recoup.adapters.channels.recording import RecordingChannel
from recoup.adapters.channels.smtp import Attachment, RenderedLike, SmtpChannel, pdf_attachments
from recoup.adapters.db.copy import database_copy
from recoup.adapters.documents import DocumentStore
from recoup.domain.calendar import BusinessCalendar
from recoup.domain.errors import DomainError
from recoup.domain.ladder import OutboxItem
from recoup.entrypoints import render
from recoup.entrypoints.options import AsOfOption, DbOption, JsonOption, emit_json, fail, out, parse_day
from recoup.law.advice import Assumptions
from recoup.services.dispatch import AdviceInputs, dispatch
from recoup.services.letters import LetterChannel, customer_details, letter_pdf
from recoup.services.links import LinkMaker, link_maker
from recoup.services.policies import load_book
from recoup.services.ports import Channel, Documents
from recoup.services.rates import load_rate_book
from recoup.services.rendering import Templates
from recoup.services.run import plan_run, unlock
from recoup.services.simulate import simulate
from recoup.settings import Settings


def channels(built: bootstrap.App) -> dict[str, Channel]:
    """The channels of this installation: email by SMTP when RECOUP_SMTP_HOST is set, else recorded.

    Whatever is sent or recorded leaves its copy in the document store (RECOUP_DOCUMENTS)."""
    settings = built.settings
    documents = DocumentStore(settings.documents)
    link = customer_links(built)
    render = email_render(settings, link=link)

    def text(payload: dict[str, Any]) -> tuple[str, str]:
        rendered = render(payload)
        return rendered.subject, rendered.text

    recording = RecordingChannel(documents=documents, render=text)  # the copy says what would be sent
    found: dict[str, Channel] = {"email": recording, "letter": recording, "notify_sales": recording}
    if settings.smtp_host:
        email = smtp_channel(settings, documents, link=link)
        found["email"] = email
        found["notify_sales"] = email  # to the sales owner, by email like any message
    letters = letter_channel(built, documents)
    if letters is not None:
        found["letter"] = letters
    return found


def recording_channels() -> dict[str, Channel]:
    """Every action recorded and nothing sent or stored: the channels of a simulation."""
    recording = RecordingChannel()
    return {"email": recording, "letter": recording, "notify_sales": recording}


def smtp_channel(
    settings: Settings, documents: Documents, *, link: Callable[[str], str] | None = None
) -> SmtpChannel:
    """The SMTP channel the settings describe, with the templates and PDF letters when installed; with
    ``link``, every message carries the customer's signed link to its page."""
    assert settings.smtp_host
    address = settings.smtp_sender or settings.creditor_email
    sender = str(Address(display_name=settings.creditor_name, addr_spec=address))
    return SmtpChannel(
        host=settings.smtp_host,
        port=settings.smtp_port_or_default,
        user=settings.smtp_user,
        password=settings.smtp_password,
        tls=settings.smtp_tls,
        sender=sender,
        reply_to=settings.reply_to or settings.creditor_email,
        render=email_render(settings, link=link),
        attachments=letter_attachments(settings),
        documents=documents,
    )


def email_render(
    settings: Settings, *, link: Callable[[str], str] | None = None
) -> Callable[[dict[str, Any]], RenderedLike]:
    """The message templates (services.rendering) with the user's folder in front, and the customer
    page's link maker (``customer_links``) when there is one."""
    templates = Templates(override=settings.templates, settings=settings, link=link)
    return lambda payload: templates.render(payload)


def customer_links(built: bootstrap.App) -> LinkMaker | None:
    """Signed links to the customer page (services.links) when RECOUP_PUBLIC_URL is set: signed with the
    secret the server reads them with (RECOUP_SECRET_KEY, else the database's), stamped by the app's clock."""
    if not built.settings.public_url:
        return None
    with built.uow() as uow:
        maker = link_maker(built.settings, uow, built.now)
        uow.commit()
    return maker


def letter_attachments(settings: Settings) -> Callable[[OutboxItem], list[Attachment]]:
    """The files a step attaches: PDF letters and statements (services.letters), dated the run's day, with
    the interest the rate tables give; the invoices' own PDFs and the terms from the settings' files."""
    rates = load_rate_book(settings.rates)

    def attach(item: OutboxItem) -> list[Attachment]:
        return pdf_attachments(
            item,
            lambda kind, p: letter_pdf(kind, p, settings=settings, rates=rates, as_of=item.as_of),
            invoice_files=settings.invoice_files,
            terms_file=settings.terms_file,
        )

    return attach


def letter_channel(built: bootstrap.App, documents: Documents) -> Channel | None:
    """The channel for postal letters: the step's letter as a PDF, kept in the document store, with the
    customer's jurisdiction and billing contact from the records."""
    settings = built.settings
    return LetterChannel(
        documents, settings, load_rate_book(settings.rates), customer_details=customer_details(built.uow)
    )


def advice_inputs(built: bootstrap.App) -> AdviceInputs:
    """The rate tables (shipped plus the user's folder) and the advice assumptions of the settings."""
    return AdviceInputs(
        load_rate_book(built.settings.rates), Assumptions.from_settings(built.settings.advice)
    )


def run(
    db: DbOption = None,
    as_of: AsOfOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    as_json: JsonOption = False,
    customer: Annotated[list[str] | None, typer.Option(help="Only this customer (repeatable).")] = None,
    unlock_: Annotated[
        bool, typer.Option("--unlock", help="Remove the lock a crashed run left behind, then stop.")
    ] = False,
) -> None:
    """Plan the day's collection run and send what it planned (see `recoup dispatch`)."""
    built = bootstrap.build(db)
    if unlock_:
        unlock(built.uow)
        out.print("Run lock removed.")
        return
    day = parse_day(as_of, "--as-of", built.today())
    try:
        book = load_book(built.settings.policies)
        result = plan_run(
            built.uow,
            book=book,
            calendar=BusinessCalendar(),
            as_of=day,
            at=built.now(),
            dry_run=dry_run,
            customers=customer,
        )
        statuses: dict[str, str] = {}
        if not dry_run:
            statuses = dispatch(
                built.uow, channels(built), now=built.now, advice=advice_inputs(built)
            ).statuses
    except DomainError as exc:
        fail(str(exc))
        return
    data = result.as_dict()
    for action in data["actions"]:
        action["status"] = statuses.get(action["key"], action["status"])
    if as_json:
        emit_json(data)
        return
    _print_run(data)


def _print_run(data: dict[str, Any]) -> None:
    title = f"Run as of {data['as_of']}" + (" (dry run: nothing changed)" if data["dry_run"] else "")
    table = Table(title=title)
    for column in ("customer", "currency", "step", "action", "invoices", "recipients", "status"):
        table.add_column(column)
    for a in data["actions"]:
        table.add_row(
            a["customer"],
            a["currency"],
            a["step"],
            a["action"],
            render.escape(", ".join(a["invoices"][:4]) + (" ..." if len(a["invoices"]) > 4 else "")),
            render.escape(", ".join(a["recipients"])),
            a["status"],
        )
    out.print(table)
    codes: dict[str, int] = {}
    for d in data["diagnostics"]:
        codes[d["code"]] = codes.get(d["code"], 0) + 1
    out.print(
        f"{data['cases']} cases looked at, {len(data['actions'])} new actions, {len(data['skipped'])} steps "
        f"passed over, {len(data['tasks'])} new tasks, {len(data['events'])} events."
    )
    if codes:
        out.print("Not done, and why: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())))


def dispatch_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Send the outbox items still pending (after a failure, or a run with the dispatcher stopped)."""
    built = bootstrap.build(db)
    try:
        result = dispatch(built.uow, channels(built), now=built.now, advice=advice_inputs(built))
    except DomainError as exc:
        fail(str(exc))
        return
    if as_json:
        emit_json(result.as_dict())
        return
    out.print(
        f"Sent {len(result.sent)}, failed {len(result.failed)}, retrying later {len(result.retrying)}, "
        f"flagged for review {len(result.review)}."
    )


def simulate_command(
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="How many days to simulate.")] = 60,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulated customers and collector.")] = 1,
    as_json: JsonOption = False,
) -> None:
    """Run the ladder day by day on a copy of the database; nothing is sent, the database is untouched."""
    built = bootstrap.build(db)
    first = parse_day(start, "--from", built.today())
    url = built.engine.url.render_as_string(hide_password=False)
    book = load_book(built.settings.policies)
    built.engine.dispose()
    result = run_simulation(url, book=book, start=first, days=days, seed=seed, show=not as_json)
    if as_json:
        emit_json(result)
    else:
        print_simulation(result)


def run_simulation(url: str, *, book: Any, start: Any, days: int, seed: int, show: bool) -> dict[str, Any]:
    with database_copy(url) as copy:
        sim = bootstrap.build(copy)
        try:
            with render.progress(out, "Simulating", total=days) as tick:
                result = simulate(
                    sim.uow,
                    recording_channels(),  # a simulation never sends
                    book=book,
                    calendar=BusinessCalendar(),
                    start=start,
                    days=days,
                    seed=seed,
                    progress=lambda n: tick(n, days) if show else None,
                )
        finally:
            sim.engine.dispose()
    return result.as_dict()


def print_simulation(data: dict[str, Any]) -> None:
    out.print(f"Simulation: {data['days']} days from {data['from']} (on a copy; nothing was sent)")
    table = Table()
    table.add_column("step")
    table.add_column("messages", justify="right")
    for step, n in data["messages_per_step"].items():
        table.add_row(step, str(n))
    out.print(table)
    promises = data["promises"]
    out.print(
        f"Calls: {data['calls']}. Promises: {promises['made']} made, {promises['kept']} kept, "
        f"{promises['broken']} broken. Payments: {data['payments']}."
    )
    collected = (
        ", ".join(f"{amount} {currency}" for currency, amount in data["collected"].items()) or "nothing"
    )
    out.print(f"Collected: {collected}")
