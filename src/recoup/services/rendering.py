"""Messages from outbox payloads: Jinja2 templates per step and language, money and dates with Babel.

A template is chosen by the payload's ``template`` (``notify-sales`` for a
``notify_sales`` action) and the customer's language; a template missing in
that language is taken in English. Templates live in
``recoup/templates/email/<lang>/<template>.txt.j2`` and ``.html.j2``; the
subject is the ``subject`` block of the text template. A folder named by the
``templates`` setting (``RECOUP_TEMPLATES``) overrides any of them: the same
``<lang>/<template>.txt.j2`` layout, optionally under ``email/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from recoup.services.formatting import environment, iban_groups, language_of
from recoup.settings import Settings, load_settings

_BY_TONE = {"friendly": "reminder-1", "firm": "reminder-2", "formal": "final-notice"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


def shipped_folder() -> Path:
    return Path(str(resources.files("recoup.templates").joinpath("email")))


def _state(state: str) -> dict[str, str]:
    """The kind of a paused item's state ('disputed (reason)', 'promised for DATE', 'in a payment plan')."""
    if state.startswith("disputed"):
        match = re.match(r"disputed \((.*)\)$", state)
        return {"kind": "disputed", "detail": match.group(1) if match else ""}
    if state.startswith("promised"):
        match = re.search(r"(\d{4}-\d{2}-\d{2})", state)
        return {"kind": "promised", "detail": match.group(1) if match else ""}
    if "plan" in state:
        return {"kind": "plan", "detail": ""}
    return {"kind": "other", "detail": state}


def _interest(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The statutory rule that applies, when the jurisdiction is known: its code, title and rate in words
    (English, from law.interest; the templates cite it from their _words.j2 by code), whether the debtor
    is a consumer, and whether the law gives fixed compensation to this debtor (``compensation``)."""
    from recoup.domain.errors import UnknownJurisdictionError
    from recoup.law.interest import gives_compensation, rule_for

    customer = payload.get("customer", {})
    code = payload.get("jurisdiction") or customer.get("jurisdiction") or customer.get("country")
    if not code:
        return None
    try:
        rule = rule_for(str(code))
    except UnknownJurisdictionError:
        return None
    consumer = bool(payload.get("consumer"))
    if consumer and not rule.consumers:
        return None
    return {
        "code": rule.code,
        "title": rule.title,
        "rate": rule.rate_text,
        "consumer": consumer,
        "compensation": gives_compensation(rule.code, consumer),
    }


class Templates:
    """The message templates: the shipped ones, with a user's folder in front.

    ``link`` makes the address of a customer's page from its id (``services.links.LinkMaker``); with
    one, every message to a customer carries its signed link (never a note to the sales owner)."""

    def __init__(
        self,
        *,
        override: Path | None = None,
        settings: Settings | None = None,
        link: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.link = link
        override = override or self.settings.templates
        folders: list[Path] = []
        if override is not None:
            folders += [override / "email", override]
        folders.append(shipped_folder())
        self.folders = folders
        self._envs: dict[str, jinja2.Environment] = {}

    def _env(self, language: str) -> jinja2.Environment:
        if language not in self._envs:
            self._envs[language] = environment(self.folders, language=language)
        return self._envs[language]

    def _pick(self, env: jinja2.Environment, language: str, name: str) -> tuple[str, str]:
        """(language, name) of the template to use: the language's, else English, else by tone."""
        for lang, candidate in ((language, name), ("en", name)):
            try:
                env.get_template(f"{lang}/{candidate}.txt.j2")
                return lang, candidate
            except jinja2.TemplateNotFound:
                continue
        raise jinja2.TemplateNotFound(f"{language}/{name}.txt.j2")

    def context(self, payload: dict[str, Any], language: str) -> dict[str, Any]:
        s = self.settings
        invoices = payload.get("invoices", [])
        currency = payload["currency"]
        received = sum((Decimal(i["amount"]) - Decimal(i["balance"]) for i in invoices), Decimal(0))
        numbers = [i["number"] for i in invoices]
        internal = payload.get("action") == "notify_sales"
        customer_id = str(payload.get("customer", {}).get("id") or "")
        return {
            **payload,
            "lang": language,
            "shown": [{**item, **_state(str(item.get("state", "")))} for item in payload.get("shown", [])],
            "received": str(received) if received > 0 else "",
            "internal": internal,
            "link": self.link(customer_id) if self.link and customer_id and not internal else "",
            "first_due": min((i["due_date"] for i in invoices), default=""),
            "interest": _interest(payload),
            "contact": payload.get("sales_owner") or s.creditor_email,
            "creditor": {
                "name": s.creditor_name,
                "address": [line for line in s.creditor_address.splitlines() if line.strip()],
                "email": s.creditor_email,
                "phone": s.creditor_phone,
            },
            "bank": {
                "name": s.bank_name,
                "iban": iban_groups(s.iban),
                "bic": s.bic,
                "reference": s.payment_reference_hint or ", ".join(numbers) or currency,
            },
        }

    def render(self, payload: dict[str, Any], *, language: str | None = None) -> Rendered:
        """The subject, plain text and HTML of the message ``payload`` describes."""
        wanted = language_of(language or payload.get("customer", {}).get("language") or "en")
        env = self._env(wanted)
        name = (
            "notify-sales" if payload.get("action") == "notify_sales" else str(payload.get("template") or "")
        )
        try:
            lang, name = self._pick(env, wanted, name)
        except jinja2.TemplateNotFound:
            lang, name = self._pick(env, wanted, _BY_TONE.get(str(payload.get("tone")), "reminder-1"))
        if lang != wanted:
            env = self._env(lang)
        context = self.context(payload, lang)
        text_template = env.get_template(f"{lang}/{name}.txt.j2")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        text = text_template.render(context)
        html = env.get_template(f"{lang}/{name}.html.j2").render(context)
        return Rendered(" ".join(subject.split()), _tidy(text), html, lang)


def _tidy(text: str) -> str:
    """No runs of blank lines, no trailing spaces."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


_default: Templates | None = None


def render_text(payload: dict[str, Any]) -> tuple[str, str]:
    """The subject and plain text of a message, in the customer's language (the recording channel's copy)."""
    global _default
    if _default is None:
        _default = Templates()
    rendered = _default.render(payload)
    return rendered.subject, rendered.text
