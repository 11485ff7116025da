"""engine: promises, payment plans, disputes, holds, settlements, ladder steps, outbox, tasks,
checklist answers, approvals and the run lock

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from recoup.adapters.db.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=254), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_run_locks")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_approvals_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index("ix_approvals_customer", ["customer_id", "currency", "step"], unique=False)

    op.create_table(
        "checklist_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("answer", sa.Boolean(), nullable=False),
        sa.Column("by", sa.String(length=254), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_checklist_answers_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_answers")),
    )
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.create_index("ix_checklist_answers_customer", ["customer_id", "currency"], unique=False)

    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_holds_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index("ix_holds_customer", ["customer_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("cycle", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("not_before", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_outbox_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_case", ["customer_id", "currency", "action", "as_of"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "not_before"], unique=False)

    op.create_table(
        "payment_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("installments", sa.JSON(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("invoices", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payment_plans_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_plans")),
    )
    with op.batch_alter_table("payment_plans", schema=None) as batch_op:
        batch_op.create_index("ix_payment_plans_customer", ["customer_id", "status"], unique=False)

    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("invoices", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_promises_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_promises_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index("ix_promises_customer", ["customer_id", "status"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("invoices", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="offered", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_settlements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_settlements_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index("ix_settlements_customer", ["customer_id", "status"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="", nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=400), server_default="", nullable=False),
        sa.Column("step", sa.String(length=64), server_default="", nullable=False),
        sa.Column("invoices", sa.JSON(), nullable=False),
        sa.Column("assignee", sa.String(length=254), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tasks_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_customer", ["customer_id", "status"], unique=False)
        batch_op.create_index(
            "ix_tasks_open_key",
            ["kind", "customer_id", "currency", "key"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.create_index("ix_tasks_status_assignee", ["status", "assignee"], unique=False)

    op.create_table(
        "case_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outbox_key", sa.String(length=400), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_number"], ["invoices.number"], name=op.f("fk_case_steps_invoice_number_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
        sa.UniqueConstraint("invoice_number", "step", name="uq_case_steps_invoice_step"),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("outcome", sa.String(length=16), server_default="", nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "amount_minor is null or amount_minor > 0", name=op.f("ck_disputes_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_disputes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_number"], ["invoices.number"], name=op.f("fk_disputes_invoice_number_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index("ix_disputes_customer", ["customer_id", "status"], unique=False)
        batch_op.create_index("ix_disputes_invoice", ["invoice_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index("ix_disputes_invoice")
        batch_op.drop_index("ix_disputes_customer")

    op.drop_table("disputes")
    op.drop_table("case_steps")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_assignee")
        batch_op.drop_index(
            "ix_tasks_open_key",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_tasks_customer")

    op.drop_table("tasks")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_settlements_customer")

    op.drop_table("settlements")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index("ix_promises_customer")

    op.drop_table("promises")
    with op.batch_alter_table("payment_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_plans_customer")

    op.drop_table("payment_plans")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index("ix_outbox_case")

    op.drop_table("outbox")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index("ix_holds_customer")

    op.drop_table("holds")
    with op.batch_alter_table("checklist_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_answers_customer")

    op.drop_table("checklist_answers")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_approvals_customer")

    op.drop_table("approvals")
    op.drop_table("run_locks")
