"""MT940 (and MT942) statements, read with the mt-940 library and made tolerant of real banks.

The library parses the tags; around it this module handles what banks actually send:
SWIFT envelopes (``{1:..}{2:..}{4:`` and ``-}``), prose or header lines before the first
``:20:``, legacy code pages (cp1252, cp852), dot decimals (Rabobank), day 30/31 of short months
(German 30/360 dates), a blank statement number (``:28C: /1``), ASN's IBAN in the ``:61:``
reference, timestamps wrapped onto a line that looks like a tag inside ``:86:``. It refuses, with
the line, a statement without account (``:25:``), a tag that is not MT940 outside ``:86:``, an
account tag among the transactions, a ``?`` that opens no subfield in a structured ``:86:``, and
any field the library cannot read. Credits become ``StatementLine``s; debits are counted.

Details (``:86:``): German structured subfields (``?20-?29`` purpose with SEPA ``EREF+`` and
``SVWZ+``, ``?31`` IBAN, ``?32/?33`` name) come from the library; Dutch slash fields
(``/EREF/ /IBAN/ /NAME/ /CNTP/ /REMI/``) are read here; anything else is remittance text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import mt940
from mt940.models import Transactions

from recoup.adapters.formats.statement_common import (
    decode_text,
    exact_money,
    find_rf,
    iban_like,
    joined,
    numbered,
    reference,
    rejected,
    sound_reference,
)
from recoup.domain.errors import DomainError
from recoup.domain.statements import Statement, StatementLine

# The library logs whole statement fields at ERROR level when a tag fails; the reader reports
# the failure itself (with its line), so those records, which may hold payers' data, stay quiet.
_log = logging.getLogger("mt940")
_log.addHandler(logging.NullHandler())
_log.propagate = False

TAG = re.compile(r"^:(?P<full>(?P<id>\d{2}|NS)(?P<sub>[A-Z])?):")
KNOWN = {"13", "20", "21", "25", "28", "34", "60", "61", "62", "64", "65", "86", "90", "NS"}
_BALANCE = ("60", "62", "64", "65")
_DOT_AMOUNT_61 = re.compile(r"^(\d{6}(?:\d{4})?R?[DCdc][A-Z]?)(\d+)\.(\d*)(?=\D|$)")
_DOT_AMOUNT_BAL = re.compile(r"^([DC]\d{6}[A-Z]{3})(\d+)\.(\d*)$")
_SLASH_KEYS = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|CNTP|ORDP|BENM|MARF|CSID|ISDT|RTRN|PREF|KREF|ADDR|PURP|ULTC|ULTD|"
    "ULTB|EXCH|CHGS|OCMT|SVCL|MREF|CITY|ID"
)
_SLASH = re.compile(rf"/({_SLASH_KEYS})/")
_SLASH_START = re.compile(r"/(TRTP|IBAN|NAME|REMI|EREF|CNTP|ORDP|BENM)/")
_OPTIONS = mt940.Options.all()
_BALANCE_SLUGS = (
    "opening_balance",
    "final_opening_balance",
    "intermediate_opening_balance",
    "closing_balance",
    "final_closing_balance",
    "intermediate_closing_balance",
    "available_balance",
    "forward_available_balance",
)


@dataclass
class _Tag:
    full: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.full[:2]


class _Failed(Exception):
    def __init__(self, index: int, exc: Exception) -> None:
        super().__init__(str(exc))
        self.index = index
        self.exc = exc


class _Statement(Transactions):
    """The library's collection, telling which line of its input a failing tag was on and on
    which line each transaction starts."""

    def _process_match(self, match: re.Match[str], i: int, valid_matches: Any, data: str) -> None:
        index = data.count("\n", 0, match.start())
        try:
            super()._process_match(match, i, valid_matches, data)
        except Exception as exc:  # the library raises RuntimeError, ValueError, KeyError, ...
            raise _Failed(index, exc) from exc
        if match.group("tag") == "61" and self.transactions:
            self.transactions[-1].data["recoup_line"] = index

    def _process_statement_tag(self, result: dict[str, Any]) -> None:
        # The library starts a new transaction only when the previous :61: had a type code
        # ('NTRF'); Zenith Bank writes none ('CN220000,00//...'), which merged every entry into one.
        if self.transactions and "amount" not in self.transactions[-1].data:
            self.transactions[-1].data.update(result)
        else:
            self.transactions.append(mt940.models.Transaction(self, result))


def _fix_day(transactions: Any, tag: Any, tag_dict: dict[str, Any], *args: Any) -> dict[str, Any]:
    """German banks count 30 days in every month (30/360): day 30 of February or 31 of November
    is the month's last day."""
    year, month, day = tag_dict.get("year"), tag_dict.get("month"), tag_dict.get("day")
    if year and month and day and (year + month + day).isdigit() and 1 <= int(month) <= 12:
        last = calendar.monthrange(2000 + int(year) % 100, int(month))[1]
        if int(day) > last:
            tag_dict["day"] = str(last)
        entry_month, entry_day = tag_dict.get("entry_month") or "", tag_dict.get("entry_day") or ""
        if (entry_month + entry_day).isdigit() and entry_month and 1 <= int(entry_month) <= 12:
            entry_last = calendar.monthrange(2000 + int(year) % 100, int(entry_month))[1]
            if int(entry_day) > entry_last:
                tag_dict["entry_day"] = str(entry_last)
    return tag_dict


