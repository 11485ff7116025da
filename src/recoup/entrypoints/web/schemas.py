"""Request and answer shapes of the API (pydantic), kept apart from the domain and the tables.

Money travels as a decimal string with its currency ("1234.50", "EUR"), never
as a JSON number, so no client rounds it through a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")

MoneyText = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, how many match in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


class SignIn(Strict):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1000)


class UserOut(BaseModel):
    email: str
    name: str
    role: str
    active: bool


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str


class UserIn(Strict):
    email: str = Field(min_length=3, max_length=254)
    role: str
    name: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=1000)


class UserChange(Strict):
    role: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, max_length=1000)


class TokenIn(Strict):
    name: str = Field(min_length=1, max_length=200, description="what uses the token, e.g. 'ERP sync'")


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    token: str | None = Field(default=None, description="the token itself: shown once, when it is made")


# --- The collections API (customers, ledger, casework, work, reports) -----------------------------
# Inputs are checked at the edge: text without control characters and bounded in length, amounts
# as decimal strings, business dates within 1900-2199 (date arithmetic never overflows), ids and
# versions within the database's integers.

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
MAX_ID = 2**31 - 1
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and line breaks are fine in notes


def _in_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"a date between {FIRST_DAY} and {LAST_DAY} is expected")
    return day


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text is not valid Unicode (a lone surrogate)") from None
    return value


Day = Annotated[dt.date, AfterValidator(_in_range)]
Text = Annotated[str, Field(max_length=2000, pattern=NO_CONTROL), AfterValidator(_utf8)]
ShortText = Annotated[str, Field(max_length=300, pattern=NO_CONTROL), AfterValidator(_utf8)]
MoneyIn = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,3})?$",
        description="an amount as a decimal string with a dot, e.g. '1500.00' (never a JSON number)",
        examples=["1500.00"],
    ),
]
CurrencyIn = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. EUR")]
Version = Annotated[
    int | None,
    Field(
        ge=0,
        le=2**62,
        description="the case's version you read (GET /api/customers/{id}); a change made since is refused "
        "with 409 and nothing is saved. Leave it out to skip the check.",
    ),
]
InvoiceNumbers = Annotated[list[ShortText], Field(max_length=500)]


class Written(BaseModel):
    """What every change to a case answers besides the record: the case's version after it."""

    version: int = Field(description="the case's new version: send it with your next change")


class BalanceOut(BaseModel):
    currency: str
    open: MoneyText
    overdue: MoneyText


