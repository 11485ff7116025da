"""What a message to a consumer must contain, by jurisdiction (LAW.md section 4).

The engine's consumer guard already keeps to the contact rules (only the
debtor, 08:00-21:00 local time, at most seven call attempts in seven days,
none within seven days after a conversation, no threat of a step nobody
decided, nothing on a time-barred debt). This module lists the content a
first demand to a consumer must carry where a law requires it, so the message
templates can include it and the activity log shows it was included. Most of
these rules bind collection agencies or third-party collectors, not the
creditor itself; recoup applies them to every consumer debt, as careful
creditors do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    """Content a message must carry.

    Fields:
        code: a stable name ('us-validation').
        text: what must be stated, in words.
        source: where the rule comes from.
    """

    code: str
    text: str
    source: str


US_VALIDATION = Notice(
    "us-validation",
    "the amount of the debt, the name of the creditor, and that the debt is assumed valid unless the "
    "consumer disputes it within 30 days, in which case verification is sent",
    "15 U.S.C. §1692g; 12 CFR 1006.34 (Regulation F)",
)
DE_FIRST_DEMAND = Notice(
    "de-rdg-13a",
    "the creditor's name and address, the basis of the claim (contract and date), an interest "
    "calculation (principal, rate, period), the kind and amount of any collection costs, and whether "
    "VAT is charged on them",
    "RDG §13a (first demand to a private person)",
)
FR_AMICABLE = Notice(
    "fr-r124-4",
    "the creditor's identity, the basis and amount of the debt split into principal, interest and other "
    "sums, and how to pay",
    "CPCE R124-4",
)
GB_STATUTE_BARRED = Notice(
    "gb-conc-7-15",
    "nothing that misleads about the consumer's rights on a debt that may be statute-barred",
    "FCA CONC 7.15",
)

_BY_JURISDICTION: dict[str, tuple[Notice, ...]] = {
    "US-NY": (US_VALIDATION,),
    "US-CA": (US_VALIDATION,),
    "US-TX": (US_VALIDATION,),
    "US-DE": (US_VALIDATION,),
    "DE": (DE_FIRST_DEMAND,),
    "FR": (FR_AMICABLE,),
    "GB": (GB_STATUTE_BARRED,),
    "GB-SCT": (GB_STATUTE_BARRED,),
}


def consumer_notices(jurisdiction: str, *, consumer: bool) -> tuple[Notice, ...]:
    """The notices a message to this debtor must carry; none for a business."""
    if not consumer:
        return ()
    return _BY_JURISDICTION.get(jurisdiction.strip().upper(), ())
