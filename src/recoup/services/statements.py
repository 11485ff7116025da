"""Importing a bank statement: keep its new credits once, and apply them to invoices.

The caller reads the file whole first (``adapters.formats.statement_detect.read_statement``),
so a bad file is refused before anything is written. Then, in one transaction, the credits
whose key is not stored yet are added (the same statement imported twice adds nothing) and
cash application matches them to open invoices (``services.cash_application.apply_lines``):
the sure matches are recorded as payments, the rest wait for a person in the review queue or
stay as unapplied cash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from recoup.domain.matching import MatchRules
from recoup.domain.money import Money
from recoup.domain.statements import Statement, StatementLine
from recoup.services.cash_application import ApplyResult, apply_lines
from recoup.services.ports import UnitOfWorkFactory


def _per_currency(lines: list[StatementLine]) -> dict[str, Money]:
    totals: dict[str, Money] = {}
    for line in lines:
        currency = line.amount.currency
        totals[currency] = totals.get(currency, Money.zero(currency)) + line.amount
    return dict(sorted(totals.items()))


@dataclass
class StatementImport:
    """What importing one statement file did.

    Fields:
        file, format: the file's name and its format ('mt940', 'camt.053', 'ofx', ...).
        accounts: our accounts the statement covers.
        entries: every entry read; credits: incoming payments; debits: outgoing ones, ignored;
            other: entries neither (zero amounts, not yet booked).
        duplicates: credits already imported before (from this file or another copy of it).
        new: credits stored now. credit_amounts, new_amounts: their totals per currency.
        applied: what cash application did with the new credits.
    """

    file: str
    format: str
    accounts: tuple[str, ...] = ()
    entries: int = 0
    credits: int = 0
    debits: int = 0
    other: int = 0
    duplicates: int = 0
    new: int = 0
    credit_amounts: dict[str, Money] = field(default_factory=dict)
    new_amounts: dict[str, Money] = field(default_factory=dict)
    applied: ApplyResult = field(default_factory=ApplyResult)

    def as_dict(self) -> dict[str, Any]:
        def amounts(per: dict[str, Money]) -> dict[str, str]:
            return {cur: str(m.amount) for cur, m in sorted(per.items())}

        return {
            "file": self.file,
            "format": self.format,
            "accounts": list(self.accounts),
            "entries": self.entries,
            "credits": self.credits,
            "debits_ignored": self.debits,
            "other_ignored": self.other,
            "already_imported": self.duplicates,
            "new": self.new,
            "credit_amounts": amounts(self.credit_amounts),
            "new_amounts": amounts(self.new_amounts),
            "matched": len(self.applied.matched),
            "to_review": len(self.applied.review),
            "unapplied": len(self.applied.unapplied),
            "cash_application": self.applied.as_json(),
        }

    def lines(self) -> list[str]:
        """The result in sentences; amounts per currency, never added across currencies."""

        def money(per: dict[str, Money]) -> str:
            return ", ".join(str(m) for _, m in sorted(per.items())) or "nothing"

        out = [
            f"{self.file} ({self.format}, account {', '.join(self.accounts) or 'not given'})",
            f"entries read: {self.entries}",
            f"credits: {self.credits} ({money(self.credit_amounts)})",
            f"debits ignored: {self.debits}",
        ]
        if self.other:
            out.append(f"other entries ignored (zero, or not booked yet): {self.other}")
        out += [
            f"already imported: {self.duplicates}",
            f"new lines: {self.new} ({money(self.new_amounts)})",
        ]
        return out + self.applied.lines()


def import_statement(
    uow_factory: UnitOfWorkFactory,
    statement: Statement,
    *,
    source: str,
    at: dt.datetime,
    actor: str = "import",
    rules: MatchRules | None = None,
) -> StatementImport:
    """Store the new credits of ``statement`` (read from the file ``source``) and apply them to
    open invoices (with ``rules``: the threshold of the settings), in one transaction: all of it
    or, on any error, nothing."""
    with uow_factory() as uow:
        stored = uow.bank.add_new(list(statement.lines), at=at)
        applied = apply_lines(uow, stored, at=at, actor=actor, rules=rules)
        uow.commit()
    return _result(statement, source, stored_lines=[s.line for s in stored], applied=applied)


def _result(
    statement: Statement, source: str, *, stored_lines: list[StatementLine], applied: ApplyResult
) -> StatementImport:
    credits = list(statement.lines)
    return StatementImport(
        file=source,
        format=statement.format,
        accounts=statement.accounts,
        entries=statement.entries,
        credits=len(credits),
        debits=statement.debits,
        other=statement.entries - len(credits) - statement.debits,
        duplicates=len(credits) - len(stored_lines),
        new=len(stored_lines),
        credit_amounts=_per_currency(credits),
        new_amounts=_per_currency(stored_lines),
        applied=applied,
    )
