"""ISO 20022 bank-to-customer cash management: camt.052 (report), camt.053 (statement) and
camt.054 (debit/credit notification), any version (001.01 to 001.10 read alike).

Elements are found by local name, so every version's namespace reads the same, and the
differences between versions (``Dbtr/Nm`` up to 001.07, ``Dbtr/Pty/Nm`` from 001.08; ``Sts``
as text or ``Sts/Cd``; dates as ``Dt`` or ``DtTm``) are handled where they occur. The parser
is lxml with entities, DTDs and the network switched off, and a document with a DOCTYPE is
refused outright: a statement never needs one, and it is how XML reads files it should not.

Only booked entries count (``Sts`` BOOK, or none); pending and information-only ones are read
and left aside. A batch entry whose transactions each carry an amount becomes one line per
transaction (with that transaction's debit/credit mark); otherwise the entry is one line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from recoup.adapters.formats.statement_common import (
    exact_money,
    find_rf,
    iban_like,
    joined,
    numbered,
    reference,
    rejected,
    sound_reference,
)
from recoup.domain.errors import DomainError, InvalidValueError
from recoup.domain.money import Money
from recoup.domain.statements import Statement, StatementLine

ROOTS = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt", "BkToCstmrDbtCdtNtfctn": "Ntfctn"}
NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.(\d{2})$")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _local(el: etree._Element) -> str:
    """The element's name without namespace (and without the 'V01' of version-1 message names)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    name = etree.QName(tag).localname
    return name[:-3] if re.fullmatch(r"BkToCstmr\w+V\d\d", name) else name


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if _local(c) == name]


