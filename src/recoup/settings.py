"""Settings from the environment (``RECOUP_*``) and an optional ``recoup.toml``, built on demand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What a deployment configures. Nothing here is read at import time."""

    model_config = SettingsConfigDict(env_prefix="RECOUP_", extra="ignore", env_nested_delimiter="__")

    db: str = Field(default="recoup.db", description="SQLite file path or SQLAlchemy URL")
    now: dt.datetime | None = Field(
        default=None,
        description="a fixed clock (ISO 8601 with offset) for replays and tests, never in production",
    )
    home_country: str = Field(default="DE", description="country for customers imported without one")
    policies: Path | None = Field(
        default_factory=lambda: Path("policies") if Path("policies").is_dir() else None,
        description="folder of collection policies (*.toml); default: ./policies if it exists",
    )
    rates: Path | None = Field(
        default_factory=lambda: Path("rates") if Path("rates").is_dir() else None,
        description="folder of the user's rate tables (*.csv) added to the shipped ones; default: ./rates",
    )

    advice: dict[str, str] = Field(
        default_factory=dict,
        description="changes to the advice's assumptions (law.advice.Assumptions), e.g. "
        'RECOUP_ADVICE__AGENCY_FEE_GB=0.12 or RECOUP_ADVICE=\'{"p_win": "0.7"}\'',
    )

    documents: Path = Field(
        default=Path("recoup-documents"),
        description="folder of the copies of every message and letter sent (content-addressed, SHA-256)",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server; none: messages are only recorded")
    smtp_port: int | None = Field(
        default=None, description="SMTP port (default 587, 465 for ssl, 25 for none)"
    )
    smtp_user: str | None = Field(default=None, description="SMTP login (none: no login)")
    smtp_password: str | None = Field(default=None, description="SMTP password")
    smtp_tls: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls, ssl (implicit TLS) or none"
    )
    smtp_sender: str | None = Field(default=None, description="the From address of messages")
    reply_to: str | None = Field(default=None, description="where replies go (default: the sender)")

    @property
    def smtp_port_or_default(self) -> int:
        """The SMTP port: the one set, else 465 for ssl, 25 for none, 587 for starttls."""
        if self.smtp_port:
            return self.smtp_port
        return {"ssl": 465, "none": 25}.get(self.smtp_tls, 587)

    @field_validator(
        "smtp_host", "smtp_user", "smtp_password", "smtp_sender", "reply_to", "smtp_port", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    # The creditor, as every message and letter names it, and where the customer pays.
    creditor_name: str = Field(
        default="Demo Supplier GmbH", description="the creditor's name, signs messages"
    )
    creditor_address: str = Field(
        default="Musterstraße 1\n10115 Berlin\nGermany",
        description="the creditor's postal address, one line per line (\\n between lines)",
    )
    creditor_email: str = Field(
        default="collections@supplier.example",
        description="the collections address: Reply-To of messages and the contact when no sales owner",
    )
    creditor_phone: str = Field(default="+49 30 1234567", description="the collections telephone number")
    iban: str = Field(default="DE89370400440532013000", description="the account customers pay into")
    bic: str = Field(default="COBADEFFXXX", description="the bank's BIC")
    bank_name: str = Field(default="Commerzbank", description="the bank's name")
    payment_reference_hint: str = Field(
        default="",
        description="what customers should quote as the payment reference; default: the invoice numbers",
    )
    templates: Path | None = Field(
        default=None,
        description="folder of message templates that override the shipped ones (RECOUP_TEMPLATES)",
    )

    secret_key: str = Field(
        default="",
        description="key signing web sessions and customer links (RECOUP_SECRET_KEY); default: one made "
        "on first use and kept in the database",
    )
    public_url: str = Field(
        default="",
        description="the address customers reach the server at, e.g. https://pay.supplier.example "
        "(RECOUP_PUBLIC_URL); with it every message carries a signed link to the customer page",
    )
    link_days: int = Field(default=60, ge=1, le=365, description="days a customer link stays valid")
    session_hours: int = Field(default=12, ge=1, le=24 * 30, description="hours a desk sign-in lasts")
    match_threshold: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="confidence a bank credit's match needs to be applied unreviewed",
    )

    invoice_files: Path | None = Field(
        default=None,
        description="folder of the invoices' own PDFs, named <invoice number>.pdf, attached where a step "
        "asks for the invoice (RECOUP_INVOICE_FILES)",
    )
    terms_file: Path | None = Field(
        default=None,
        description="the terms and conditions (a PDF) attached where a step asks for the terms "
        "(RECOUP_TERMS_FILE)",
    )

    @field_validator("invoice_files", "terms_file", mode="before")
    @classmethod
    def _existing(cls, value: object, info: ValidationInfo) -> object:
        if value in ("", None):
            return None
        path = Path(str(value))
        wanted = path.is_dir() if info.field_name == "invoice_files" else path.is_file()
        if not wanted:
            what = "folder" if info.field_name == "invoice_files" else "file"
            raise ValueError(f"RECOUP_{str(info.field_name).upper()}: no {what} at {path}")
        return path

    @field_validator("iban")
    @classmethod
    def _valid_iban(cls, value: str) -> str:
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            return str(IBAN(value).compact)
        except SchwiftyException as exc:
            raise ValueError(f"RECOUP_IBAN {value!r} is not a valid IBAN: {exc}") from None

    @field_validator("creditor_address", mode="before")
    @classmethod
    def _address_lines(cls, value: object) -> object:
        return value.replace("\\n", "\n") if isinstance(value, str) else value

    @field_validator("templates", mode="before")
    @classmethod
    def _no_empty_templates(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("policies", "rates", mode="before")
    @classmethod
    def _no_empty_policies(cls, value: object) -> object:
        return None if value == "" else value


def load_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
