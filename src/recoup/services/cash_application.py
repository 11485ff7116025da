"""Cash application: stored bank credits applied to open invoices, or queued for a person.

``apply_lines`` matches a batch of stored statement lines (``domain.matching``) against
the ledger with a handful of set-based reads for the whole batch, never one query per
line: the open invoices whose numbers the texts name (one streamed pass), the payers'
known IBANs, the customers named by the payers' names or an RF reference, and the open
invoices of those customers. Lines are matched in booking order against balances that
drop as earlier lines are applied, so two lines never pay the same balance twice.

Applying a match is a ``Payment`` (reference ``BANK-`` + the line key's first 16
characters, naming the matched invoices in order) recorded through
``ledger.record_payments``: the invoices it pays stop being chased at once, any rest
stays on the customer as unapplied cash. A line whose customer is known but whose
amount fits nothing is kept whole as unapplied cash. Every line ends with its status,
customer, payment reference, confidence and ranked suggestions (``uow.bank``).

``confirm`` is the collector's answer to a line in the review queue: a suggestion, a
customer and invoices chosen by hand, or the customer alone (unapplied cash). It
applies the payment the same way, remembers the payer's IBAN for that customer (so the
next payment from it matches by itself) and logs who confirmed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from recoup.domain.activity import Activity
from recoup.domain.errors import InvalidInputError, InvalidStateError, NotFoundError
from recoup.domain.invoices import Invoice
from recoup.domain.matching import (
    TAIL,
    Book,
    Clues,
    Decision,
    Item,
    MatchRules,
    key_tails,
    match,
    name_key,
    normal_iban,
    number_keys,
    rf_payloads,
    text_keys,
)
from recoup.domain.money import Money
from recoup.domain.payments import Payment
from recoup.domain.statements import LineStatus, StatementLine
from recoup.gc_pause import without_gc
from recoup.services.ledger import record_payments
from recoup.services.ports import LineDecision, StoredLine, UnitOfWork

OPEN_TO_MATCH = (LineStatus.UNKNOWN, LineStatus.REVIEW)
"""Lines matching may (re)consider; matched and unapplied lines are done."""

_WORD = re.compile(r"[^\s,;]+")
MAX_NAMED = 20  # a text naming more invoices than this is a list, not a remittance


@dataclass
class ApplyResult:
    """What one matching pass did, by line id.

    Fields:
        matched: lines applied to invoices. review: lines left for a person (with or without
            suggestions); unknown: those of them with no candidate at all. unapplied: lines kept
            whole as unapplied cash of a known customer.
        amounts: per status ('matched', 'review', 'unapplied') and currency, the lines' total.
        payments: references of the payments recorded.
    """

    matched: list[int] = field(default_factory=list)
    review: list[int] = field(default_factory=list)
    unapplied: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    amounts: dict[str, dict[str, Money]] = field(default_factory=dict)
    payments: list[str] = field(default_factory=list)

    def count(self, status: str, counted: Sequence[tuple[int, Money]]) -> None:
        """Lines (id, amount) that ended in ``status``: their ids, their amounts added up in minor
        units of each currency."""
        getattr(self, status).extend(line_id for line_id, _ in counted)
        minor: dict[str, int] = {}
        for _, amount in counted:
            minor[amount.currency] = minor.get(amount.currency, 0) + amount.minor
        per = self.amounts.setdefault(status, {})
        for currency, total in minor.items():
            amount = Money.from_minor(total, currency)
            per[currency] = per[currency] + amount if currency in per else amount

    def as_json(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "review": self.review,
            "unapplied": self.unapplied,
            "unknown": self.unknown,
            "payments": self.payments,
            "amounts": {
                status: {cur: str(m.amount) for cur, m in sorted(per.items())}
                for status, per in self.amounts.items()
            },
        }

    def lines(self) -> list[str]:
        """The result in a few sentences, amounts per currency (never summed across them)."""

        def money(status: str) -> str:
            per = self.amounts.get(status, {})
            return ", ".join(str(m) for _, m in sorted(per.items())) or "nothing"

        return [
            f"matched automatically: {len(self.matched)} ({money('matched')})",
            f"kept as unapplied cash: {len(self.unapplied)} ({money('unapplied')})",
            f"to review: {len(self.review)} ({money('review')}), "
            f"{len(self.unknown)} of them without any suggestion",
        ]


def payment_reference(line: StatementLine) -> str:
    """The reference of the payment made from ``line``: stable, the same on every import."""
    return "BANK-" + line.key[:16]


def _texts(line: StatementLine) -> tuple[str, ...]:
    return (line.remittance, line.end_to_end_id, line.creditor_reference)


@dataclass
class _Gathered:
    book: Book
    clues: dict[int, Clues]
    read: dict[str, Item]  # the open invoices as read, before any line was applied


def _gather(uow: UnitOfWork, todo: Sequence[StoredLine]) -> _Gathered:
    """Everything the rules need for the whole batch, in a few set-based reads: the payers'
    IBANs, the customers named by the payers' names or RF references, then one pass over the
    open invoices for those the texts name and every open invoice of those customers."""
    keys: dict[int, frozenset[str]] = {}
    rfs: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    ibans: dict[int, str] = {}
    # many lines share texts and names ('Payment', '', a payer's name): each worked out once
    text_memo: dict[str, frozenset[str]] = {}
    rf_memo: dict[tuple[str, str], list[str]] = {}
    name_memo: dict[str, str] = {"": ""}
    for stored in todo:
        line = stored.line
        pair = (line.creditor_reference, line.remittance)
        found = rf_memo.get(pair)
        if found is None:
            found = rf_memo[pair] = rf_payloads(*pair)
        rfs[stored.id] = list(found)
        line_keys = frozenset(found)
        for text in _texts(line):
            if (known := text_memo.get(text)) is None:
                known = text_memo[text] = frozenset(text_keys(text))
            line_keys |= known
        keys[stored.id] = line_keys
        if (name := name_memo.get(line.counterparty_name)) is None:
            name = name_memo[line.counterparty_name] = name_key(line.counterparty_name)
        names[stored.id] = name
        ibans[stored.id] = normal_iban(line.counterparty_iban)
    payers = uow.bank.payers(set(ibans.values()) - {""})
    rf_all = {p for ps in rfs.values() for p in ps}
    by_name, by_id = uow.bank.customers_by_key(names=set(names.values()) - {""}, ids=rf_all)
    who: dict[int, tuple[tuple[str, ...], tuple[str, ...], list[str]]] = {}
    wanted: set[str] = set()
    for stored in todo:
        rf_customers = list(dict.fromkeys(c for p in rfs[stored.id] for c in by_id.get(p, [])))
        who[stored.id] = (
            tuple(payers.get(ibans[stored.id], ())),
            _few(by_name.get(names[stored.id], [])),
            rf_customers,
        )
        wanted.update(who[stored.id][0], who[stored.id][1], rf_customers)
    all_keys = frozenset().union(*keys.values())
    items = uow.bank.open_items(keys=all_keys, customers=wanted)
    tails = key_tails(all_keys)
    index: dict[str, list[Item]] = {}
    for item in items:  # most are the invoices of the customers wanted: surely_unnamed, inlined
        tail = item.number[-TAIL:]
        if tail in tails or not (len(tail) == TAIL and tail.isascii() and tail.isdigit()):
            for key in number_keys(item.number):
                if key in all_keys:
                    index.setdefault(key, []).append(item)
    book = Book(i for found in index.values() for i in found)
    book.add_customers((i for i in items if i.customer_id in wanted), wanted)
    named = {s.id: _named(keys[s.id], rfs[s.id], index) for s in todo}
    paid = _paid(uow, [s for s in todo if not named[s.id]])
    clues: dict[int, Clues] = {}
    for stored in todo:
        known, namesakes, rf_customers = who[stored.id]
        rf_customer = rf_customers[0] if len(rf_customers) == 1 else None
        if rf_customer is not None and any(p in index for p in rfs[stored.id]):
            rf_customer = None  # the reference is an invoice's
        clues[stored.id] = Clues(
            named=named[stored.id],
            rf_customer=rf_customer,
            payers=known,
            namesakes=namesakes,
            paid=paid.get(stored.id, ()),
            keys=keys[stored.id],
        )
    return _Gathered(book, clues, {i.number: i for i in items})


def _few(customers: list[str]) -> tuple[str, ...]:
    """The customers a payer's name points to, when it points to few (a common name says nothing)."""
    return tuple(customers) if len(customers) <= 3 else ()


