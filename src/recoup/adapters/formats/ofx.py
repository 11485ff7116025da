"""OFX statements: OFX 1.x (SGML, end tags optional), OFX 2.x (XML) and Quicken's QFX.

A small reader of its own rather than a library: ofxtools refuses a third of the real files
(strict lengths, a missing ledger balance, no header) and ofxparse crashes on empty elements,
reads a bank's error answer as an empty statement, and tells no line. This one tokenises the
tags, closes unended elements the SGML way, and reads bank (``STMTRS``), credit-card
(``CCSTMTRS``) statements; an investment statement (``INVSTMTRS``) holds trades and a broker's
cash, not customers' payments, so its account is listed and nothing else read. Nothing is ever
fetched or expanded: a DOCTYPE is ignored, entities are plain HTML ones.

A file is refused when it has no OFX header, when the bank's answer carries an error status
(a failed sign-on, a server error), or when a transaction lacks its date or amount.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from recoup.adapters.formats.statement_common import (
    decode_text,
    exact_money,
    joined,
    numbered,
    reference,
    rejected,
)
from recoup.domain.errors import DomainError, InvalidValueError
from recoup.domain.statements import Statement, StatementLine

_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._]*)\s*>|<!--.*?-->|<[?!][^>]*>", re.DOTALL)
_HEADER_1 = re.compile(r"^\s*OFXHEADER\s*:\s*\d+", re.IGNORECASE)
_HEADER_2 = re.compile(r"<\?OFX\b[^>]*OFXHEADER\s*=", re.IGNORECASE)
_STATEMENTS = ("STMTRS", "CCSTMTRS", "INVSTMTRS")
_ACCOUNTS = ("BANKACCTFROM", "CCACCTFROM", "INVACCTFROM")


@dataclass
class _Node:
    name: str
    line: int
    text: str | None = None
    children: list[_Node] = field(default_factory=list)

    def first(self, name: str) -> _Node | None:
        """The first element ``name`` at any depth below (a missing end tag may nest siblings)."""
        for node in self.walk():
            if node is not self and node.name == name:
                return node
        return None

    def value(self, name: str) -> str:
        node = self.first(name)
        return (node.text or "").strip() if node is not None else ""

    def walk(self) -> Iterator[_Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def looks_like_ofx(text: str) -> bool:
    head = text[:4000]
    return bool(_HEADER_1.search(head) or _HEADER_2.search(head) or re.search(r"<OFX>", head, re.I))


def read_ofx(data: bytes, source: str) -> Statement:
    """The credits of an OFX/QFX file; ``ImportRejectedError`` naming the element and line."""
    text = decode_text(data)
    head = text[:4000]
    problems = []
    if not (_HEADER_1.search(head) or _HEADER_2.search(head)):
        problems.append(
            f"{source}, line 1: no OFX header (expected 'OFXHEADER:100' or '<?OFX OFXHEADER=\"200\"?>')"
        )
    start = re.search(r"<OFX>", text, re.IGNORECASE)
    if not start:
        raise rejected(source, [*problems, f"{source}: no <OFX> element"])
    root = _tree(text, start.start())
    problems += _status_problems(root, source)
    credits: list[StatementLine] = []
    entries = debits = 0
    accounts: list[str] = []
    for statement in (n for n in root.walk() if n.name in _STATEMENTS):
        holder = next((n for n in (statement.first(a) for a in _ACCOUNTS) if n is not None), None)
        account = "".join(holder.value("ACCTID").split()) if holder is not None else ""
        if account and account not in accounts:
            accounts.append(account)
        currency = statement.value("CURDEF").upper()
        if statement.name == "INVSTMTRS":
            continue  # a brokerage account: its trades and cash moves are not customers' payments
        for transaction in (n for n in statement.walk() if n.name == "STMTTRN"):
            entries += 1
            try:
                found = _read(transaction, account=account, currency=currency, source=source)
            except DomainError as exc:
                problems.append(f"{source}, line {transaction.line} (<STMTTRN>): {exc}")
                continue
            if found == "debit":
                debits += 1
            elif isinstance(found, StatementLine):
                credits.append(found)
    if problems:
        raise rejected(source, problems)
    return Statement("ofx", numbered(credits), debits=debits, entries=entries, accounts=tuple(accounts))


def _tree(text: str, start: int) -> _Node:
    """The elements from ``start``: an element whose value is followed by another tag, without
    its own end tag, ends there (OFX 1.x); an end tag closes every element opened inside it."""
    root = _Node("#document", 1)
    stack = [root]
    line, at = text.count("\n", 0, start) + 1, start
    for token in _TOKEN.finditer(text, start):
        between = text[at : token.start()]
        line += text.count("\n", at, token.start())
        tag_line = line
        line += text.count("\n", token.start(), token.end())
        at = token.end()
        top = stack[-1]
        if between.strip() and top is not root and top.text is None and not top.children:
            top.text = _unescape(between.strip())
        closing, name = token.group(1), token.group(2)
        if name is None:
            continue  # <?xml ...?>, <!DOCTYPE ...>, comments
        name = name.upper()
        if closing:
            names = [n.name for n in stack]
            if name in names[1:]:
                while stack[-1].name != name:
                    stack.pop()
                stack.pop()
            continue
        if top is not root and top.text is not None:
            stack.pop()  # '<CODE>0<SEVERITY>': CODE had its value, so it ended
        node = _Node(name, tag_line)
        stack[-1].children.append(node)
        stack.append(node)
    return root


def _unescape(text: str) -> str:
    once = html.unescape(text)
    return html.unescape(once) if re.search(r"&(amp|lt|gt|quot|#\d+);", once) else once


def _status_problems(root: _Node, source: str) -> list[str]:
    """The bank's own refusals: a failed sign-on, an error answer instead of a statement."""
    problems = []
    for status in (n for n in root.walk() if n.name == "STATUS"):
        code, severity = status.value("CODE"), status.value("SEVERITY").upper()
        if severity == "ERROR" or (not severity and code not in ("", "0")):
            message = status.value("MESSAGE")
            problems.append(
                f"{source}, line {status.line} (<STATUS>): the bank answered with an error, not a "
                f"statement (code {code or '?'}{': ' + message if message else ''})"
            )
    return problems


