"""What the customer page's tests share: a customer's link made the way messages make it, the page's
form token, the day's run with copies in the document store, and the engine's dry run."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from recoup import bootstrap
from recoup.adapters.channels.recording import RecordingChannel
from recoup.adapters.documents import DocumentStore
from recoup.domain.calendar import BusinessCalendar
from recoup.entrypoints.web.app import signing_key
from recoup.services.dispatch import dispatch
from recoup.services.links import make_link
from recoup.services.policies import load_book
from recoup.services.run import plan_run


def token_for(built: bootstrap.App, customer_id: str, *, days_ago: int = 0) -> str:
    """The token of ``customer_id``'s link, made ``days_ago`` days before the app's clock."""
    import datetime as dt

    made = built.now() - dt.timedelta(days=days_ago)
    return make_link(signing_key(built), customer_id, now=made)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no form"
    return found.group(1)


def open_page(server: TestClient, built: bootstrap.App, customer_id: str) -> tuple[str, str]:
    """The page of ``customer_id``: (its address, its form token)."""
    address = f"/c/{token_for(built, customer_id)}"
    page = server.get(address)
    assert page.status_code == 200, page.text
    return address, form_token(page.text)


def run_the_day(built: bootstrap.App) -> None:
    """Today's run, its messages recorded with copies in the document store."""
    plan_run(
        built.uow, book=load_book(None), calendar=BusinessCalendar(), as_of=built.today(), at=built.now()
    )
    recording = RecordingChannel(documents=DocumentStore(built.settings.documents))
    dispatch(built.uow, {"email": recording, "letter": recording, "notify_sales": recording}, now=built.now)


def chased(built: bootstrap.App, customer_id: str) -> set[str]:
    """The invoices of ``customer_id`` today's run would chase (a dry run: nothing is stored)."""
    result = plan_run(
        built.uow,
        book=load_book(None),
        calendar=BusinessCalendar(),
        as_of=built.today(),
        at=built.now(),
        dry_run=True,
        customers=[customer_id],
    )
    actions: list[dict[str, Any]] = result.actions
    return {number for action in actions for number in action["invoices"]}


def visible_text(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