def _named(keys: frozenset[str], rfs: list[str], index: dict[str, list[Item]]) -> tuple[tuple[str, str], ...]:
    named: dict[str, str] = {}
    for payload in rfs:
        for item in index.get(payload, ()):
            if number_keys(item.number)[0] == payload:
                named[item.number] = "rf"
    for key in sorted(keys):
        for item in index.get(key, ()):
            how = "number" if number_keys(item.number)[0] == key else "digits"
            if named.get(item.number) not in ("rf", "number"):
                named[item.number] = how
    return tuple(list(named.items())[:MAX_NAMED])


def _paid(uow: UnitOfWork, todo: Sequence[StoredLine]) -> dict[int, tuple[tuple[str, str], ...]]:
    """Invoices no longer open that lines name word for word (a payment made twice)."""
    words: dict[int, list[str]] = {}
    for stored in todo:
        found = [w.strip(".:()[]'\"") for w in _WORD.findall(stored.line.remittance)]
        found = [w for w in found if len(w) >= 4 and any(ch.isdigit() for ch in w)]
        if found:
            words[stored.id] = found[:MAX_NAMED]
    if not words:
        return {}
    known = uow.invoices.get_many({w for ws in words.values() for w in ws})
    closed = {n: inv.customer_id for n, inv in known.items() if inv.closed_on is not None}
    return {
        line_id: tuple((w, closed[w]) for w in dict.fromkeys(ws) if w in closed)
        for line_id, ws in words.items()
        if any(w in closed for w in ws)
    }