class CustomerLineOut(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    currency: str
    segment: str
    sales_owner: str
    balances: list[BalanceOut]


class ContactOut(BaseModel):
    id: int
    customer_id: str
    name: str
    role: str
    email: str
    phone: str
    valid: bool


class ContactWritten(ContactOut, Written):
    pass


class OpenItemOut(BaseModel):
    number: str
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount: MoneyText
    balance: MoneyText
    days_past_due: int
    states: list[str] = Field(
        description="disputed, promised, in_plan, in_settlement, on_hold; empty: chased"
    )


class PromiseOut(BaseModel):
    id: int
    customer_id: str
    amount: MoneyText
    currency: str
    date: dt.date
    made_on: dt.date
    invoices: list[str]
    status: str


class PromiseWritten(PromiseOut, Written):
    pass


class InstallmentOut(BaseModel):
    due: dt.date
    amount: MoneyText


class PlanOut(BaseModel):
    id: int
    customer_id: str
    currency: str
    total: MoneyText
    installments: list[InstallmentOut]
    made_on: dt.date
    invoices: list[str]
    status: str


class PlanWritten(PlanOut, Written):
    pass


class DisputeOut(BaseModel):
    id: int
    invoice: str
    customer_id: str
    reason: str
    amount: MoneyText | None
    currency: str
    opened_on: dt.date
    status: str
    outcome: str
    resolved_on: dt.date | None


class DisputeWritten(DisputeOut, Written):
    pass


class HoldOut(BaseModel):
    id: int
    customer_id: str
    until: dt.date
    reason: str
    placed_on: dt.date
    released_on: dt.date | None


class HoldWritten(HoldOut, Written):
    pass


class SettlementOut(BaseModel):
    id: int
    customer_id: str
    amount: MoneyText
    currency: str
    deadline: dt.date
    offered_on: dt.date
    invoices: list[str]
    status: str


class SettlementWritten(SettlementOut, Written):
    pass


class ActivityOut(BaseModel):
    id: int | None
    at: dt.datetime
    kind: str
    actor: str
    customer_id: str
    invoices: list[str]
    text: str
    document: str
    data: dict[str, Any]


class CustomerOut(BaseModel):
    """One customer: its record, balances, contacts, open items with their states, the arrangements in
    force, the latest activity and the case's version."""

    id: str
    name: str
    kind: str
    country: str
    language: str
    time_zone: str
    currency: str
    segment: str
    sales_owner: str
    payment_terms_days: int
    credit_limit: MoneyText | None
    tax_id: str
    contract_terms: str
    late_fee_clause: str
    jurisdiction: str
    as_of: dt.date
    version: int
    balances: list[BalanceOut]
    unapplied: list[BalanceOut] = Field(description="cash received and not applied; 'overdue' is always 0")
    contacts: list[ContactOut]
    open_items: list[OpenItemOut]
    promises: list[PromiseOut]
    plans: list[PlanOut]
    disputes: list[DisputeOut]
    holds: list[HoldOut]
    settlements: list[SettlementOut]
    recent_activity: list[ActivityOut]


class CustomerIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "MUELLER",
                    "name": "Müller Werkzeuge GmbH",
                    "country": "DE",
                    "payment_terms_days": 30,
                    "credit_limit": "20000.00",
                }
            ]
        }
    )

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f/]+$")]
    name: Annotated[ShortText, Field(min_length=1)]
    kind: Literal["business", "consumer"] = "business"
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
    language: Annotated[str, Field(max_length=16, pattern=r"^([a-z]{2,3}([_-][A-Za-z0-9]{2,8})*)?$")] = ""
    time_zone: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] = ""
    currency: Annotated[str, Field(pattern=r"^([A-Za-z]{3})?$")] = ""
    segment: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] = ""
    sales_owner: Annotated[str, Field(max_length=254, pattern=NO_CONTROL)] = ""
    payment_terms_days: Annotated[int, Field(ge=0, le=3650)] = 30
    credit_limit: MoneyIn | None = None
    tax_id: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] = ""
    contract_terms: Text = ""
    late_fee_clause: Text = ""
    jurisdiction: Annotated[str, Field(max_length=16, pattern=r"^([A-Za-z]{2}(-[A-Za-z0-9]{1,8})?)?$")] = ""


