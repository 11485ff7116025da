"""Signed links to the customer page: ``{public_url}/c/{token}``, one per customer, that expire.

The token is the customer's id signed with itsdangerous (``URLSafeTimedSerializer``,
salt ``recoup-customer-link``) and stamped with the time it was made. The time is the
application's clock, never the machine's: ``bootstrap.App.now`` honours ``RECOUP_NOW``,
so a replayed day makes and reads links as that day would. A link older than
``link_days`` is expired (``LinkExpiredError``); one whose signature does not check, or
stamped after the clock's now, is not valid (``LinkInvalidError``). Neither says whose
link it was.

The secret is ``RECOUP_SECRET_KEY``, else the one kept in the database
(``services.users.app_secret``): the CLI that writes the links into messages and the
server that reads them agree without configuration. The CSRF token of the page's forms
is derived from the link token and the same secret (HMAC), since a customer has no session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from recoup.domain.errors import LinkExpiredError, LinkInvalidError
from recoup.services.ports import UnitOfWork
from recoup.services.users import app_secret
from recoup.settings import Settings

SALT = "recoup-customer-link"
PATH = "/c/"
_TOKEN = re.compile(r"\.?[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
MAX_TOKEN = 400


def link_secret(settings: Settings, uow: UnitOfWork) -> str:
    """RECOUP_SECRET_KEY, else the secret kept in the database (made on first use; the caller commits)."""
    return settings.secret_key or app_secret(uow)


def _serializer(secret: str, now: dt.datetime) -> URLSafeTimedSerializer:
    stamp = int(now.timestamp())

    class ClockSigner(TimestampSigner):
        """Stamps and ages tokens by the application's clock."""

        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret, salt=SALT, signer=ClockSigner)


def make_link(secret: str, customer_id: str, *, now: dt.datetime) -> str:
    """The token of ``customer_id``'s link, made at ``now``."""
    token = _serializer(secret, now).dumps(customer_id)
    return str(token)


def read_link(secret: str, token: str, *, now: dt.datetime, max_age_days: int) -> str:
    """The customer id ``token`` was made for; ``LinkInvalidError`` or ``LinkExpiredError`` if it is not
    good on ``now``. Only the exact text the link was made with is read (base64 would pass over stray
    characters), so one link has one token."""
    if len(token) > MAX_TOKEN or not _TOKEN.fullmatch(token):
        raise LinkInvalidError()
    try:
        value = _serializer(secret, now).loads(token, max_age=max_age_days * 86400)
    except SignatureExpired as exc:
        signed = exc.date_signed
        if signed is not None and signed > now:
            raise LinkInvalidError() from None
        raise LinkExpiredError() from None
    except (BadSignature, UnicodeError, ValueError):
        raise LinkInvalidError() from None
    if not isinstance(value, str) or not value:
        raise LinkInvalidError()
    return value


def form_token(secret: str, token: str) -> str:
    """The CSRF token of the forms on the page of link ``token``."""
    return hmac.new(secret.encode(), f"customer-page-form:{token}".encode(), hashlib.sha256).hexdigest()


def form_token_ok(secret: str, token: str, sent: str) -> bool:
    return bool(sent) and hmac.compare_digest(form_token(secret, token), sent)


@dataclass(frozen=True)
class LinkMaker:
    """Makes the page address of a customer: ``{base_url}/c/{token}``, stamped by ``now``."""

    secret: str
    base_url: str
    now: Callable[[], dt.datetime]

    def __call__(self, customer_id: str) -> str:
        return url(self.base_url, make_link(self.secret, customer_id, now=self.now()))


def url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{token}"


def link_maker(settings: Settings, uow: UnitOfWork, now: Callable[[], dt.datetime]) -> LinkMaker | None:
    """The link maker of this installation, or None when ``public_url`` is not set (messages carry no
    link then). Reads (or makes) the database secret: the caller commits."""
    if not settings.public_url:
        return None
    return LinkMaker(link_secret(settings, uow), settings.public_url, now)
