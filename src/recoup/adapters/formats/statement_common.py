"""What the bank statement readers (MT940, CAMT, OFX) share.

Decoding legacy text, exact amounts, creditor references found in free text, IBAN-shaped
account ids, numbering identical credits, and the refusal that names the file and the place.
Each reader turns every defect into a sentence ``"<file>, line 12 (:61:): what was expected"``
and raises one ``ImportRejectedError`` carrying them all; nothing is stored by a reader.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from recoup.domain.errors import ImportRejectedError, InvalidValueError
from recoup.domain.money import Money, check_currency, minor_digits
from recoup.domain.statements import StatementLine, rf_reference_valid

_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{9,30}$")
_RF_START = re.compile(r"RF\d{2}", re.IGNORECASE)
_LEGACY = ("cp1252", "cp852", "latin-1")  # latin-1 never fails, so it closes the chain


def rejected(source: str, problems: list[str]) -> ImportRejectedError:
    """The refusal of ``source``: every problem, and the promise that nothing was stored."""
    what = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    return ImportRejectedError(problems, f"{source} was not imported ({what}); nothing was stored")


def decode_text(data: bytes) -> str:
    """Text of a statement file: UTF-8 (with or without BOM), else the legacy code page whose
    non-ASCII characters read most like letters (cp1252 for Western Europe, cp852 for the DOS
    files of Central European banks, latin-1 as the last resort)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, best_score = data.decode("latin-1"), -1
    for encoding in _LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = sum(1 for ch in text if ord(ch) > 127 and ch.isalpha())
        if score > best_score:
            best, best_score = text, score
    return best


def exact_money(text: str, currency: str) -> Money:
    """``text`` (dot or comma decimal) as Money, refusing what the currency cannot hold exactly:
    '8.850' EUR is 8.85 EUR, '8.855' EUR is an error, never a rounded payment."""
    code = check_currency(currency.strip().upper())
    raw = text.strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidValueError(f"{text.strip()!r} is not an amount") from None
    if not value.is_finite():
        raise InvalidValueError(f"{text.strip()!r} is not an amount")
    step = Decimal(1).scaleb(-minor_digits(code))
    if value.quantize(step) != value:
        raise InvalidValueError(f"{text.strip()!r} has more decimals than {code} allows")
    return Money(value, code)


def find_rf(text: str) -> str:
    """The first valid ISO 11649 creditor reference in free text ('RF18 5390 0754 7034'), or ''."""
    upper = text.upper()
    for match in _RF_START.finditer(upper):
        tail = upper[match.start() :]
        tokens = re.findall(r"[0-9A-Z]+|\s+|.", tail[:40])
        compact = ""
        candidates = []
        for token in tokens:
            if token.isspace():
                continue
            if not token.isalnum() or len(compact + token) > 25:
                break
            compact += token
            candidates.append(compact)
        for candidate in reversed(candidates):
            if rf_reference_valid(candidate):
                return candidate
    return ""


def sound_reference(value: str) -> bool:
    """Whether a structured creditor reference can be trusted as given: an ISO 11649 one ('RF'
    and two digits) must pass its mod-97 check; a national one (Swiss ISR, Belgian OGM, Dutch
    payment reference) is taken as the bank gave it."""
    compact = "".join(value.split()).upper()
    if re.match(r"^RF\d\d", compact):
        return rf_reference_valid(compact)
    return bool(compact)


def iban_like(value: str | None) -> str:
    """``value`` compacted when it has the shape of an IBAN (the bank's field is trusted, the
    check digits of anonymised samples may not add up), else ''."""
    compact = "".join((value or "").split()).upper()
    return compact if _IBAN.match(compact) else ""


def reference(value: str | None) -> str:
    """A reference as given, '' for the placeholders banks write when there is none."""
    text = " ".join((value or "").split())
    return "" if text.upper() in ("NOTPROVIDED", "NONREF", "NOT PROVIDED", "NONE") else text


def joined(parts: Iterable[str | None]) -> str:
    """Non-empty parts joined by one space, inner whitespace collapsed."""
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())


def fitted(line: StatementLine) -> StatementLine:
    """``line`` with its fields cut to what ``bank_lines`` stores (a 90-character 'end-to-end id'
    is a bank's text, not an id), so the key of the stored line is the key computed here."""
    return dataclasses.replace(
        line,
        counterparty_name=line.counterparty_name[:200],
        creditor_reference=line.creditor_reference[:64],
        end_to_end_id=line.end_to_end_id[:64],
        bank_reference=line.bank_reference[:64],
        source=line.source[:300],
    )


def numbered(lines: Iterable[StatementLine]) -> tuple[StatementLine, ...]:
    """The lines, fitted to storage, with ``sequence`` counting identical credits (same key but
    for the sequence), so two equal transfers on one day stay two payments and a re-import finds
    both again."""
    seen: Counter[str] = Counter()
    out = []
    for line in map(fitted, lines):
        base = dataclasses.replace(line, sequence=0).key
        out.append(dataclasses.replace(line, sequence=seen[base]))
        seen[base] += 1
    return tuple(out)