_PROCESSORS: dict[str, list[Any]] = {"pre_statement": [_fix_day]}
_PROCESSORS.update({f"pre_{slug}": [_fix_day] for slug in _BALANCE_SLUGS})


def read_mt940(data: bytes, source: str) -> Statement:
    """The credits of an MT940/MT942 file; ``ImportRejectedError`` naming each bad line."""
    lines = _content_lines(decode_text(data))
    starts = [k for k, (_, text) in enumerate(lines) if text.startswith(":20:")]
    if not starts:
        raise rejected(source, [f"{source}: no MT940 statement found (a statement starts with :20:)"])
    problems: list[str] = []
    credits: list[StatementLine] = []
    entries = debits = 0
    accounts: list[str] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        tags = _tags(lines[start:end], source, problems)
        found = _read_block(tags, source, problems)
        if found is None:
            continue
        account, transactions = found
        if account not in accounts:
            accounts.append(account)
        for line_no, amount, data_ in transactions:
            entries += 1
            if amount < 0:
                debits += 1
            elif amount > 0:
                try:
                    credits.append(_credit(data_, account=account, source=source))
                except DomainError as exc:
                    problems.append(f"{source}, line {line_no} (:61:): {exc}")
    if problems:
        raise rejected(source, problems)
    return Statement("mt940", numbered(credits), debits=debits, entries=entries, accounts=tuple(accounts))


