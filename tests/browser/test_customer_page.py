"""A customer in a real browser: opens the link of a real rendered message, disputes an invoice with a
reason and a comment, and sees the confirmation; the engine stops chasing that invoice and the collector
sees the dispute on the desk. Screenshots of the page at phone and laptop widths and of the
confirmation go to test-output/customer (ignored by git)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from browser_world import LAPTOP, PHONE, Live
from web_world import PASSWORD, USERS

from recoup.domain.calendar import BusinessCalendar
from recoup.entrypoints.run_cli import customer_links, email_render
from recoup.services.policies import load_book
from recoup.services.run import plan_run

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "customer"


def shoot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def link_from_todays_message(live: Live, customer_id: str) -> str:
    """The link in the email today's run made for ``customer_id``, rendered as the SMTP channel renders it."""
    live.built.settings.public_url = live.url
    render = email_render(live.built.settings, link=customer_links(live.built))
    with live.built.uow() as uow:
        (item,) = [i for i in uow.outbox.for_customer(customer_id) if i.action == "email"]
    found = re.findall(rf"{re.escape(live.url)}/c/[A-Za-z0-9_.\-]+", render(item.payload).text)
    assert len(found) == 1
    return found[0]


def engine_notes(live: Live) -> list[dict[str, Any]]:
    """What a dry run a week from today says about ACME-DE's invoices (nothing is stored)."""
    built = live.built
    result = plan_run(
        built.uow,
        book=load_book(None),
        calendar=BusinessCalendar(),
        as_of=built.today() + dt.timedelta(days=7),
        at=built.now(),
        dry_run=True,
        customers=["ACME-DE"],
    )
    return [*result.actions, *result.diagnostics]


def test_a_customer_disputes_an_invoice_from_the_link_in_a_message(live: Live, browser: Any) -> None:
    link = link_from_todays_message(live, "ACME-DE")
    before = engine_notes(live)
    assert any("INV-1001" in note["invoices"] and note.get("code") != "disputed" for note in before)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    page = phone.new_page()
    page.goto(link)
    assert page.get_by_role("heading", name="Acme Maschinenbau GmbH").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "nothing scrolls sideways"
    shoot(page, "page-phone")
    phone.close()

    laptop = browser.new_context(viewport=LAPTOP, locale="de-DE")
    page = laptop.new_page()
    page.goto(link)
    assert page.locator("table.items tbody tr").count() == 2
    shoot(page, "page-laptop")
    page.get_by_text("Ich beanstande eine Rechnung", exact=True).click()
    form = page.locator("details#dispute form")
    form.get_by_label("Rechnung").select_option("INV-1001")
    form.get_by_label("Grund").select_option(label="falsche Menge")
    form.get_by_label("Bemerkung").fill("Nur 40 von 50 Stück geliefert")
    shoot(page, "dispute-form-laptop")
    form.get_by_role("button", name="Senden").click()
    page.get_by_role("heading", name="Vielen Dank").wait_for()
    assert "Beanstandung der Rechnung INV-1001" in page.locator("main").inner_text()
    shoot(page, "confirmation-laptop")
    page.get_by_role("link", name="Zurück zu Ihrem Kundenkonto").click()
    row = page.locator("table.items tbody tr", has_text="INV-1001")
    assert "beanstandet" in row.inner_text()
    laptop.close()

    after = engine_notes(live)
    assert [n["code"] for n in after if "INV-1001" in n["invoices"]] == ["disputed"]  # seen, not chased
    assert not [a for a in after if "step" in a and "action" in a and "INV-1001" in a["invoices"]]

    desk = browser.new_context(viewport=LAPTOP)
    page = desk.new_page()
    page.goto(f"{live.url}/login")
    page.get_by_label("Email").fill(USERS["collector"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live.url}/desk/customers/ACME-DE")
    timeline = page.locator("#timeline").inner_text()
    assert "opened on INV-1001 (quantity)" in timeline
    assert "Nur 40 von 50 Stück geliefert" in timeline
    shoot(page, "collector-sees-the-dispute")
    desk.close()
