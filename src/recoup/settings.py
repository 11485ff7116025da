"""Settings from the environment (``RECOUP_*``) and an optional ``recoup.toml``, built on demand."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What a deployment configures. Nothing here is read at import time."""

    model_config = SettingsConfigDict(env_prefix="RECOUP_", extra="ignore")

    db: str = Field(default="recoup.db", description="SQLite file path or SQLAlchemy URL")
    home_country: str = Field(default="DE", description="country for customers imported without one")


def load_settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
