"""Cash application: which open invoices a bank credit pays, and how sure we are.

Pure rules over values. The service (``services/cash_application.py``) gathers the
clues of each line in a few set-based reads (invoice numbers found in the text,
the customer a structured reference names, the customers the payer's IBAN is known
for, the customers whose name the payer bears) and the open invoices concerned
(``Book``); ``match`` turns them into ranked candidates, each with a confidence in
0..1 and a reason a person can read, and decides:

- MATCHED when the best candidate names invoices, reaches ``MatchRules.threshold``
  and is ahead of the next one by ``MatchRules.margin``;
- UNAPPLIED when that best candidate is a known customer without an invoice
  (the money is kept as unapplied cash on it);
- REVIEW when there are candidates but none is sure enough: they become the
  ranked suggestions of the review queue;
- UNKNOWN when nothing points to anyone.

Amounts are compared in minor units of the line's currency; an invoice in another
currency is never a candidate.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, NamedTuple

from recoup.domain.money import Money
from recoup.domain.statements import LineStatus, StatementLine, rf_reference, rf_reference_valid

# Confidences of each rule (the README of the bench and the tests quote them).
RF_EXACT = 0.99  # a valid RF reference naming the invoice, amount equal to its balance
NUMBER_EXACT = 0.97  # invoice numbers in the text, amount equal to their balance
DIGITS_EXACT = 0.93  # only the numbers' digits (prefix left out) in the text, amount equal
NAMED_SUBSET = 0.93  # some of the named invoices add up to the amount exactly
RF_PARTIAL = 0.92  # RF-named invoice, amount below or above its balance
NUMBER_PARTIAL = 0.80  # named invoices, amount below (partial) or above (overpayment)
DIGITS_PARTIAL = 0.70
RF_CUSTOMER_ONE = 0.96  # the customer's RF reference, one open invoice of that amount
RF_CUSTOMER_COMBINATION = 0.93
RF_CUSTOMER = 0.92  # the customer's RF reference, no amount matches: unapplied cash
IBAN_ONE = 0.95  # the payer's known IBAN, exactly one open invoice of that amount
IBAN_COMBINATION = 0.92  # the payer's known IBAN, the oldest invoices in a row or two of them
LOOSE_COMBINATION = 0.07  # taken off a set of three or more that is not the oldest in a row:
# among a dozen invoices some such set adds up to almost any amount by chance
IBAN_SEVERAL = 0.75  # several invoices or combinations fit: the oldest is suggested
IBAN_CUSTOMER = 0.90  # the payer's known IBAN, nothing fits: unapplied cash
NAME_ONE = 0.80  # the payer's name is a customer's, one open invoice of that amount
NAME_COMBINATION = 0.70
NAME_CUSTOMER = 0.50
PAID_NAMED = 0.85  # the text names an invoice already paid: a double payment?
NEAR_NUMBER = 0.04  # added when the text has the invoice's number with a digit or two wrong
PARTIAL_RIVAL = 0.15  # taken off a partial or over payment when the amount is exactly another
# open invoice's balance of the same customer (most likely a typo in the number)
IBAN_AGREES = 0.12  # added when the payer's IBAN is known for the candidate's customer
NAME_AGREES = 0.06  # added when the payer's name is the candidate's customer's
IBAN_DISAGREES = 0.15  # taken off when the IBAN is known for other customers only
SHARED_IBAN = 0.10  # taken off when the IBAN is known for several customers
CEILING = 0.99

_PIECES = re.compile(r"[A-Z]+|[0-9]+")
_WORDS = re.compile(r"[0-9A-Z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_AGE = attrgetter("due_date", "issue_date", "number")
_SEPARATORS = str.maketrans("", "", " -_./\\:#,;()[]'\"+")
_NOT_WORD = re.compile(r"[\W_]+")
_COMBINING = re.compile("[\u0300-\u036f]")  # the combining diacritical marks NFKD splits off
_RF_IN_TEXT = re.compile(r"RF\d{2}(?: ?[0-9A-Z]{1,4}){1,6}")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})
_LEGAL_FORM_WORDS = (
    "ab ag as asa bv bvba co corp corporation company cv eg ek ev gbr gmbh inc kft kg kgaa limited llc "
    "llp lp ltd mbh nv oy oyj plc sa sarl sas sasu se sl spa sp srl sro zoo the und and et"
)
_LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())


@dataclass(frozen=True, slots=True)
class MatchRules:
    """How sure a match must be to be applied without a person, and how far the search goes.

    Fields:
        threshold: the best candidate's confidence needed to apply it (0..1).
        margin: how far ahead of the second candidate the best must be.
        max_items: the oldest open invoices of a customer a combination is made of.
        max_tries: the subsets tried at most per customer and line (the search is bounded).
        max_suggestions: candidates kept for the review queue.
    """

    threshold: float = 0.9
    margin: float = 0.1
    max_items: int = 12
    max_tries: int = 2000
    max_suggestions: int = 5


class Item(NamedTuple):
    """An open invoice as matching sees it: its balance (and amount) in minor units of its currency."""

    number: str
    customer_id: str
    currency: str
    balance: int
    due_date: dt.date
    issue_date: dt.date
    amount: int = 0  # the invoice's amount, 0 when not read

    @property
    def age(self) -> tuple[dt.date, dt.date, str]:
        return (self.due_date, self.issue_date, self.number)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A way to apply a line: to a customer's invoices (in order), or to the customer alone.

    Fields:
        customer_id: who paid; invoices: the invoices it pays, in order (empty: unapplied cash).
        amount: the line's amount; covered: what those invoices still owe (minor units).
        confidence: 0..1; reason: why, in words; kind: exact, partial, over or customer.
    """

    customer_id: str
    invoices: tuple[str, ...]
    amount: Money
    covered: int
    confidence: float
    reason: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "invoices": list(self.invoices),
            "amount": str(self.amount.amount),
            "currency": self.amount.currency,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class Clues:
    """What the stored data says about one line.

    Fields:
        named: (invoice number, how) for open invoices the line names; how is 'rf' (its RF
            reference), 'number' (the whole number) or 'digits' (the number without its prefix).
        rf_customer: the customer an RF reference names, None when none.
        payers: the customers the payer's IBAN is known for.
        namesakes: the customers whose name is the payer's.
        paid: (invoice number, customer) for invoices the line names that are no longer open.
        keys: the line's ``text_keys`` when already worked out (else they are, from the remittance).
    """

    named: tuple[tuple[str, str], ...] = ()
    rf_customer: str | None = None
    payers: tuple[str, ...] = ()
    namesakes: tuple[str, ...] = ()
    paid: tuple[tuple[str, str], ...] = ()
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a line: its status, the candidate applied (if any), the ranked suggestions."""

    status: LineStatus
    best: Candidate | None
    suggestions: tuple[Candidate, ...]


class Book:
    """The open invoices matching may pay, with balances lowered as lines are applied.

    ``complete`` customers have all their open invoices here (combinations may be made of
    them); for the others only the invoices a line named were read. A customer's invoices
    are put in order the first time they are asked for (most never are).
    """

    def __init__(self, items: Iterable[Item] = (), *, complete: Iterable[str] = ()) -> None:
        self.items: dict[str, Item] = {}
        self.complete: set[str] = set()
        self._of: dict[str, list[str]] = {}
        self._waiting: dict[str, list[Item]] = {}
        self.add(items, complete=complete)

    def add(self, items: Iterable[Item], *, complete: Iterable[str] = ()) -> None:
        """Add invoices (one already here keeps its balance); ``complete``: customers whose every
        open invoice is among them."""
        self.complete.update(complete)
        self._put(items)

    def add_customers(self, items: Iterable[Item], customers: Iterable[str]) -> None:
        """Add every open invoice of ``customers``; they are put in order when first asked for
        (``open_of``), so customers no line needs cost nothing more."""
        self.complete.update(customers)
        for item in items:
            self._waiting.setdefault(item.customer_id, []).append(item)

    def _put(self, items: Iterable[Item]) -> None:
        touched: set[str] = set()
        for item in items:
            if item.number not in self.items:
                self.items[item.number] = item
                self._of.setdefault(item.customer_id, []).append(item.number)
                touched.add(item.customer_id)
        known = self.items
        for customer in touched:
            numbers = self._of[customer]
            numbers[:] = [i.number for i in sorted((known[n] for n in numbers), key=_AGE)]

    def _ready(self, customer_id: str) -> None:
        waiting = self._waiting.pop(customer_id, None)
        if waiting:
            self._put(waiting)

    def get(self, number: str) -> Item | None:
        item = self.items.get(number)
        return item if item is not None and item.balance > 0 else None

    def open_of(self, customer_id: str, currency: str) -> list[Item]:
        """The customer's open invoices in ``currency``, oldest first."""
        self._ready(customer_id)
        found = (self.items[n] for n in self._of.get(customer_id, ()))
        return [i for i in found if i.currency == currency and i.balance > 0]

    def pay(self, numbers: Sequence[str], amount: int) -> None:
        """Lower the balances of ``numbers`` in order by ``amount`` (as the ledger applies it)."""
        left = amount
        for number in numbers:
            item = self.items.get(number)
            if item is None or left <= 0:
                continue
            part = min(left, item.balance)
            self.items[number] = item._replace(balance=item.balance - part)
            left -= part


