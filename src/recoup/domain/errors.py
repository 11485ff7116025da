"""The tree of domain errors.

Each class carries a default message; raise with a sentence that names what
was wrong. The API maps these classes to HTTP status codes in one place; the
CLI prints the message and exits non-zero. Nothing here knows about either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from recoup.policy.loading import Problem


class DomainError(Exception):
    """Something the domain refuses."""

    message = "the request breaks a rule of the ledger"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class InvalidValueError(DomainError, ValueError):
    message = "a value is not valid"


class InvalidAmountError(InvalidValueError):
    message = "not a valid amount of money"


class UnknownCurrencyError(InvalidValueError):
    message = "not an ISO 4217 currency code"


class CurrencyMismatchError(DomainError):
    message = "amounts in different currencies cannot be combined"


class InvalidTaxIdError(InvalidValueError):
    message = "the tax id is not valid for the customer's country"


class NotFoundError(DomainError, LookupError):
    message = "no such record"


class AllocationError(DomainError):
    message = "the allocation does not fit the payment or the invoice"


class DuplicateError(DomainError):
    message = "a record with this key exists with other data"


class ConcurrentRunError(DomainError):
    message = "another run is in progress"


class ImportRejectedError(DomainError):
    """An import found bad rows; ``problems`` lists each one."""

    message = "the file has errors; nothing was imported"

    def __init__(self, problems: list[str], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or f"{len(problems)} problem(s); nothing was imported")


class PolicyError(InvalidValueError):
    """A policy file (or a set of them) is not valid; ``problems`` lists each one with its line."""

    message = "the policy is not valid"

    def __init__(self, problems: list[Problem], source: str = "<policy>", message: str | None = None) -> None:
        self.problems = problems
        self.source = source
        super().__init__(message or f"{source}: {len(problems)} problem(s) in the policy")

    def lines(self) -> list[str]:
        """Each problem as ``SOURCE:LINE: message`` (``SOURCE: message`` when it has no line)."""
        return [
            f"{self.source}:{p.line}: {p.message}" if p.line else f"{self.source}: {p.message}"
            for p in self.problems
        ]


class InvalidInputError(InvalidValueError):
    """A value given for one input is not valid; ``field`` names the input (the CLI names its option)."""

    message = "an input is not valid"

    def __init__(self, message: str | None = None, *, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class PromiseExceedsBalanceError(InvalidInputError):
    """A promise for more than the open balance of the items it covers."""

    message = "the promised amount is above the open balance of the items it covers"


class InvalidStateError(DomainError):
    """The record is not in a state that allows the change (a resolved dispute resolved again, ...)."""

    message = "the record's state does not allow this change"


class MissingRateError(DomainError, LookupError):
    """A rate table has no rate for the day asked (or is not known that far): never a silent guess."""

    message = "a rate table has no rate for the period"


class UnknownJurisdictionError(InvalidValueError):
    """A jurisdiction code the law package does not know, or a country with no rule."""

    message = "no interest rule for this jurisdiction"


class ConflictError(DomainError):
    """The record changed since the caller read it (a version check failed): nothing was written."""

    message = "the record changed since you read it; reload it and try again"


class AccessDeniedError(DomainError):
    """The user's role does not allow this (or the record is not one the user may see)."""

    message = "your role does not allow this"


class LinkInvalidError(DomainError):
    """A customer link whose signature does not check (made up, altered, or cut short)."""

    message = "this link is not valid"


class LinkExpiredError(DomainError):
    """A customer link older than the days links stay valid."""

    message = "this link has expired"