class CustomerChange(Strict):
    """The fields to change (left out: unchanged; ``credit_limit`` null: no limit)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"payment_terms_days": 45, "segment": "key-account"}]}
    )

    name: Annotated[ShortText, Field(min_length=1)] | None = None
    kind: Literal["business", "consumer"] | None = None
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None
    language: Annotated[str, Field(max_length=16, pattern=r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")] | None = (
        None
    )
    time_zone: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")] | None = None
    segment: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] | None = None
    sales_owner: Annotated[str, Field(max_length=254, pattern=NO_CONTROL)] | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    credit_limit: MoneyIn | None = None
    tax_id: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] | None = None
    contract_terms: Text | None = None
    late_fee_clause: Text | None = None
    jurisdiction: (
        Annotated[str, Field(max_length=16, pattern=r"^([A-Za-z]{2}(-[A-Za-z0-9]{1,8})?)?$")] | None
    ) = None
    version: Version = None


class CustomerWritten(Written):
    customer: CustomerLineOut


class ContactIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Jonas Berg", "role": "billing", "email": "jonas.berg@acme.example"}]
        }
    )

    name: Annotated[ShortText, Field(min_length=1)]
    role: Literal["billing", "owner", "other"] = "billing"
    email: Annotated[str, Field(max_length=254, pattern=NO_CONTROL)] = ""
    phone: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] = ""
    version: Version = None


class ContactChange(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "+49 30 1234599"}]})

    role: Literal["billing", "owner", "other"] | None = None
    email: Annotated[str, Field(max_length=254, pattern=NO_CONTROL)] | None = None
    phone: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] | None = None
    version: Version = None


class VersionIn(Strict):
    version: Version = None


class InvoiceOut(BaseModel):
    number: str
    customer_id: str
    issue_date: dt.date
    due_date: dt.date
    currency: str
    amount: MoneyText
    balance: MoneyText
    status: str
    closed_on: dt.date | None
    sent_to: str


class AllocationOut(BaseModel):
    kind: str
    source: str
    amount: MoneyText
    currency: str
    applied_on: dt.date


class InvoiceDetailOut(InvoiceOut):
    days_past_due: int
    allocations: list[AllocationOut]
    disputes: list[DisputeOut]


class InvoiceWritten(InvoiceOut, Written):
    pass


class PaymentOut(BaseModel):
    reference: str
    customer_id: str
    date: dt.date
    amount: MoneyText
    currency: str
    unapplied: MoneyText
    invoices: list[str] = Field(description="the invoices the payer named")


class PaymentIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "BANK-0100",
                    "customer_id": "ACME-DE",
                    "date": "2026-11-20",
                    "amount": "1000.00",
                }
            ]
        }
    )

    reference: Annotated[str, Field(min_length=1, max_length=140, pattern=NO_CONTROL)]
    customer_id: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
    date: Day
    amount: MoneyIn
    currency: CurrencyIn | None = Field(default=None, description="default: the customer's currency")
    invoices: InvoiceNumbers = Field(
        default_factory=list, description="invoices the payer named, paid in this order; none: oldest first"
    )
    version: Version = None


class PaymentWritten(PaymentOut, Written):
    allocations: list[AllocationOut]
    oldest_first: bool


class NoteIn(Strict):
    """A note, call or visit on the timeline; what it leads to (tasks, a promise, disputes) follows."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "note", "notes": "Met the owner at the fair: pays next week"}]
        }
    )

    kind: Literal["note", "call", "visit"] = "note"
    notes: Text = ""
    contact: ShortText = ""
    outcome: Literal["reached", "left_message", "no_answer", "wrong_number", "refused_to_talk"] | None = None
    reason: Literal[
        "forgot",
        "not_received",
        "cash_flow",
        "dispute",
        "awaiting_approval",
        "will_pay",
        "refuses",
        "unreachable",
        "insolvency",
        "none",
    ] = "none"
    invoices: InvoiceNumbers = []
    promise_date: Day | None = None
    promise_amount: MoneyIn | None = None
    dispute_reason: Literal["goods", "service", "price", "quantity", "not_received", "duplicate", "other"] = (
        "other"
    )
    version: Version = None


class TaskOut(BaseModel):
    id: int
    kind: str
    customer_id: str
    currency: str
    due: dt.date
    reason: str
    step: str
    invoices: list[str]
    assignee: str
    status: str


class TaskWritten(TaskOut, Written):
    pass


class NoteWritten(Written):
    activity: ActivityOut
    follow_ups: list[str]
    tasks: list[TaskOut]
    promise: PromiseOut | None
    disputes: list[DisputeOut]


class PromiseIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"amount": "1000.00", "date": "2026-12-04", "invoices": ["INV-1001"]}]
        }
    )

    amount: MoneyIn
    date: Day
    invoices: InvoiceNumbers = Field(
        default_factory=list, description="the invoices covered; none: every open item of the case"
    )
    currency: CurrencyIn | None = None
    version: Version = None


class PlanIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"installments": 3, "every_days": 30, "first": "2026-12-01"}]}
    )

    installments: Annotated[int, Field(ge=1, le=120)]
    every_days: Annotated[int, Field(ge=1, le=366)]
    first: Day | None = None
    invoices: InvoiceNumbers = []
    currency: CurrencyIn | None = None
    version: Version = None


class DisputeIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"invoice": "INV-1002", "reason": "price", "amount": "500.00"}]}
    )

    invoice: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
    reason: Literal["goods", "service", "price", "quantity", "not_received", "duplicate", "other"]
    amount: MoneyIn | None = Field(default=None, description="the disputed part; none: all of it")
    version: Version = None


class DisputeResolution(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": "rejected"}]})

    outcome: Literal["credited", "rejected", "corrected", "withdrawn"]
    credit_note_number: Annotated[str, Field(max_length=64, pattern=NO_CONTROL)] | None = None
    version: Version = None


class HoldIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"until": "2026-12-31", "reason": "in talks with the owner"}]}
    )

    until: Day
    reason: Annotated[Text, Field(min_length=1)]
    version: Version = None


class SettlementIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"amount": "8000.00", "deadline": "2026-12-15"}]}
    )

    amount: MoneyIn
    deadline: Day
    invoices: InvoiceNumbers = []
    currency: CurrencyIn | None = None
    version: Version = None


class WriteOffIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"invoice": "INV-1005", "reason": "the debtor cannot be traced"}]}
    )

    invoice: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
    reason: Annotated[Text, Field(min_length=1)]
    version: Version = None


class ApprovalIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"step": "agency-review"}]})

    step: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
    currency: CurrencyIn | None = None
    version: Version = None


class ApprovalWritten(Written):
    activity: ActivityOut


class ChecklistQuestionOut(BaseModel):
    id: str
    text: str
    answer: Literal["yes", "no"] | None
    source: str = Field(description="collector, records, or '' when unanswered")


class ChecklistOut(BaseModel):
    customer_id: str
    currency: str
    as_of: dt.date
    complete: bool
    missing: list[str]
    questions: list[ChecklistQuestionOut]


class ChecklistIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"answers": {"owner_contacted": True, "plan_offered": False}}]}
    )

    currency: CurrencyIn | None = None
    answers: Annotated[dict[Annotated[str, Field(max_length=64)], bool], Field(min_length=1, max_length=20)]
    version: Version = None


class ChecklistWritten(ChecklistOut, Written):
    pass


class WorkItemOut(BaseModel):
    task_id: int
    kind: str
    customer_id: str
    customer_name: str
    currency: str
    due: dt.date
    reason: str
    step: str
    invoices: list[str]
    assignee: str
    overdue: MoneyText
    oldest_days_past_due: int
    paid: int
    paid_late: int
    average_days_late: float
    promises_broken: int
    task_days_late: int
    score: float
    reasons: list[str]


class RunActionOut(BaseModel):
    customer_id: str
    currency: str
    step: str
    action: str
    invoices: list[str]
    recipients: list[str]
    copies: list[str]
    key: str
    status: str


class RunNoteOut(BaseModel):
    """A step passed over, a diagnostic, an event or a task of the run (fields as they apply)."""

    customer_id: str
    currency: str
    kind: str = ""
    code: str = ""
    step: str = ""
    invoice: str = ""
    invoices: list[str] = Field(default_factory=list)
    message: str = ""


class RunOut(BaseModel):
    """What the run plans on ``as_of``; ``actions`` is one page (``limit``, ``offset``) of all."""

    as_of: dt.date
    dry_run: bool
    cases: int
    total_actions: int
    limit: int
    offset: int
    actions: list[RunActionOut]
    skipped: list[RunNoteOut]
    diagnostics: list[RunNoteOut]
    events: list[RunNoteOut]
    tasks: list[RunNoteOut]


class RunIn(Strict):
    as_of: Day | None = Field(default=None, description="the business date of the run (default: today)")


class AgingRowOut(BaseModel):
    customer_id: str
    name: str
    currency: str
    buckets: dict[str, MoneyText]
    total: MoneyText


class AgingTotalOut(BaseModel):
    currency: str
    buckets: dict[str, MoneyText]
    total: MoneyText


class AgingOut(BaseModel):
    as_of: dt.date
    edges: list[int]
    buckets: list[str]
    rows: Page[AgingRowOut]
    totals: list[AgingTotalOut]


class InterestSegmentOut(BaseModel):
    start: dt.date
    end: dt.date
    days: int
    rate: str = Field(description="percent per annum, a decimal string")
    amount: MoneyText
    principal: MoneyText | None
    basis: int


class InterestOut(BaseModel):
    invoice: str
    customer_id: str
    currency: str
    as_of: dt.date
    jurisdiction: str
    interest: MoneyText
    compensation: MoneyText
    total: MoneyText
    rule: str
    sources: list[str]
    segments: list[InterestSegmentOut]


class InterestTotalOut(BaseModel):
    currency: str
    interest: MoneyText
    compensation: MoneyText
    total: MoneyText


class CustomerInterestOut(BaseModel):
    customer_id: str
    as_of: dt.date
    invoices: list[InterestOut]
    totals: list[InterestTotalOut]


class PolicyStepOut(BaseModel):
    id: str
    offset: int
    actions: list[str]
    template: str
    tone: str
    attach: list[str]
    min_overdue: str
    kinds: list[str]
    segments: list[str]
    needs_checklist: bool
    needs_approval: bool
    copy_owner: bool
    consumer_ok: bool


class PolicyOut(BaseModel):
    name: str
    settings: dict[str, Any]
    applies_to: dict[str, list[str]]
    steps: list[PolicyStepOut]
