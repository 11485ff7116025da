"""Settings from the environment (``RECOUP_*``) and an optional ``recoup.toml``, built on demand."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What a deployment configures. Nothing here is read at import time."""

    model_config = SettingsConfigDict(env_prefix="RECOUP_", extra="ignore", env_nested_delimiter="__")

    db: str = Field(default="recoup.db", description="SQLite file path or SQLAlchemy URL")
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
        "RECOUP_ADVICE__AGENCY_FEE_GB=0.12 or RECOUP_ADVICE='{\"p_win\": \"0.7\"}'",
    )

    @field_validator("policies", "rates", mode="before")
    @classmethod
    def _no_empty_policies(cls, value: object) -> object:
        return None if value == "" else value


def load_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
