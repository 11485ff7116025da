"""The database schema: SQLAlchemy Core tables, the same on SQLite and PostgreSQL.

Money is stored as an integer count of minor units plus the currency code,
so sums are exact on every database. Dates are SQL dates; timestamps are UTC.
The schema is created by the Alembic migrations, never by ``create_all``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.sql.expression import true
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("country", String(2), nullable=False),
    Column("language", String(16), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("segment", String(64), nullable=False, server_default=""),
    Column("sales_owner", String(254), nullable=False, server_default=""),
    Column("payment_terms_days", Integer, nullable=False),
    Column("credit_limit_minor", BigInteger, nullable=True),
    Column("tax_id", String(64), nullable=False, server_default=""),
    Column("contract_terms", Text, nullable=False, server_default=""),
    Column("late_fee_clause", Text, nullable=False, server_default=""),
    Column("jurisdiction", String(16), nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    # What cash application finds a customer by (rows.customer_keys, migration 0007): the name as
    # compared (matching.name_key) and the compacted id (what its RF reference is made of).
    Column("name_key", Text, nullable=True, index=True),
    Column("id_key", String(64), nullable=True, index=True),
    CheckConstraint("kind in ('business', 'consumer')", name="kind"),
)
Index("ix_customers_tax_id", customers.c.tax_id)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(16), nullable=False),
    Column("email", String(254), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("valid", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("customer_id", "name", name="uq_contacts_customer_name"),
    CheckConstraint("role in ('billing', 'owner', 'other')", name="role"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("balance_minor", BigInteger, nullable=False),
    Column("sent_to", String(254), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("closed_on", Date, nullable=True),
    # The keys cash application finds the number by (matching.number_keys, rows.invoice_keys):
    # the number compacted ('INV-2026-0042' -> 'INV20260042') and its digits without the letters
    # in front ('20260042', null when the same); filled by rows.invoice_row and migration 0007.
    Column("number_key", String(64), nullable=True),
    Column("digits_key", String(64), nullable=True),
    # The earliest day of an amount applied to it, null while none (Invoice.first_applied_on):
    # aging on a past day takes the whole amount of an invoice nothing was applied to by then
    # instead of summing its allocations. Kept by change_many; filled by migration 0008.
    Column("first_applied_on", Date, nullable=True),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("balance_minor >= 0 and balance_minor <= amount_minor", name="balance_in_range"),
)
Index("ix_invoices_customer", invoices.c.customer_id, invoices.c.currency)
# The open items per customer, read by payments and the daily run: a small covering index.
Index(
    "ix_invoices_open",
    invoices.c.customer_id,
    invoices.c.currency,
    invoices.c.due_date,
    invoices.c.balance_minor,
    sqlite_where=invoices.c.closed_on.is_(None),
    postgresql_where=invoices.c.closed_on.is_(None),
)
# A small statement looks up the open invoices its texts name by these keys. On PostgreSQL only
# the open ones are indexed: every index gets an entry for each row an update writes, and the
# invoices closed by payments need none. SQLite leaves an index alone when an update does not
# change its columns, and its planner would pick ix_invoices_closed_on for 'closed_on IS NULL'
# over a partial index (bank_repos reads with '+closed_on'): the whole column there.
for _key in (invoices.c.number_key, invoices.c.digits_key):
    Index(f"ix_invoices_{_key.name}", _key, postgresql_where=invoices.c.closed_on.is_(None))
# Aging on any day: the invoices open today (closed_on null) and those closed after
# that day (a range on closed_on), with every column aging reads, so it never
# touches the table.
Index(
    "ix_invoices_closed_on",
    invoices.c.closed_on,
    invoices.c.issue_date,
    invoices.c.customer_id,
    invoices.c.currency,
    invoices.c.due_date,
    invoices.c.balance_minor,
    invoices.c.amount_minor,
    invoices.c.first_applied_on,
    # the id that looks up the allocations of an invoice paid in part (SQLite's rowid is in every index)
    postgresql_include=["id"],
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(140), nullable=False, unique=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("unapplied_minor", BigInteger, nullable=False),
    Column("invoices", Text, nullable=False, server_default=""),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
    CheckConstraint("unapplied_minor >= 0 and unapplied_minor <= amount_minor", name="unapplied_in_range"),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(64), nullable=False, unique=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("unapplied_minor", BigInteger, nullable=False),
    Column("invoice_number", String(64), nullable=False, server_default=""),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=True, index=True),
    Column("credit_note_id", Integer, ForeignKey("credit_notes.id"), nullable=True),
    Column("source", String(140), nullable=False, server_default=""),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("applied_on", Date, nullable=False, index=True),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
# An invoice's allocations; aging sums those applied after a day without reading the table.
Index(
    "ix_allocations_invoice",
    allocations.c.invoice_id,
    allocations.c.applied_on,
    allocations.c.amount_minor,
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(254), nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("invoices", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("document", String(300), nullable=False, server_default=""),
    Column("data", JSON, nullable=False),
)
Index("ix_activities_customer", activities.c.customer_id, activities.c.at)
# The recent calls and visits of every case, read by the daily run (migration 0003).
Index("ix_activities_kind_at", activities.c.kind, activities.c.at)

# --- The engine: what pauses or resolves a case, what the ladder did, tasks, approvals, the run lock.
# Every case record keeps its customer and currency and a version bumped on each change.

promises = Table(
    "promises",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("date", Date, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("invoices", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
Index("ix_promises_customer", promises.c.customer_id, promises.c.status)

payment_plans = Table(
    "payment_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("installments", JSON, nullable=False),  # [{"due": "2026-01-31", "amount_minor": 10000}, ...]
    Column("made_on", Date, nullable=False),
    Column("invoices", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("version", Integer, nullable=False, server_default="1"),
)
Index("ix_payment_plans_customer", payment_plans.c.customer_id, payment_plans.c.status)

disputes = Table(
    "disputes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_number", String(64), ForeignKey("invoices.number"), nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),  # the disputed amount's, else the invoice's
    Column("reason", String(32), nullable=False),
    Column("amount_minor", BigInteger, nullable=True),  # null: the whole invoice
    Column("opened_on", Date, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("outcome", String(16), nullable=False, server_default=""),
    Column("resolved_on", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("amount_minor is null or amount_minor > 0", name="amount_positive"),
)
Index("ix_disputes_customer", disputes.c.customer_id, disputes.c.status)
Index("ix_disputes_invoice", disputes.c.invoice_number)

holds = Table(
    "holds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("until", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("released_on", Date, nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
)
Index("ix_holds_customer", holds.c.customer_id)

settlements = Table(
    "settlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("offered_on", Date, nullable=False),
    Column("invoices", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="offered"),
    Column("version", Integer, nullable=False, server_default="1"),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
Index("ix_settlements_customer", settlements.c.customer_id, settlements.c.status)

case_steps = Table(
    "case_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_number", String(64), ForeignKey("invoices.number"), nullable=False),
    Column("step", String(64), nullable=False),
    Column("on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("outbox_key", String(400), nullable=False, server_default=""),
    UniqueConstraint("invoice_number", "step", name="uq_case_steps_invoice_step"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False, unique=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("step", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("cycle", String(200), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("not_before", UTCDateTime(), nullable=True),
    Column("error", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=True),
)
# The dispatcher's queue, and the last item sent per case and action.
Index("ix_outbox_due", outbox.c.status, outbox.c.not_before)
Index("ix_outbox_case", outbox.c.customer_id, outbox.c.currency, outbox.c.action, outbox.c.as_of)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False, server_default=""),
    Column("due", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("key", String(400), nullable=False, server_default=""),
    Column("step", String(64), nullable=False, server_default=""),
    Column("invoices", JSON, nullable=False),
    Column("assignee", String(254), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="open"),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False, server_default=func.current_timestamp()),
    Column("closed_at", UTCDateTime(), nullable=True),
    # the worklist's priority as worked out on ``scored_on`` (services.worklist.rescore); a float, never money
    Column("score", Float, nullable=True),
    Column("scored_on", Date, nullable=True),
)
Index("ix_tasks_status_due", tasks.c.status, tasks.c.due)
# Raising a task twice is a no-op: one open task per (kind, case, key).
Index(
    "ix_tasks_open_key",
    tasks.c.kind,
    tasks.c.customer_id,
    tasks.c.currency,
    tasks.c.key,
    unique=True,
    sqlite_where=tasks.c.status == literal_column("'open'"),
    postgresql_where=tasks.c.status == literal_column("'open'"),
)
Index("ix_tasks_customer", tasks.c.customer_id, tasks.c.status)
Index("ix_tasks_status_assignee", tasks.c.status, tasks.c.assignee)

checklist_answers = Table(
    "checklist_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("question", String(200), nullable=False),
    Column("answer", Boolean, nullable=False),
    Column("by", String(254), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)
# Append-only by use: the latest answer to a question wins.
Index("ix_checklist_answers_customer", checklist_answers.c.customer_id, checklist_answers.c.currency)

approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("step", String(64), nullable=False),
    Column("by", String(254), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("used_on", Date, nullable=True),
)
Index("ix_approvals_customer", approvals.c.customer_id, approvals.c.currency, approvals.c.step)

run_locks = Table(
    "run_locks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(254), nullable=False),
    Column("acquired_at", UTCDateTime(), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("email", String(254), primary_key=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", UTCDateTime(), nullable=False),
    CheckConstraint("role IN ('admin', 'collector', 'sales', 'viewer')", name="role"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_email", String(254), ForeignKey("users.email"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

app_secrets = Table(
    "app_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

bank_lines = Table(
    "bank_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("account", String(64), nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("value_date", Date, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("counterparty_name", String(200), nullable=False, server_default=""),
    Column("counterparty_iban", String(34), nullable=False, server_default=""),
    Column("remittance", Text, nullable=False, server_default=""),
    Column("creditor_reference", String(64), nullable=False, server_default=""),
    Column("end_to_end_id", String(64), nullable=False, server_default=""),
    Column("bank_reference", String(64), nullable=False, server_default=""),
    Column("source", String(300), nullable=False, server_default=""),
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False),
    Column("customer_id", String(64), nullable=True),
    Column("payment_reference", String(64), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("suggestions", JSON, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("decided_by", String(254), nullable=False, server_default=""),
    CheckConstraint("amount_minor > 0", name="amount_positive"),
)
Index("ix_bank_lines_status", bank_lines.c.status, bank_lines.c.booking_date)

payer_ibans = Table(
    "payer_ibans",
    metadata,
    Column("iban", String(34), primary_key=True),
    Column("customer_id", String(64), ForeignKey("customers.id"), primary_key=True),
    Column("learnt_by", String(254), nullable=False),
    Column("learnt_at", UTCDateTime(), nullable=False),
)
