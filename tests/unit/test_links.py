"""Signed customer links: made and read by the application's clock, refused when altered, foreign or old."""

from __future__ import annotations

import datetime as dt

import pytest

from recoup.domain.errors import LinkExpiredError, LinkInvalidError
from recoup.services.links import LinkMaker, form_token, form_token_ok, make_link, read_link

SECRET = "a secret of the installation, long enough"
MADE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_a_link_reads_back_as_the_customer_it_was_made_for() -> None:
    token = make_link(SECRET, "ACME-DE", now=MADE)
    assert read_link(SECRET, token, now=MADE, max_age_days=60) == "ACME-DE"
    assert token.count(".") == 2  # payload.timestamp.signature: readable by anyone, forgeable by no one


def test_a_link_made_on_a_replayed_day_is_stamped_with_that_day() -> None:
    token = make_link(SECRET, "HANBIT", now=MADE)
    later = MADE + dt.timedelta(days=59, hours=23)
    assert read_link(SECRET, token, now=later, max_age_days=60) == "HANBIT"


def test_a_link_older_than_its_days_has_expired() -> None:
    token = make_link(SECRET, "HANBIT", now=MADE)
    with pytest.raises(LinkExpiredError):
        read_link(SECRET, token, now=MADE + dt.timedelta(days=60, seconds=1), max_age_days=60)


def test_a_link_stamped_after_the_clock_is_not_valid() -> None:
    token = make_link(SECRET, "HANBIT", now=MADE)
    with pytest.raises(LinkInvalidError):
        read_link(SECRET, token, now=MADE - dt.timedelta(days=1), max_age_days=60)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: "X" + t[1:],  # the payload
        lambda t: t.rsplit(".", 1)[0],  # cut short
        lambda t: "",
        lambda t: "not-a-token",
        lambda t: t + "é",
    ],
)
def test_an_altered_link_is_not_valid(change: object) -> None:
    token = make_link(SECRET, "DUPONT", now=MADE)
    altered = change(token)  # type: ignore[operator]
    with pytest.raises(LinkInvalidError):
        read_link(SECRET, altered, now=MADE, max_age_days=60)


def test_a_link_signed_with_another_secret_is_not_valid() -> None:
    token = make_link("the secret of another installation", "DUPONT", now=MADE)
    with pytest.raises(LinkInvalidError):
        read_link(SECRET, token, now=MADE, max_age_days=60)


def test_a_session_cookie_signed_with_the_same_secret_is_not_a_link() -> None:
    from itsdangerous import URLSafeTimedSerializer

    other_salt = URLSafeTimedSerializer(SECRET, salt="another-purpose").dumps("DUPONT")
    with pytest.raises(LinkInvalidError):
        read_link(SECRET, other_salt, now=MADE, max_age_days=60)


def test_the_link_maker_writes_the_page_address_under_the_public_url() -> None:
    make = LinkMaker(SECRET, "https://pay.supplier.example/", lambda: MADE)
    address = make("SMITH")
    assert address.startswith("https://pay.supplier.example/c/")
    token = address.rsplit("/", 1)[1]
    assert read_link(SECRET, token, now=MADE, max_age_days=1) == "SMITH"


def test_the_form_token_belongs_to_one_link_and_one_secret() -> None:
    one, two = make_link(SECRET, "SMITH", now=MADE), make_link(SECRET, "DUPONT", now=MADE)
    assert form_token_ok(SECRET, one, form_token(SECRET, one))
    assert not form_token_ok(SECRET, two, form_token(SECRET, one))
    assert not form_token_ok("another secret", one, form_token(SECRET, one))
    assert not form_token_ok(SECRET, one, "")