class _NamedOnly:
    """The unit of work as ``record_payments`` sees it from ``apply_lines``: every payment names
    its invoices, so the open book it reads is those invoices, as matching read them in this
    same transaction, instead of every open invoice of every payer read again (a second pass
    over most of a large ledger)."""

    def __init__(self, uow: UnitOfWork, items: Sequence[Item]) -> None:
        self._uow = uow
        self.invoices = _NamedInvoices(uow, items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


class _NamedInvoices:
    def __init__(self, uow: UnitOfWork, items: Sequence[Item]) -> None:
        self._inner = uow.invoices
        self._items = items

    def open_for_customers(self, customer_ids: Collection[str]) -> list[Invoice]:
        wanted = set(customer_ids)
        found = []
        for i in self._items:
            if i.customer_id in wanted:
                amount = Money.from_minor(i.amount, i.currency)
                balance = amount if i.balance == i.amount else Money.from_minor(i.balance, i.currency)
                found.append(
                    Invoice(i.number, i.customer_id, i.issue_date, i.due_date, amount, balance=balance)
                )
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def apply_lines(
    uow: UnitOfWork,
    lines: list[StoredLine],
    *,
    at: dt.datetime,
    actor: str,
    rules: MatchRules | None = None,
) -> ApplyResult:
    """Match ``lines`` (those still unknown or in review) and apply the sure ones.

    Does not commit: the caller commits ``uow`` (with the import that stored the lines).
    """
    with without_gc():
        return _apply_lines(uow, lines, at=at, actor=actor, rules=rules or MatchRules())


def _apply_lines(
    uow: UnitOfWork, lines: list[StoredLine], *, at: dt.datetime, actor: str, rules: MatchRules
) -> ApplyResult:
    todo = sorted((s for s in lines if s.status in OPEN_TO_MATCH), key=lambda s: (s.line.booking_date, s.id))
    result = ApplyResult()
    if not todo:
        return result
    gathered = _gather(uow, todo)
    book = gathered.book
    payments: list[Payment] = []
    cash: list[Payment] = []
    decisions: list[LineDecision] = []
    counted: dict[str, list[tuple[int, Money]]] = {"matched": [], "review": [], "unapplied": []}
    for stored in todo:
        line = stored.line
        decision = match(line, gathered.clues[stored.id], book, rules)
        suggestions = [c.as_dict() for c in decision.suggestions]
        best = decision.best
        if best is None:
            counted["review"].append((stored.id, line.amount))
            if decision.status is LineStatus.UNKNOWN:
                result.unknown.append(stored.id)
                if stored.status is LineStatus.UNKNOWN and not stored.suggestions:
                    continue  # nothing to write: it stays as it was stored
            decisions.append(
                LineDecision(stored.id, decision.status, suggestions=suggestions, by=actor, at=at)
            )
            continue
        reference = payment_reference(line)
        payment = Payment(reference, best.customer_id, _day(line), line.amount, invoices=best.invoices)
        if decision.status is LineStatus.MATCHED:
            payments.append(payment)
            book.pay(best.invoices, line.amount.minor)
            counted["matched"].append((stored.id, line.amount))
        else:
            cash.append(payment)
            counted["unapplied"].append((stored.id, line.amount))
        result.payments.append(reference)
        decisions.append(_decided(stored.id, decision, reference, suggestions, actor, at))
    for status, lines_of in counted.items():
        if lines_of:
            result.count(status, lines_of)
    if payments:
        named = {n for p in payments for n in p.invoices}
        items = [gathered.read[n] for n in named]
        record_payments(cast(UnitOfWork, _NamedOnly(uow, items)), payments, at=at, actor=actor)
    keep_as_cash(uow, cash, at=at, actor=actor)
    uow.bank.decide_many(decisions)
    return result


def _decided(
    line_id: int,
    decision: Decision,
    reference: str,
    suggestions: list[dict[str, Any]],
    actor: str,
    at: dt.datetime,
) -> LineDecision:
    assert decision.best is not None
    return LineDecision(
        line_id,
        decision.status,
        customer_id=decision.best.customer_id,
        payment_reference=reference,
        confidence=round(decision.best.confidence, 3),
        suggestions=suggestions,
        by=actor,
        at=at,
    )


def _day(line: StatementLine) -> dt.date:
    """The day the money counts: the value date when the bank gives one."""
    return line.value_date or line.booking_date


def keep_as_cash(uow: UnitOfWork, payments: Sequence[Payment], *, at: dt.datetime, actor: str) -> None:
    """Store payments whole as unapplied cash of their customers (no invoice is paid), logged."""
    if not payments:
        return
    uow.payments.add_many(payments, [])
    uow.activities.add_many(
        [
            Activity(
                "payment",
                at,
                actor,
                p.customer_id,
                f"Payment {p.reference} of {p.amount} received on {p.date}; "
                f"{p.amount} kept as unapplied cash (no invoice matched)",
                data={
                    "reference": p.reference,
                    "amount": str(p.amount.amount),
                    "currency": p.amount.currency,
                    "date": p.date.isoformat(),
                    "unapplied": str(p.amount.amount),
                },
            )
            for p in payments
        ]
    )


# --- the review queue ---------------------------------------------------------------------------


def review_queue(uow: UnitOfWork, *, limit: int | None = None) -> list[StoredLine]:
    """Lines waiting for a person, oldest booking first."""
    return uow.bank.with_status(OPEN_TO_MATCH, limit=limit)


@dataclass(frozen=True)
class Confirmation:
    """What a collector's confirmation did."""

    line_id: int
    status: LineStatus
    customer_id: str
    invoices: tuple[str, ...]
    amount: Money
    payment_reference: str
    iban_learnt: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "status": self.status.value,
            "customer_id": self.customer_id,
            "invoices": list(self.invoices),
            "amount": str(self.amount.amount),
            "currency": self.amount.currency,
            "payment_reference": self.payment_reference,
            "iban_learnt": self.iban_learnt,
        }

    def text(self) -> str:
        where = f"applied to {', '.join(self.invoices)}" if self.invoices else "kept as unapplied cash"
        learnt = f"; IBAN {self.iban_learnt} remembered for {self.customer_id}" if self.iban_learnt else ""
        return f"Line {self.line_id}: {self.amount} from {self.customer_id} {where}{learnt}."


