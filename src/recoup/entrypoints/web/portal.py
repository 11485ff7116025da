"""The customer page: ``/c/{token}``, reached by the signed link in every message.

No sign-in: the link is the key (``services.links``). The page shows that customer's open
invoices, totals, how to pay, the documents we sent it and a statement of account as a PDF,
in its language, and offers four plain forms (no JavaScript): "I have paid", "I will pay on",
"I dispute this invoice", "a payment plan". Each form carries a CSRF token derived from the
link (HMAC with the server's secret), since a customer has no session. Bad input shows the form
again with the message next to the field and stores nothing; a good one stores the outcome
(``services.portal``) and answers with a confirmation.

Every request is counted per client address and per link (``RateLimiter``: 60 page views and
10 forms in 10 minutes); beyond that the answer is 429. A bad, altered or expired link answers
404 or 410 with a page saying so, in the browser's language, naming nobody.

Routes: ``GET /c/{token}``, ``POST /c/{token}/{paid|promise|dispute|plan}``,
``GET /c/{token}/statement/{currency}.pdf``, ``GET /c/{token}/documents/{ref}``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.numbers import format_decimal, get_decimal_symbol
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from recoup import bootstrap
from recoup.adapters.documents import DocumentError, DocumentStore
from recoup.domain.cases import DISPUTE_REASONS
from recoup.domain.customers import Customer
from recoup.domain.errors import DomainError, LinkExpiredError, LinkInvalidError, NotFoundError
from recoup.domain.money import Money, minor_digits
from recoup.policy.model import Policy
from recoup.services import links, portal
from recoup.services.formatting import LANGUAGES, day, iban_groups, language_of, locale_for, money
from recoup.services.policies import load_book
from recoup.services.ports import UnitOfWork

router = APIRouter(prefix="/c", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the link is the key: never hand it to another site
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
ACTIONS = ("paid", "promise", "dispute", "plan")
FIELDS = {
    "paid": ("paid_on", "amount", "reference", "invoices"),
    "promise": ("pay_on", "amount", "currency"),
    "dispute": ("invoice", "reason", "comment"),
    "plan": ("instalments", "comment"),
}
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", "inline"),
    "txt": ("text/plain; charset=utf-8", "inline"),
    "eml": ("message/rfc822", "attachment"),
}


# --- rate limits -----------------------------------------------------------------------------------


class RateLimiter:
    """A sliding window per key: at most ``limits[kind] = (count, seconds)`` requests of a kind.

    In memory, for one server process; ``clock`` is real (monotonic) time, never the app's clock."""

    def __init__(
        self,
        limits: dict[str, tuple[int, float]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or {"get": (60, 600.0), "post": (10, 600.0)}
        self.clock = clock
        self._hits: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, kind: str, *keys: tuple[str, ...]) -> float:
        """0 and the request is counted under every key; else the seconds until one is allowed."""
        count, window = self.limits[kind]
        now = self.clock()
        with self._lock:
            if len(self._hits) > 100_000:
                self._sweep(now)
            waits = []
            for key in keys:
                hits = self._hits.setdefault((kind, *key), deque())
                while hits and hits[0] <= now - window:
                    hits.popleft()
                if len(hits) >= count:
                    waits.append(hits[0] + window - now)
            if waits:
                return max(max(waits), 1.0)
            for key in keys:
                self._hits[(kind, *key)].append(now)
            return 0.0

    def _sweep(self, now: float) -> None:
        longest = max(window for _, window in self.limits.values())
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - longest]:
            del self._hits[key]


def limiter(request: Request) -> RateLimiter:
    state = request.app.state
    if not hasattr(state, "portal_limiter"):
        state.portal_limiter = RateLimiter()
    found: RateLimiter = state.portal_limiter
    return found


# --- words, amounts and pages -------------------------------------------------------------------------


def _money(value: Money, lang: str) -> str:
    return money(value.amount, value.currency, lang)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=_money, day=lambda d, lang: day(d, lang, "medium"), iban=iban_groups)
    return env


_env = _environment()


@cache
def words(language: str) -> dict[str, Any]:
    """The page's words in ``language`` (templates/portal/words/<language>.j2)."""
    module: Any = _env.get_template(f"portal/words/{language}.j2").module
    found: dict[str, Any] = module.words
    return found


def plain_amount(value: Money, lang: str) -> str:
    """An amount as the customer types it: the locale's decimal sign, no grouping (``1234,56``)."""
    digits = minor_digits(value.currency)
    pattern = "0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value.amount, format=pattern, locale=locale_for(lang)))


