"""A collector's morning in a real browser: sign in, work the worklist, open the customer, log a call,
record a promise and see both on the timeline; the pages photographed at laptop and phone widths.
"""

from __future__ import annotations

from typing import Any

from browser_world import LAPTOP, PHONE, Live, shoot
from web_world import PASSWORD, USERS


def sign_in(page: Any, live: Live, role: str = "collector") -> None:
    page.goto(f"{live.url}/")
    page.wait_for_url("**/login?next=/")
    page.get_by_label("Email").fill(USERS[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/")


def test_a_collector_works_the_worklist_logs_a_call_and_records_a_promise(live: Live, browser: Any) -> None:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live)
    page.get_by_role("link", name="All").click()
    rows = page.locator("table.worklist tbody tr")
    assert rows.count() >= 1
    assert "approve or refuse the agency-review step" in rows.first.inner_text()
    shoot(page, "worklist-laptop")

    rows.first.get_by_role("link", name="Acme Maschinenbau GmbH").click()
    page.wait_for_url("**/desk/customers/ACME-DE")
    assert page.get_by_role("heading", name="Acme Maschinenbau GmbH").is_visible()

    page.get_by_text("Log a call", exact=True).click()
    call = page.locator('form[data-form="call"]')
    call.get_by_label("Outcome").select_option("reached")
    call.get_by_label("Reason given").select_option("will_pay")
    call.get_by_label("Contact").fill("Petra Klein")
    call.get_by_label("Notes").fill("Payment run on Friday")
    call.get_by_role("button", name="Log call").click()
    page.locator(".alert.ok", has_text="Call logged.").wait_for()
    timeline = page.locator("#timeline")
    assert "Call with Petra Klein: reached; reason: will pay. Payment run on Friday" in timeline.inner_text()

    page.get_by_text("Record a promise", exact=True).click()
    promise = page.locator('form[data-form="promise"]')
    promise.get_by_label("Amount").fill("9500.50")
    promise.get_by_label("Pays by").fill("2026-12-04")
    promise.get_by_role("button", name="Record promise").click()
    page.locator(".alert.ok", has_text="Promise recorded").wait_for()
    assert "Promise 1: pays 9500.50 EUR by 2026-12-04 for all open EUR invoices" in timeline.inner_text()
    assert page.locator("table.items .state-promised").count() == 2
    shoot(page, "customer-laptop")

    with live.built.uow() as uow:
        (stored,) = uow.promises.open_for(["ACME-DE"])
        actors = {a.actor for a in uow.activities.for_customer("ACME-DE", limit=2)}
    assert str(stored.amount) == "9500.50 EUR" and actors == {USERS["collector"]}

    page.get_by_role("link", name="Aging").click()
    page.wait_for_url("**/desk/aging")
    assert page.locator("figure.chart svg").count() == 3
    shoot(page, "aging-laptop")
    context.close()


def test_the_desk_reads_well_on_a_phone(live: Live, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live)
    page.goto(f"{live.url}/?who=all")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing scrolls sideways"
    shoot(page, "worklist-phone")
    page.goto(f"{live.url}/desk/customers/ACME-DE")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first_item = page.locator("table.items tbody tr").first
    assert first_item.evaluate("e => getComputedStyle(e).display") == "flex"  # the table became cards
    shoot(page, "customer-phone")
    page.goto(f"{live.url}/desk/aging")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "aging-phone")
    context.close()