def confirm(
    uow: UnitOfWork,
    line_id: int,
    *,
    at: dt.datetime,
    actor: str,
    suggestion: int | None = None,
    customer_id: str | None = None,
    invoices: Sequence[str] = (),
    unapplied: bool = False,
) -> Confirmation:
    """Apply a line of the review queue as a collector says (see the module's docstring).

    ``suggestion`` is 1-based, as the queue shows it. With ``customer_id`` (and ``invoices``,
    in the order to pay them) the collector chooses by hand; ``unapplied`` keeps the money on
    the customer without paying an invoice. Raises a domain error, changing nothing, when the
    line is not in the queue or the choice does not fit it.
    """
    stored = uow.bank.get_many([line_id]).get(line_id)
    if stored is None:
        raise NotFoundError(f"no statement line {line_id}")
    if stored.status not in OPEN_TO_MATCH:
        raise InvalidStateError(f"line {line_id} is already {stored.status.value}, not in the review queue")
    line = stored.line
    chosen_confidence: float | None = None
    if suggestion is not None:
        if not 1 <= suggestion <= len(stored.suggestions):
            raise InvalidInputError(
                f"line {line_id} has {len(stored.suggestions)} suggestion(s), not {suggestion}",
                field="suggestion",
            )
        picked = stored.suggestions[suggestion - 1]
        customer_id = customer_id or str(picked["customer_id"])
        invoices = invoices or tuple(picked["invoices"])
        chosen_confidence = float(picked.get("confidence", 0.0))
    if not customer_id:
        raise InvalidInputError("say which customer paid (a suggestion or --customer)", field="customer")
    if uow.customers.get(customer_id) is None:
        raise NotFoundError(f"no customer {customer_id}")
    numbers = () if unapplied else tuple(dict.fromkeys(invoices))
    _check_invoices(uow, line, customer_id, numbers)
    reference = payment_reference(line)
    payment = Payment(reference, customer_id, _day(line), line.amount, invoices=numbers)
    if numbers:
        record_payments(uow, [payment], at=at, actor=actor)
        status = LineStatus.MATCHED
    else:
        keep_as_cash(uow, [payment], at=at, actor=actor)
        status = LineStatus.UNAPPLIED
    iban = normal_iban(line.counterparty_iban)
    learnt = iban if iban and uow.bank.learn(iban, customer_id, by=actor, at=at) else None
    uow.bank.decide(
        line_id,
        status,
        customer_id=customer_id,
        payment_reference=reference,
        confidence=chosen_confidence,
        suggestions=stored.suggestions,
        by=actor,
        at=at,
    )
    done = Confirmation(line_id, status, customer_id, numbers, line.amount, reference, learnt)
    uow.activities.add_many(
        [
            Activity(
                "cash_application",
                at,
                actor,
                customer_id,
                f"Bank credit of {line.amount} on {line.booking_date} from "
                f"{line.counterparty_name or 'an unnamed payer'} confirmed by {actor}: {done.text()}",
                invoices=numbers,
                data={"line_id": line_id, "suggestion": suggestion, **done.as_json()},
            )
        ]
    )
    return done


def _check_invoices(uow: UnitOfWork, line: StatementLine, customer_id: str, numbers: Sequence[str]) -> None:
    if not numbers:
        return
    found = uow.invoices.get_many(numbers)
    for number in numbers:
        inv = found.get(number)
        if inv is None:
            raise InvalidInputError(f"no invoice {number}", field="invoices")
        if inv.customer_id != customer_id:
            raise InvalidInputError(
                f"invoice {number} is {inv.customer_id}'s, not {customer_id}'s", field="invoices"
            )
        if inv.closed_on is not None:
            raise InvalidInputError(f"invoice {number} is already {inv.status.value}", field="invoices")
        if inv.currency != line.amount.currency:
            raise InvalidInputError(
                f"invoice {number} is in {inv.currency}; the payment is in {line.amount.currency}: "
                "currencies are never mixed",
                field="invoices",
            )