def parse_amount(text: str, lang: str, field: str = "amount") -> Decimal | None:
    """An amount typed the customer's way (``1.234,56``, ``1234.56``, ``1 234,56``); None when empty.

    With both separators the last one is the decimal sign; with one, it is the decimal sign when it is
    the locale's, or when it comes once and is not followed by a group of three digits."""
    raw = "".join(c for c in text if not c.isspace() and c not in "'’" and unicodedata.category(c) != "Sc")
    if not raw:
        return None
    refused = portal.PortalInputError(
        "amount_format",
        field,
        f"{text!r} is not an amount",
        example=plain_amount(Money("1234.56", "EUR"), lang),
    )
    if not re.fullmatch(r"\d([\d.,]*\d)?", raw):
        raise refused
    marks = {c for c in raw if c in ".,"}
    decimal_mark = group_mark = ""
    if len(marks) == 2:
        decimal_mark = raw[max(raw.rfind("."), raw.rfind(","))]
        group_mark = "," if decimal_mark == "." else "."
    elif marks:
        (mark,) = marks
        tail = raw.rpartition(mark)[2]
        own = get_decimal_symbol(locale_for(lang))
        if raw.count(mark) == 1 and (mark == own or len(tail) != 3):
            decimal_mark = mark
        else:
            group_mark = mark
    whole, _, fraction = raw.rpartition(decimal_mark) if decimal_mark else (raw, "", "")
    if group_mark:
        groups = whole.split(group_mark)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise refused
        whole = "".join(groups)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        raise refused
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def _day(text: str, field: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise portal.PortalInputError(
            "date_format", field, f"{text!r} is not a date", example="2026-12-31"
        ) from None


def _render(name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    html = _env.get_template(f"portal/{name}").render(**context)
    return HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})


def _browser_language(request: Request) -> str:
    """The first of the browser's languages (Accept-Language) that the page speaks, else English."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()
        if code and language_of(code) == code.replace("_", "-").split("-")[0].lower():
            return language_of(code)
    return "en"


def _problem(
    request: Request, kind: str, status: int, *, lang: str = "", headers: dict[str, str] | None = None
) -> Response:
    """A page saying what is wrong (``words.problem[kind]``), naming no customer."""
    lang = lang if lang in LANGUAGES else _browser_language(request)
    w = words(lang)
    settings = app_of(request).settings
    title, text = w["problem"][kind]
    return _render(
        "problem.html",
        status,
        headers,
        lang=lang,
        w=w,
        title=title,
        text=text.format(email=settings.creditor_email),
        creditor=settings,
    )


# --- the link ----------------------------------------------------------------------------------------


def app_of(request: Request) -> bootstrap.App:
    built: bootstrap.App = request.app.state.recoup
    return built


def _secret(request: Request) -> str:
    """The key links are signed with (``links.link_secret``), read once per application."""
    state = request.app.state
    if not hasattr(state, "portal_secret"):
        built = app_of(request)
        with built.uow() as uow:
            state.portal_secret = links.link_secret(built.settings, uow)
            uow.commit()
    secret: str = state.portal_secret
    return secret


@dataclass(frozen=True)
class Visit:
    """A request through a good link: the application, the link's token and customer, the secret."""

    built: bootstrap.App
    token: str
    customer_id: str
    secret: str


def _visit(request: Request, token: str, kind: str) -> Visit | Response:
    """The visit, or the answer when the client is over its limit or the link is not good."""
    address = request.client.host if request.client else "unknown"
    wait = limiter(request).wait(kind, ("address", address), ("link", token[:200]))
    if wait:
        lang = str(request.query_params.get("lang") or "")
        return _problem(request, "too_many", 429, lang=lang, headers={"Retry-After": str(int(wait) + 1)})
    built = app_of(request)
    secret = _secret(request)
    try:
        customer_id = links.read_link(secret, token, now=built.now(), max_age_days=built.settings.link_days)
    except LinkExpiredError:
        return _problem(request, "expired", 410)
    except LinkInvalidError:
        return _problem(request, "invalid", 404)
    with built.uow() as uow:
        if uow.customers.get(customer_id) is None:
            return _problem(request, "invalid", 404)
    return Visit(built, token, customer_id, secret)