# --- reading the text -------------------------------------------------------------------------


def compact(text: str) -> str:
    """Letters and digits only, upper case: 'inv-1001' and 'INV 1001' are both 'INV1001'."""
    out = text.upper().translate(_SEPARATORS)
    return out if out.isascii() and out.isalnum() else _NOT_ALNUM.sub("", out)


def number_keys(number: str) -> tuple[str, ...]:
    """The keys an invoice number is found by: the whole number compacted, then its digits
    without the letters in front ('INV-2026-0042' -> 'INV20260042', '20260042')."""
    whole = compact(number)
    digits = whole.lstrip(_LETTERS)
    if digits != whole and len(digits) >= 3:
        return (whole, digits)
    return (whole,)


TAIL = 8


def key_tails(keys: Iterable[str]) -> frozenset[str]:
    """The last ``TAIL`` characters of each key long enough, for ``surely_unnamed``."""
    return frozenset(k[-TAIL:] for k in keys if len(k) >= TAIL)


def surely_unnamed(number: str, tails: frozenset[str]) -> bool:
    """A quick exact test that no key with these ``tails`` is one of ``number_keys(number)``.

    When a number ends with ``TAIL`` ASCII digits, both its keys end with them too, so a key
    naming it has that tail. False means 'look closer', not 'named'.
    """
    tail = number[-TAIL:]
    return len(tail) == TAIL and tail.isascii() and tail.isdigit() and tail not in tails


