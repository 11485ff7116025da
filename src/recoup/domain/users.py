"""Users of the desk and the API, their roles and what each role may do.

Four roles (practice 9: collectors, managers and sales work together):

- ``admin``: everything, including users, the policy and the settings;
- ``collector``: works cases (calls, promises, plans, disputes, holds, settlements,
  write-offs, approvals, the run);
- ``sales``: sees the accounts it owns (the customer's ``sales_owner`` is the user's
  email), adds notes and answers disputes on them;
- ``viewer``: reads everything, changes nothing.

One table says which role may do what; the API and the desk ask ``can()``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from recoup.domain.errors import AccessDeniedError, InvalidInputError


class Role(StrEnum):
    ADMIN = "admin"
    COLLECTOR = "collector"
    SALES = "sales"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ = "read"  # customers, invoices, the timeline, aging, the worklist, the policy
    NOTE = "note"  # add a note to a customer's timeline
    ANSWER_DISPUTES = "answer_disputes"  # open and resolve disputes
    WORK_CASES = "work_cases"  # calls, promises, plans, holds, settlements, tasks, checklist, approvals
    LEDGER = "ledger"  # record payments, contacts, write-offs
    RUN = "run"  # preview and execute the daily run
    ADMIN = "admin"  # users, tokens, settings


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COLLECTOR: frozenset(Permission) - {Permission.ADMIN},
    Role.SALES: frozenset({Permission.READ, Permission.NOTE, Permission.ANSWER_DISPUTES}),
    Role.VIEWER: frozenset({Permission.READ}),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class User:
    """A person (or a script's owner) who signs in.

    Fields:
        email: the login, lower-case; also the ``actor`` of every activity the user writes.
        role: what the user may do (PERMISSIONS).
        name: shown on the desk.
        password_hash: the argon2 hash ('' for a user who only uses API tokens).
        active: a deactivated user cannot sign in and its tokens stop working.
        created_at: when the account was made.
    """

    email: str
    role: Role
    name: str = ""
    password_hash: str = ""
    active: bool = True
    created_at: dt.datetime | None = None

    def can(self, permission: Permission) -> bool:
        return self.active and permission in PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raise AccessDeniedError naming the role and what it may not do."""
        if not self.can(permission):
            raise AccessDeniedError(f"a {self.role} may not {_WORDS[permission]}")

    def sees(self, sales_owner: str) -> bool:
        """Whether the user may see a customer whose sales owner is ``sales_owner``."""
        if self.role is not Role.SALES:
            return self.active
        return self.active and sales_owner.strip().lower() == self.email

    def require_sees(self, customer_id: str, sales_owner: str) -> None:
        if not self.sees(sales_owner):
            raise AccessDeniedError(f"customer {customer_id} is not one of your accounts")


_WORDS = {
    Permission.READ: "read the records",
    Permission.NOTE: "add notes",
    Permission.ANSWER_DISPUTES: "open or resolve disputes",
    Permission.WORK_CASES: "work cases (calls, promises, plans, holds, settlements, tasks, approvals)",
    Permission.LEDGER: "change the ledger (payments, contacts, write-offs)",
    Permission.RUN: "preview or execute the run",
    Permission.ADMIN: "manage users and settings",
}


def normal_email(value: str, *, field: str = "email") -> str:
    """``value`` lower-cased and checked to look like an address."""
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInputError(f"{value!r} is not an email address", field=field)
    return email


def role_of(value: str, *, field: str = "role") -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInputError(
            f"{value!r} is not a role; use one of {', '.join(r.value for r in Role)}", field=field
        ) from None


def check_password(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD} characters", field=field)