def _content_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the lines that carry statement content: envelope and blank lines
    and the ``-`` end-of-message marks left out, trailing spaces cut."""
    out = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("{"):
            at = line.find("{4:")
            line = line[at + 3 :].rstrip() if at >= 0 else ""
        if not line.strip() or line.strip() == "-" or line.lstrip().startswith("-}"):
            continue
        out.append((number, line))
    return out


def _tags(block: list[tuple[int, str]], source: str, problems: list[str]) -> list[_Tag]:
    tags: list[_Tag] = []
    for number, text in block:
        match = TAG.match(text)
        if match and match.group("id") in KNOWN:
            tags.append(_Tag(match.group("full"), number, [text]))
        elif match and not (tags and tags[-1].id == "86"):
            problems.append(f"{source}, line {number}: :{match.group('full')}: is not an MT940 field")
        elif tags:
            tags[-1].lines.append(text)  # a continuation line (or a wrapped '12:30:45' inside :86:)
    return tags


def _check(tags: list[_Tag], source: str, problems: list[str]) -> bool:
    before = len(problems)
    first_61 = next((t.line for t in tags if t.id == "61"), None)
    accounts = [t for t in tags if t.id == "25"]
    if not accounts:
        problems.append(
            f"{source}, line {tags[0].line}: the statement has no account identification (:25:) "
            f"before its balances and transactions"
        )
    for t in accounts:
        if first_61 is not None and t.line > first_61:
            problems.append(
                f"{source}, line {t.line}: :25: (account) among the transactions; expected :61:, :86: "
                f"or a balance"
            )
    for t in tags:
        if t.id == "86":
            details = "".join(line.strip("\r\n") for line in t.lines)[4:]
            bad = re.search(r"\?(?!\d\d)", details)
            if re.match(r"^\s*\d{3}\?\d{2}", details) and bad:
                problems.append(
                    f"{source}, line {t.line} (:86:): '?' must open a two-digit subfield (?20, ?32, ...), "
                    f"found {details[max(0, bad.start() - 12) : bad.start() + 3]!r}"
                )
    return len(problems) == before


def _library_input(tags: list[_Tag]) -> tuple[str, list[int], str]:
    """The block as the library reads it, the source line of each of its lines, and the account."""
    out: list[str] = []
    numbers: list[int] = []
    account = ""
    for t in tags:
        if t.id == "28":
            continue  # statement numbers are not used, and banks write them loosely (':28C: /1')
        first = t.lines[0]
        value = first[len(t.full) + 2 :]
        if t.id == "61":
            value = _DOT_AMOUNT_61.sub(r"\1\2,\3", value)
        elif t.id in _BALANCE:
            value = _DOT_AMOUNT_BAL.sub(r"\1\2,\3", value.strip())
        elif t.id == "25" and not account:
            account = " ".join(t.lines)[4:].strip()
            account = "".join(account.split())
        out.append(f":{t.full}:{value}")
        numbers.append(t.line)
        for k, extra in enumerate(t.lines[1:], start=1):
            out.append(extra)
            numbers.append(t.line + k)
    return "\n".join(out), numbers, account


def _read_block(
    tags: list[_Tag], source: str, problems: list[str]
) -> tuple[str, list[tuple[int, Any, dict[str, Any]]]] | None:
    if not tags or not _check(tags, source, problems):
        return None
    text, numbers, account = _library_input(tags)
    parsed = _parse(text)
    if isinstance(parsed, _Failed):
        asn = _parse(text, asn=True)  # ASN Bank: an IBAN of 18+ characters as :61: reference
        if isinstance(asn, _Failed):
            problems.append(_describe(parsed, numbers, tags, source))
            return None
        parsed = asn
    out = []
    for transaction in parsed.transactions:
        data = transaction.data
        line = numbers[data.get("recoup_line", 0)] if numbers else 0
        amount = data.get("amount")
        if amount is None:
            continue
        if not amount.currency:
            problems.append(
                f"{source}, line {line} (:61:): no currency: the statement gives no opening balance "
                f"(:60F:) or floor limit (:34F:) before it"
            )
            continue
        out.append((line, amount.amount, data))
    currencies = {d["amount"].currency for _, _, d in out}
    if len(currencies) == 1 and not iban_like(account):
        suffix = currencies.pop()  # Rabobank: ':25:1017.490.554EUR', the currency after the number
        if account.endswith(suffix) and account[: -len(suffix)][-1:].isdigit():
            account = account[: -len(suffix)]
    return account, out


def _parse(text: str, *, asn: bool = False) -> _Statement | _Failed:
    tags = {61: mt940.tags.StatementASNB()} if asn else None
    statement = _Statement(processors=_PROCESSORS, tags=tags, options=_OPTIONS)
    try:
        statement.parse(text)
    except _Failed as failed:
        return failed
    return statement


def _describe(failed: _Failed, numbers: list[int], tags: list[_Tag], source: str) -> str:
    line = numbers[failed.index] if failed.index < len(numbers) else tags[0].line
    tag = next((t for t in tags if t.line == line), None)
    name = f" (:{tag.full}:)" if tag else ""
    raw = tag.lines[0] if tag else ""
    if isinstance(failed.exc, RuntimeError):
        reason = "the field does not have the MT940 layout"
    elif "month" in str(failed.exc) or "day" in str(failed.exc) or "year" in str(failed.exc):
        reason = f"a date is not a calendar date ({failed.exc})"
    else:
        reason = f"cannot be read ({type(failed.exc).__name__}: {failed.exc})"
    return f"{source}, line {line}{name}: {reason}: {raw[:80]!r}"


def _day(value: Any) -> dt.date:
    return dt.date(value.year, value.month, value.day)


def _credit(data: dict[str, Any], *, account: str, source: str) -> StatementLine:
    amount = data["amount"]
    value_date = _day(data["date"])
    entry = data.get("entry_date")
    details = _details(data)
    return StatementLine(
        account=account,
        booking_date=_day(entry) if entry else value_date,
        value_date=value_date,
        amount=exact_money(str(amount.amount), amount.currency),
        counterparty_name=details["name"],
        counterparty_iban=details["iban"],
        remittance=details["remittance"],
        creditor_reference=details["creditor_reference"],
        end_to_end_id=details["end_to_end"],
        bank_reference=reference(data.get("bank_reference")) or reference(data.get("customer_reference")),
        source=source,
    )


def _details(data: dict[str, Any]) -> dict[str, str]:
    """Payer, remittance and references from the ``:86:`` (and the ``:61:`` supplement)."""
    found = {"name": "", "iban": "", "remittance": "", "creditor_reference": "", "end_to_end": ""}
    if "transaction_code" in data:  # German structured ?-subfields, parsed by the library
        found["name"] = joined([data.get("applicant_name")])
        found["iban"] = iban_like(data.get("applicant_iban"))
        found["remittance"] = joined([data.get("purpose"), data.get("additional_purpose")])
        found["end_to_end"] = reference(data.get("end_to_end_reference"))
    else:
        text = _unwrap(data.get("transaction_details") or data.get("non_swift_text") or "")
        start = _SLASH_START.search(text)
        if start:
            found.update(_slash_fields(text[start.start() :]))
        else:
            found["remittance"] = joined([text])
    customer_reference = (data.get("customer_reference") or "").strip()
    if not found["iban"] and iban_like(customer_reference):  # ASN: the payer's IBAN as reference
        found["iban"] = iban_like(customer_reference)
        found["name"] = found["name"] or joined([data.get("extra_details")])
    if not found["creditor_reference"]:
        found["creditor_reference"] = find_rf(found["remittance"])
    return found


def _unwrap(details: str) -> str:
    """``:86:`` lines joined: a full 65-character line was cut by width, so the next one joins
    without a space; a shorter one ended where the bank ended it."""
    pieces = details.split("\n")
    out = pieces[0].rstrip()
    for previous, line in itertools.pairwise(pieces):
        out += line.rstrip() if len(previous.rstrip()) >= 65 else " " + line.strip()
    return out


def _slash_fields(text: str) -> dict[str, str]:
    """Dutch SEPA ``/KEY/value`` fields (ABN AMRO, ING, Rabobank, ASN, bunq)."""
    found = {"name": "", "iban": "", "remittance": "", "creditor_reference": "", "end_to_end": ""}
    parts = _SLASH.split(text)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        values.setdefault(key, value.strip().strip("/").strip())
    counterparty = values.get("CNTP", "").split("/") if "CNTP" in values else []
    found["iban"] = iban_like(values.get("IBAN")) or (iban_like(counterparty[0]) if counterparty else "")
    found["name"] = joined([values.get("NAME") or (counterparty[2] if len(counterparty) > 2 else "")])
    found["end_to_end"] = reference(values.get("EREF"))
    remittance = values.get("REMI", "")
    structured = re.match(r"^STRD/(?:CUR|ISO)/(.+)$", remittance)
    if structured and sound_reference(structured.group(1).strip("/ ")):
        found["creditor_reference"] = structured.group(1).strip("/ ")
        remittance = ""
    elif structured:
        remittance = structured.group(1).strip("/ ")
    remittance = re.sub(r"^USTD//?", "", remittance)
    found["remittance"] = joined([remittance])
    return found
