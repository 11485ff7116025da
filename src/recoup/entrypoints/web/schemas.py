"""Request and answer shapes of the API (pydantic), kept apart from the domain and the tables.

Money travels as a decimal string with its currency ("1234.50", "EUR"), never
as a JSON number, so no client rounds it through a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

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