def text_keys(*texts: str, window: int = 4) -> set[str]:
    """Every key an invoice number written in ``texts`` may have.

    The text is cut into runs of letters and runs of digits; runs next to each other are
    joined (up to ``window`` of them), so 'INV 1001', 'inv-1001', 'Inv.1001' and 'Rechnung
    INV1001' all give 'INV1001', and 'Rechnung 1001' gives '1001'. Keys hold a digit and are
    3 to 40 characters long.
    """
    keys: set[str] = set()
    for text in texts:
        if not text:
            continue
        upper = text.upper()
        for word in _WORDS.findall(upper):
            if 3 <= len(word) <= 40 and not word.isalpha():
                keys.add(word)
        pieces = _PIECES.findall(upper)
        for start in range(len(pieces)):
            joined = ""
            digit = False
            for piece in pieces[start : start + window]:
                joined += piece
                digit = digit or piece[0].isdigit()
                if len(joined) > 40:
                    break
                if digit and len(joined) >= 3:
                    keys.add(joined)
    return keys


def rf_payloads(*texts: str) -> list[str]:
    """The payloads of the valid ISO 11649 RF references in ``texts`` (a structured creditor
    reference, or one written in the remittance), in order."""
    found: list[str] = []
    for text in texts:
        for match in _RF_IN_TEXT.finditer(text.upper()):
            groups = match.group(0).split(" ")
            # the reference may run into the next word: try the longest valid prefix
            for end in range(len(groups), 0, -1):
                candidate = "".join(groups[:end])
                if len(candidate) >= 5 and rf_reference_valid(candidate):
                    if candidate[4:] not in found:
                        found.append(candidate[4:])
                    break
    return found


def invoice_rf(number: str) -> str | None:
    """The RF reference recoup gives an invoice in its messages (its compacted number), or None
    when the number is too long for one (more than 21 letters and digits)."""
    body = compact(number)
    return rf_reference(body) if 0 < len(body) <= 21 else None