def _read(transaction: _Node, *, account: str, currency: str, source: str) -> StatementLine | str:
    raw = transaction.value("TRNAMT")
    if not raw:
        raise InvalidValueError("no amount (<TRNAMT>)")
    amount = raw.replace(" ", "")
    if "," in amount and "." not in amount:
        amount = amount.replace(",", ".")  # decimal comma
    if not re.fullmatch(r"[+-]?\d+(\.\d*)?|[+-]?\.\d+", amount):
        raise InvalidValueError(f"<TRNAMT> {raw!r} is not an amount")
    posted = _date(transaction, "DTPOSTED")
    if posted is None:
        raise InvalidValueError("no posting date (<DTPOSTED>)")
    code = (transaction.value("CURSYM") or currency).upper()
    if not code:
        raise InvalidValueError("no currency: neither <CURDEF> nor the transaction's <CURRENCY> gives one")
    negative = amount.startswith("-")
    money = exact_money(amount.lstrip("+-"), code)
    if money.is_zero():
        return "other"
    if negative:
        return "debit"
    return StatementLine(
        account=account,
        booking_date=posted,
        value_date=_date(transaction, "DTAVAIL") or _date(transaction, "VALUEDATE"),
        amount=money,
        counterparty_name=joined([transaction.value("NAME")]),
        remittance=joined([transaction.value("MEMO")]),
        bank_reference=reference(transaction.value("FITID") or transaction.value("REFNUM")),
        source=source,
    )


def _date(transaction: _Node, name: str) -> dt.date | None:
    text = transaction.value(name)
    if not text:
        return None
    if not re.match(r"^\d{8}", text):
        raise InvalidValueError(f"<{name}> {text!r} is not a date (YYYYMMDD...)")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise InvalidValueError(f"<{name}> {text!r} is not a calendar date") from None
