"""Bank statements as recoup reads them: the credits that may pay invoices.

Every statement format (MT940, CAMT.052/053/054, OFX/QFX) is read into the same
``StatementLine``s by the adapters in ``adapters/formats``; debits are counted and
dropped there. A line's ``key`` identifies it across imports, so importing the same
statement twice creates nothing new. Matching a line to invoices (cash application)
lives in ``domain/matching.py`` and ``services/cash_application.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum

from recoup.domain.errors import InvalidValueError
from recoup.domain.money import Money

_RF = re.compile(r"^RF(\d{2})([0-9A-Z]{1,21})$")


class LineStatus(StrEnum):
    MATCHED = "matched"  # applied to invoices automatically or by a collector
    REVIEW = "review"  # a person must choose among the suggestions
    UNAPPLIED = "unapplied"  # kept as unapplied cash of a known customer
    UNKNOWN = "unknown"  # no customer found: in the review queue with no suggestion


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One incoming payment as the bank reported it.

    Fields:
        account: our account it arrived on (IBAN or the bank's account id).
        booking_date, value_date: when the bank booked it and when the money counts (value date
            may be None when the statement gives none).
        amount: what arrived, positive, in the account's or the entry's currency.
        counterparty_name, counterparty_iban: the payer as the bank names it ('' when absent).
        remittance: the unstructured remittance text, lines joined by a space.
        creditor_reference: a structured reference (ISO 11649 'RF..', or a national one) or ''.
        end_to_end_id: the payer's end-to-end id ('' or 'NOTPROVIDED' dropped).
        bank_reference: the bank's own reference for the entry ('' when none).
        source: the file (and statement) it came from, for the log.
        sequence: its position among identical lines of one statement (two equal transfers on
            one day are two payments).
    """

    account: str
    booking_date: dt.date
    amount: Money
    value_date: dt.date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""
    creditor_reference: str = ""
    end_to_end_id: str = ""
    bank_reference: str = ""
    source: str = ""
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidValueError(f"a statement credit must be positive, not {self.amount}")

    @property
    def key(self) -> str:
        """Stable identity of the line: the same entry read again from any copy of the statement has
        the same key (the file name is not part of it)."""
        parts = [
            self.account.replace(" ", "").upper(),
            self.booking_date.isoformat(),
            str(self.amount.amount),
            self.amount.currency,
            self.counterparty_iban.replace(" ", "").upper(),
            self.creditor_reference,
            self.end_to_end_id,
            self.bank_reference,
            " ".join(self.remittance.split()),
            str(self.sequence),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Statement:
    """What one file held: its format, the credits, and how many debits were left out."""

    format: str
    lines: tuple[StatementLine, ...]
    debits: int = 0
    entries: int = 0
    accounts: tuple[str, ...] = field(default=())


def rf_reference_valid(reference: str) -> bool:
    """Whether ``reference`` is a valid ISO 11649 creditor reference ('RF18 5390 0754 7034')."""
    compact = reference.replace(" ", "").upper()
    if not _RF.match(compact):
        return False
    moved = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


def rf_reference(payload: str) -> str:
    """The ISO 11649 creditor reference for ``payload`` (letters and digits, at most 21)."""
    body = "".join(ch for ch in payload.upper() if ch.isalnum())
    if not body or len(body) > 21:
        raise InvalidValueError(f"{payload!r} cannot be an RF reference (1 to 21 letters or digits)")
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    check = 98 - int(digits) % 97
    return f"RF{check:02d}{body}"