def _language(request: Request, customer: Customer, form: FormData | None = None) -> str:
    """The language asked for (``lang`` in the address or the form), else the customer's."""
    asked = str((form.get("lang") if form is not None else None) or request.query_params.get("lang") or "")
    return asked if asked in LANGUAGES else language_of(customer.language)


def _policy(built: bootstrap.App, customer: Customer) -> Policy:
    return load_book(built.settings.policies).for_customer(customer.id, customer.segment)


# --- the page ----------------------------------------------------------------------------------------


def _page(
    request: Request,
    visit: Visit,
    *,
    form: FormData | None = None,
    action: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    built = visit.built
    with built.uow() as uow:
        customer = _customer(uow, visit.customer_id)
        view = portal.customer_page(uow, customer.id, built.today(), policy=_policy(built, customer))
    lang = _language(request, customer, form)
    currency = customer.currency if customer.currency in view.totals else next(iter(view.totals), "")
    defaults: dict[str, Any] = {
        "paid_on": built.today().isoformat(),
        "amount": plain_amount(view.totals[currency][0], lang) if currency else "",
        "currency": currency,
        "invoices": [line.number for line in view.lines if line.invoice.currency == currency],
        "reference": "",
        "pay_on": "",
        "invoice": "",
        "reason": "",
        "comment": "",
        "instalments": "",
    }
    values = {
        name: {
            **defaults,
            **(
                {
                    field: form.getlist(field) if field == "invoices" else str(form.get(field) or "")
                    for field in FIELDS[name]
                }
                if form is not None and name == action
                else {}
            ),
        }
        for name in ACTIONS
    }
    return _render(
        "page.html",
        422 if errors else 200,
        lang=lang,
        w=words(lang),
        languages={code: words(code)["lang_name"] for code in LANGUAGES},
        token=visit.token,
        csrf=links.form_token(visit.secret, visit.token),
        view=view,
        customer=customer,
        today=built.today(),
        settings=built.settings,
        values=values,
        action=action,
        errors=errors or {},
        reasons=DISPUTE_REASONS,
        instalments=range(portal.PLAN_INSTALMENTS[0], portal.PLAN_INSTALMENTS[1] + 1),
    )


def _customer(uow: UnitOfWork, customer_id: str) -> Customer:
    found = uow.customers.get(customer_id)
    if found is None:
        raise NotFoundError(f"no customer {customer_id!r}")
    return found


@router.get("/{token}", response_class=HTMLResponse)
def customer_page(request: Request, token: str) -> Response:
    visit = _visit(request, token, "get")
    if isinstance(visit, Response):
        return visit
    return _page(request, visit)


@router.get("/{token}/statement/{currency}.pdf")
def statement(request: Request, token: str, currency: str) -> Response:
    visit = _visit(request, token, "get")
    if isinstance(visit, Response):
        return visit
    built = visit.built
    try:
        with built.uow() as uow:
            pdf = portal.statement_pdf(
                uow, visit.customer_id, currency, settings=built.settings, as_of=built.today()
            )
    except NotFoundError:
        return _problem(request, "missing", 404, lang=str(request.query_params.get("lang") or ""))
    name = f"statement-{visit.customer_id}-{currency}-{built.today().isoformat()}.pdf"
    disposition = f'inline; filename="{_safe_name(name)}"'
    return Response(
        pdf, media_type="application/pdf", headers={**HEADERS, "Content-Disposition": disposition}
    )


@router.get("/{token}/documents/{ref}")
def document(request: Request, token: str, ref: str) -> Response:
    visit = _visit(request, token, "get")
    if isinstance(visit, Response):
        return visit
    built = visit.built
    with built.uow() as uow:
        belongs = portal.document_belongs(uow, visit.customer_id, ref)
    lang = str(request.query_params.get("lang") or "")
    if not belongs:
        return _problem(request, "missing", 404, lang=lang)
    try:
        data = DocumentStore(built.settings.documents).get(ref)
    except DocumentError:
        return _problem(request, "missing", 404, lang=lang)
    suffix = ref.rsplit(".", 1)[-1]
    media, how = DOCUMENT_TYPES.get(suffix, ("application/octet-stream", "attachment"))
    name = f"{ref.removeprefix('sha256:')[:16]}.{suffix}"
    return Response(
        data, media_type=media, headers={**HEADERS, "Content-Disposition": f'{how}; filename="{name}"'}
    )


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


# --- the forms ---------------------------------------------------------------------------------------


@router.post("/{token}/{action}", response_class=HTMLResponse)
async def act(request: Request, token: str, action: str) -> Response:
    visit = await run_in_threadpool(_visit, request, token, "post")
    if isinstance(visit, Response):
        return visit
    form = await request.form()
    lang = str(form.get("lang") or "")
    if action not in ACTIONS:
        return _problem(request, "missing", 404, lang=lang)
    if not links.form_token_ok(visit.secret, token, str(form.get("csrf_token") or "")):
        return _problem(request, "form", 403, lang=lang)
    return await run_in_threadpool(_act, request, visit, action, form)


def _act(request: Request, visit: Visit, action: str, form: FormData) -> Response:
    built = visit.built
    at, today = built.now(), built.today()
    with built.uow() as uow:
        customer = _customer(uow, visit.customer_id)
    lang = _language(request, customer, form)
    try:
        with built.uow() as uow:
            done = _DO[action](uow, customer, form, lang, at, today, _policy(built, customer))
            uow.commit()
    except portal.PortalInputError as exc:
        return _page(request, visit, form=form, action=action, errors={exc.field: _message(exc, lang)})
    except DomainError:
        text = words(lang)["errors"]["failed"].format(email=built.settings.creditor_email)
        return _page(request, visit, form=form, action=action, errors={"form": text})
    w = words(lang)
    return _render(
        "done.html",
        200,
        lang=lang,
        w=w,
        title=w[action],
        text=w["done"][action].format(**done),
        token=visit.token,
        customer=customer,
        settings=built.settings,
    )


def _message(exc: portal.PortalInputError, lang: str) -> str:
    """The error in the customer's words, its amounts and dates written the customer's way."""
    params = {
        key: _money(value, lang)
        if isinstance(value, Money)
        else day(value, lang, "medium")
        if isinstance(value, dt.date)
        else value
        for key, value in exc.params.items()
    }
    try:
        return str(words(lang)["errors"][exc.code]).format(**params)
    except (KeyError, IndexError):
        return str(exc)


Doer = Callable[[UnitOfWork, Customer, FormData, str, dt.datetime, dt.date, Policy], dict[str, Any]]


def _paid(
    uow: UnitOfWork,
    customer: Customer,
    form: FormData,
    lang: str,
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> dict[str, Any]:
    promise = portal.report_payment(
        uow,
        customer.id,
        paid_on=_day(str(form.get("paid_on") or ""), "paid_on"),
        amount=parse_amount(str(form.get("amount") or ""), lang),
        reference=str(form.get("reference") or ""),
        invoices=[str(n) for n in form.getlist("invoices")],
        at=at,
        today=today,
        policy=policy,
    )
    return {
        "amount": _money(promise.amount, lang),
        "date": day(promise.made_on, lang, "medium"),
        "numbers": ", ".join(promise.invoices),
        "until": day(today + dt.timedelta(days=policy.promise_grace_days), lang, "medium"),
    }


def _promise(
    uow: UnitOfWork,
    customer: Customer,
    form: FormData,
    lang: str,
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> dict[str, Any]:
    promise = portal.promise_payment(
        uow,
        customer.id,
        pay_on=_day(str(form.get("pay_on") or ""), "pay_on"),
        amount=parse_amount(str(form.get("amount") or ""), lang),
        currency=str(form.get("currency") or ""),
        at=at,
        today=today,
        policy=policy,
    )
    return {"amount": _money(promise.amount, lang), "date": day(promise.date, lang, "medium")}


def _dispute(
    uow: UnitOfWork,
    customer: Customer,
    form: FormData,
    lang: str,
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> dict[str, Any]:
    dispute = portal.dispute_invoice(
        uow,
        customer.id,
        invoice=str(form.get("invoice") or ""),
        reason=str(form.get("reason") or ""),
        comment=str(form.get("comment") or ""),
        at=at,
        today=today,
    )
    return {"number": dispute.invoice_number}


def _plan(
    uow: UnitOfWork,
    customer: Customer,
    form: FormData,
    lang: str,
    at: dt.datetime,
    today: dt.date,
    policy: Policy,
) -> dict[str, Any]:
    text = str(form.get("instalments") or "").strip()
    count = int(text) if text.isdigit() and len(text) < 4 else None
    portal.request_plan(
        uow, customer.id, instalments=count, comment=str(form.get("comment") or ""), at=at, today=today
    )
    return {"count": count}


_DO: dict[str, Doer] = {"paid": _paid, "promise": _promise, "dispute": _dispute, "plan": _plan}