def _find(el: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        found = _children(el, name)
        if not found:
            return None
        el = found[0]
    return el


def _text(el: etree._Element | None, *path: str) -> str:
    found = _find(el, *path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _descendants(el: etree._Element, name: str) -> Iterator[etree._Element]:
    return (d for d in el.iter() if _local(d) == name)


@dataclass(frozen=True, slots=True)
class _Unit:
    """One entry, or one transaction of a batch entry, as it will be counted."""

    where: int
    amount: etree._Element
    credit: bool | None  # None: the mark is neither CRDT nor DBIT
    details: list[etree._Element]


def kind_of(data: bytes) -> str | None:
    """'camt.053' (or .052/.054) when ``data`` is such a document, else None (never raises)."""
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None
    message = next((c for c in root), None) if _local(root) == "Document" else None
    if message is None or _local(message) not in ROOTS:
        return None
    match = NAMESPACE.match(etree.QName(root.tag).namespace or "")
    names = {"BkToCstmrStmt": "053", "BkToCstmrAcctRpt": "052", "BkToCstmrDbtCdtNtfctn": "054"}
    return f"camt.{match.group(1) if match else names[_local(message)]}"


def read_camt(data: bytes, source: str) -> Statement:
    """The booked credits of a camt.052/053/054 file; ``ImportRejectedError`` naming the element
    and line of each problem."""
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise rejected(source, [f"{source}, line {exc.lineno}: not well-formed XML ({exc.msg})"]) from None
    except ValueError as exc:
        raise rejected(source, [f"{source}: not readable as XML ({exc})"]) from None
    if tree.docinfo.doctype:
        doctype = tree.docinfo.doctype
        raise rejected(source, [f"{source}: a CAMT document has no DOCTYPE; refused ({doctype})"])
    root = tree.getroot()
    message = next((c for c in root if isinstance(c.tag, str)), None) if _local(root) == "Document" else None
    if message is None or _local(message) not in ROOTS:
        found = _local(message) if message is not None else _local(root)
        raise rejected(
            source,
            [
                f"{source}, line {root.sourceline}: <{found}> is not a CAMT statement "
                f"(expected <Document> holding <BkToCstmrStmt>, <BkToCstmrAcctRpt> "
                f"or <BkToCstmrDbtCdtNtfctn>)"
            ],
        )
    kind = kind_of(data) or "camt"
    statements = _children(message, ROOTS[_local(message)])
    if not statements:
        raise rejected(
            source,
            [
                f"{source}, line {message.sourceline}: <{_local(message)}> holds no "
                f"<{ROOTS[_local(message)]}> (a statement, report or notification)"
            ],
        )
    problems: list[str] = []
    credits: list[StatementLine] = []
    entries = debits = 0
    accounts: list[str] = []
    for statement in statements:
        account = (
            _text(statement, "Acct", "Id", "IBAN")
            or _text(statement, "Acct", "Id", "Othr", "Id")
            or _text(statement, "Acct", "Id", "PrtryAcct", "Id")  # version 1
            or _text(statement, "Acct", "Id", "BBAN")
        )
        if not account:
            problems.append(f"{source}, line {statement.sourceline}: <{_local(statement)}> has no <Acct><Id>")
            continue
        account = "".join(account.split())
        if account not in accounts:
            accounts.append(account)
        day = _statement_day(statement)
        for entry in _children(statement, "Ntry"):
            for unit in _units(entry):
                entries += 1
                try:
                    found = _read_unit(unit, entry, account=account, source=source, day=day)
                except DomainError as exc:
                    problems.append(f"{source}, line {unit.where} (<Ntry>): {exc}")
                    continue
                if found == "debit":
                    debits += 1
                elif isinstance(found, StatementLine):
                    credits.append(found)
    if problems:
        raise rejected(source, problems)
    return Statement(kind, numbered(credits), debits=debits, entries=entries, accounts=tuple(accounts))


def _units(entry: etree._Element) -> list[_Unit]:
    details = [t for d in _children(entry, "NtryDtls") for t in _children(d, "TxDtls")]
    mark = _text(entry, "CdtDbtInd")
    amount = _find(entry, "Amt")
    where = entry.sourceline or 0
    if amount is None:
        return [_Unit(where, entry, None, details)]  # reported as missing <Amt>
    own = []
    for t in details:  # an lxml element without children is falsy: compare with None
        found = _find(t, "Amt")
        own.append(found if found is not None else _find(t, "AmtDtls", "TxAmt", "Amt"))
    if len(details) > 1 and all(a is not None for a in own):
        units = []
        for t, a in zip(details, own, strict=True):
            assert a is not None
            tx_mark = _text(t, "CdtDbtInd") or mark
            units.append(_Unit(t.sourceline or where, a, _credit(tx_mark), [t]))
        return units
    return [_Unit(where, amount, _credit(mark), details)]


def _credit(mark: str) -> bool | None:
    return {"CRDT": True, "DBIT": False}.get(mark)


def _statement_day(statement: etree._Element) -> dt.date | None:
    """The day a statement closes, for entries that give no date of their own (real Lithuanian
    statements): the closing booked balance's date, else the end of the period, else its creation."""
    try:
        for balance in _children(statement, "Bal"):
            if _text(balance, "Tp", "CdOrPrtry", "Cd") == "CLBD":
                found = _date(balance, "Dt")
                if found:
                    return found
        return _date(statement, "FrToDt") or _date(statement, "CreDtTm")
    except InvalidValueError:
        return None


def _read_unit(
    unit: _Unit, entry: etree._Element, *, account: str, source: str, day: dt.date | None
) -> StatementLine | str:
    """The credit line of ``unit``; 'debit', or 'other' (not booked, zero)."""
    status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
    if _local(unit.amount) != "Amt":
        raise InvalidValueError("the entry has no amount (<Amt>)")
    if unit.credit is None:
        raise InvalidValueError("<CdtDbtInd> must be CRDT or DBIT")
    currency = unit.amount.get("Ccy") or ""
    if not currency:
        raise InvalidValueError(f"the amount {unit.amount.text!r} has no currency (Ccy attribute)")
    text = (unit.amount.text or "").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise InvalidValueError(f"<Amt> {text!r} is not an amount (digits and a decimal point)")
    money = exact_money(text, currency)
    if status and status.upper() != "BOOK":
        return "other"
    if money.is_zero():
        return "other"
    if not unit.credit:
        return "debit"
    booked = _date(entry, "BookgDt") or _date(entry, "ValDt") or day
    if booked is None:
        raise InvalidValueError("a booked entry needs a booking date (<BookgDt><Dt>)")
    return _line(unit, entry, account=account, source=source, booked=booked, money=money)


def _date(el: etree._Element, name: str) -> dt.date | None:
    holder = _find(el, name)
    if holder is None:
        return None
    if not len(holder):
        text = " ".join((holder.text or "").split())  # <CreDtTm>2024-03-07T10:00:00</CreDtTm>
    else:
        text = (
            _text(holder, "Dt")
            or _text(holder, "DtTm")
            or _text(holder, "Dt", "DtTm")
            or _text(holder, "ToDtTm")
        )
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidValueError(f"<{name}> {text!r} is not a date (YYYY-MM-DD)") from None


def _party(tx: etree._Element, role: str) -> str:
    parties = _find(tx, "RltdPties")
    return _text(parties, role, "Nm") or _text(parties, role, "Pty", "Nm")


def _line(
    unit: _Unit, entry: etree._Element, *, account: str, source: str, booked: dt.date, money: Money
) -> StatementLine:
    names, ibans, texts, refs, ends, bank_refs = [], [], [], [], [], []
    for tx in unit.details:
        names.append(_party(tx, "Dbtr") or _party(tx, "UltmtDbtr"))
        ibans.append(iban_like(_text(tx, "RltdPties", "DbtrAcct", "Id", "IBAN")))
        info = _find(tx, "RmtInf")
        texts += [reference(u.text) for u in _children(info, "Ustrd")]
        for strd in _children(info, "Strd"):
            refs += [_text(c, "Ref") for c in _children(strd, "CdtrRefInf")]
            texts += [_text(d, "Nb") for d in _children(strd, "RfrdDocInf")]
            texts += [" ".join((a.text or "").split()) for a in _children(strd, "AddtlRmtInf")]
        if not any(texts):
            texts.append(_text(tx, "AddtlTxInf"))
        ends.append(reference(_text(tx, "Refs", "EndToEndId")))
        bank_refs.append(_text(tx, "Refs", "AcctSvcrRef"))
    structured = next((r for r in refs if sound_reference(r)), "")
    texts += [r for r in refs if r and r != structured]  # kept as text: an invoice number may be in it
    remittance = joined(texts) or _text(entry, "AddtlNtryInf")
    return StatementLine(
        account=account,
        booking_date=booked,
        value_date=_date(entry, "ValDt"),
        amount=money,
        counterparty_name=next((n for n in names if n), ""),
        counterparty_iban=next((i for i in ibans if i), ""),
        remittance=remittance,
        creditor_reference=structured or find_rf(remittance),
        end_to_end_id=next((e for e in ends if e), ""),
        bank_reference=(bank_refs[0] if len(unit.details) == 1 and bank_refs[0] else "")
        or _text(entry, "AcctSvcrRef")
        or _text(entry, "NtryRef"),
        source=source,
    )