def customer_rf(customer_id: str) -> str | None:
    """The RF reference for payments on account of a customer (its compacted id), or None."""
    body = compact(customer_id)
    return rf_reference(body) if 0 < len(body) <= 21 else None


def name_key(name: str) -> str:
    """A customer's or payer's name as compared: lower case, accents and umlauts spelt out,
    punctuation and legal forms (GmbH, Ltd, SARL...) left out."""
    text = name.lower().translate(_TRANSLIT)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return " ".join([w for w in _NOT_WORD.split(text) if w and w not in _LEGAL_FORMS])


def normal_iban(iban: str) -> str:
    return "".join(iban.split()).upper()


# --- the subset-sum ---------------------------------------------------------------------------


def combinations(
    amount: int, items: Sequence[Item], *, max_items: int = 12, max_tries: int = 2000, want: int = 2
) -> tuple[list[tuple[Item, ...]], int]:
    """Sets of two or more of ``items`` (oldest first) whose balances add up to ``amount``.

    Only the ``max_items`` oldest are used, fewer if needed so that at most ``max_tries``
    partial sums are worked out. Runs of consecutive invoices from the oldest come first (how
    customers usually pay), then the other sets, older invoices first. The search meets in the
    middle: the sums of the subsets of the older half are looked up among those of the newer
    half, so 12 invoices (4,096 sets) cost 128 sums. Returns at most ``want`` sets (two tell
    that the answer is not unique) and how many partial sums were worked out.
    """
    pool = list(items[:max_items])
    while len(pool) > 1 and 2 ** (len(pool) // 2) + 2 ** (len(pool) - len(pool) // 2) > max_tries:
        pool.pop()
    found: list[tuple[int, ...]] = []
    running = 0
    for end, item in enumerate(pool):  # oldest-first runs: 1+2, 1+2+3, ...
        running += item.balance
        if running == amount and end >= 1:
            found.append(tuple(range(end + 1)))
            break
        if running > amount:
            break
    tries = 0
    if sum(i.balance for i in pool) >= amount:
        half = len(pool) // 2
        older, newer = _sums(pool[:half], 0, amount), _sums(pool[half:], half, amount)
        tries = len(older) + len(newer)
        completing: dict[int, list[tuple[int, ...]]] = {}
        for total, picked in newer:
            completing.setdefault(amount - total, []).append(picked)
        others = sorted(
            first + rest
            for total, first in older
            for rest in completing.get(total, ())
            if len(first) + len(rest) >= 2
        )
        found += [c for c in others if c not in found][: want + 1]
    return [tuple(pool[i] for i in c) for c in found[:want]], tries


def _sums(part: Sequence[Item], offset: int, limit: int) -> list[tuple[int, tuple[int, ...]]]:
    """Every subset of ``part`` owing at most ``limit``: (its sum, the indices it takes)."""
    sums: list[tuple[int, tuple[int, ...]]] = [(0, ())]
    for k, item in enumerate(part):
        sums += [(t + item.balance, (*p, offset + k)) for t, p in sums if t + item.balance <= limit]
    return sums


# --- the rules --------------------------------------------------------------------------------


@dataclass
class _Evidence:
    """Per line, what the corroborating signals say about a customer."""

    payers: tuple[str, ...]
    namesakes: tuple[str, ...]

    def adjust(self, customer_id: str, confidence: float, *, source: str = "text") -> float:
        """``confidence`` with what the other signals say about ``customer_id`` (``source`` is the
        rule's own signal: 'iban', 'name' or 'text', not counted twice)."""
        if source == "iban":
            if len(self.payers) > 1:
                confidence -= SHARED_IBAN
        elif customer_id in self.payers:
            confidence += IBAN_AGREES
        elif self.payers:
            confidence -= IBAN_DISAGREES
        if source != "name" and customer_id in self.namesakes:
            confidence += NAME_AGREES if source != "iban" else NAME_AGREES / 2
        return max(0.0, min(CEILING, confidence))


def _named(line: StatementLine, clues: Clues, book: Book, ev: _Evidence) -> list[Candidate]:
    """Rules 1 and 2: invoices the text or an RF reference names, grouped by customer."""
    amount = line.amount.minor
    groups: dict[str, dict[str, tuple[Item, str]]] = {}
    for number, how in clues.named:
        item = book.get(number)
        if item is None or item.currency != line.amount.currency:
            continue
        group = groups.setdefault(item.customer_id, {})
        if number not in group or how == "rf":
            group[number] = (item, how)
    found: list[Candidate] = []
    for customer, group in groups.items():
        items = sorted((i for i, _ in group.values()), key=lambda i: i.age)
        hows = {h for _, h in group.values()}
        how = "rf" if "rf" in hows else "number" if "number" in hows else "digits"
        numbers = tuple(i.number for i in items)
        owed = sum(i.balance for i in items)
        said = {"rf": "its RF reference", "number": "invoice number", "digits": "invoice digits"}[how]
        listed = ", ".join(numbers)
        if owed == amount:
            base = {"rf": RF_EXACT, "number": NUMBER_EXACT, "digits": DIGITS_EXACT}[how]
            reason, kind = f"{said} {listed} in the remittance, amount equal to the balance", "exact"
        else:
            subsets, _ = combinations(amount, items, max_items=len(items), max_tries=500, want=1)
            single = [i for i in items if i.balance == amount]
            if single or subsets:
                chosen = (single[0],) if single else subsets[0]
                numbers = tuple(i.number for i in chosen)
                owed = amount
                base = NAMED_SUBSET if how != "digits" else DIGITS_PARTIAL
                reason = f"{', '.join(numbers)} of the named {listed} add up to the amount"
                kind = "exact"
            else:
                base = {"rf": RF_PARTIAL, "number": NUMBER_PARTIAL, "digits": DIGITS_PARTIAL}[how]
                kind = "partial" if amount < owed else "over"
                money = Money.from_minor(owed, line.amount.currency)
                if kind == "partial":
                    reason = f"partial payment of {said} {listed}: {line.amount.amount} of {money.amount}"
                else:
                    rest = Money.from_minor(amount - owed, line.amount.currency)
                    reason = f"{said} {listed} paid with {rest.amount} more, kept as unapplied cash"
        confidence = ev.adjust(customer, base)
        found.append(Candidate(customer, numbers, line.amount, min(owed, amount), confidence, reason, kind))
    return found


def _by_amount(
    line: StatementLine,
    customer: str,
    book: Book,
    rules: MatchRules,
    ev: _Evidence,
    *,
    source: str,
    levels: tuple[float, float, float],
    keys: frozenset[str],
) -> list[Candidate]:
    """Rules 3 and 5 (and an RF naming a customer): the amount against one customer's open
    invoices: one invoice of that balance, else a combination, else the customer alone."""
    one, combined, alone = levels
    signal = {"known IBAN": "iban", "the payer's name": "name"}.get(source, "text")
    amount = line.amount.minor
    items = book.open_of(customer, line.amount.currency)
    singles = [i for i in items if i.balance == amount]
    found: list[Candidate] = []
    if singles:
        near = [i for i in singles if _near(i.number, keys)]
        if near:
            singles = near + [i for i in singles if i not in near]
        base = one if len(singles) == 1 or len(near) == 1 else min(one, IBAN_SEVERAL)
        more = "" if len(singles) == 1 else f" (the oldest of {len(singles)} with that balance)"
        if near:
            base += NEAR_NUMBER
            more = " (the remittance has its number with a typo)"
        reason = f"{source} and the amount of open invoice {singles[0].number}{more}"
        confidence = ev.adjust(customer, base, source=signal)
        found.append(
            Candidate(customer, (singles[0].number,), line.amount, amount, confidence, reason, "exact")
        )
        if len(singles) > 1 and not near:
            return found
    if not singles and items:
        subsets, _ = combinations(amount, items, max_items=rules.max_items, max_tries=rules.max_tries)
        if subsets:
            base = combined if len(subsets) == 1 else min(combined, IBAN_SEVERAL)
            numbers = tuple(i.number for i in subsets[0])
            more = "" if len(subsets) == 1 else " (other combinations fit too)"
            if len(numbers) > 2 and subsets[0] != tuple(items[: len(numbers)]):
                base -= LOOSE_COMBINATION
                more += " (not the oldest in a row: check)"
            reason = f"{source} and the sum of open invoices {', '.join(numbers)}{more}"
            confidence = ev.adjust(customer, base, source=signal)
            found.append(Candidate(customer, numbers, line.amount, amount, confidence, reason, "exact"))
    if not found:
        reason = f"{source}; the amount fits no open invoice: kept as unapplied cash"
        confidence = ev.adjust(customer, alone, source=signal)
        found.append(Candidate(customer, (), line.amount, 0, confidence, reason, "customer"))
    return found


def candidates(line: StatementLine, clues: Clues, book: Book, rules: MatchRules) -> list[Candidate]:
    """Every candidate the rules find for ``line``, best first, one per (customer, invoices)."""
    ev = _Evidence(clues.payers, clues.namesakes)
    found = _named(line, clues, book, ev)
    keys = clues.keys or frozenset(text_keys(line.remittance) if line.remittance else ())
    if not any(c.kind == "exact" and c.confidence >= rules.threshold for c in found):
        if clues.rf_customer is not None:
            found += _by_amount(
                line,
                clues.rf_customer,
                book,
                rules,
                ev,
                source="the customer's RF reference",
                levels=(RF_CUSTOMER_ONE, RF_CUSTOMER_COMBINATION, RF_CUSTOMER),
                keys=keys,
            )
        for customer in clues.payers:
            found += _by_amount(
                line,
                customer,
                book,
                rules,
                ev,
                source="known IBAN",
                levels=(IBAN_ONE, IBAN_COMBINATION, IBAN_CUSTOMER),
                keys=keys,
            )
        for customer in clues.namesakes:
            found += _by_amount(
                line,
                customer,
                book,
                rules,
                ev,
                source="the payer's name",
                levels=(NAME_ONE, NAME_COMBINATION, NAME_CUSTOMER),
                keys=keys,
            )
        paid = list(clues.paid) + [  # named invoices paid by an earlier line of the batch
            (n, i.customer_id)
            for n, _ in clues.named
            if (i := book.items.get(n)) is not None and i.balance == 0 and i.currency == line.amount.currency
        ]
        for number, customer in paid:
            reason = f"names invoice {number}, already paid: a double payment? kept as unapplied cash"
            confidence = min(ev.adjust(customer, PAID_NAMED), 0.89 if customer not in clues.payers else 0.9)
            found.append(Candidate(customer, (), line.amount, 0, confidence, reason, "customer"))
    exact = {c.customer_id for c in found if c.kind == "exact" and c.invoices}
    found = [
        replace(c, confidence=max(0.0, c.confidence - PARTIAL_RIVAL))
        if c.kind in ("partial", "over") and c.customer_id in exact
        else c
        for c in found
    ]
    return _ranked(found)


def _near(number: str, keys: frozenset[str]) -> bool:
    """Whether ``keys`` hold ``number`` (whole or its digits) with one or two characters wrong."""
    for wanted in number_keys(number):
        for key in keys:
            if (
                len(key) == len(wanted)
                and key != wanted
                and sum(a != b for a, b in zip(key, wanted, strict=True)) <= 2
            ):
                return True
    return False


def _ranked(found: list[Candidate]) -> list[Candidate]:
    best: dict[tuple[str, tuple[str, ...]], Candidate] = {}
    for cand in found:
        key = (cand.customer_id, cand.invoices)
        kept = best.get(key)
        if kept is None or cand.confidence > kept.confidence:
            best[key] = cand
    with_invoices = {c.customer_id for c in best.values() if c.invoices}
    # a customer alone is the fallback: not a rival of that customer's invoices
    kept_all = [c for c in best.values() if c.invoices or c.customer_id not in with_invoices]
    return sorted(kept_all, key=lambda c: (-c.confidence, c.customer_id, c.invoices))


def match(line: StatementLine, clues: Clues, book: Book, rules: MatchRules = MatchRules()) -> Decision:
    """Decide what to do with ``line`` (see the module's docstring)."""
    ranked = candidates(line, clues, book, rules)
    suggestions = tuple(ranked[: rules.max_suggestions])
    if not ranked:
        return Decision(LineStatus.UNKNOWN, None, ())
    best = ranked[0]
    second = ranked[1].confidence if len(ranked) > 1 else 0.0
    rivals = len(ranked) > 1 and not best.invoices  # cash on one customer while others are named
    if best.confidence >= rules.threshold and best.confidence - second >= rules.margin - 1e-9 and not rivals:
        status = LineStatus.MATCHED if best.invoices else LineStatus.UNAPPLIED
        return Decision(status, best, suggestions)
    return Decision(LineStatus.REVIEW, None, suggestions)
