"""Reading the desk's forms: each field checked, and a bad one named in the error.

A form posts text; these turn it into values or raise ``InvalidInputError`` with the field's name,
so the page can point at the field and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from starlette.datastructures import FormData

from recoup.domain.errors import InvalidInputError
from recoup.domain.money import Money
from recoup.services import fields

MAX_TEXT = 2000


class Form:
    """The posted fields, read one at a time by name."""

    def __init__(self, data: FormData) -> None:
        self.data = data

    def values(self) -> dict[str, str]:
        """The fields as posted (the last value of a repeated one), to fill the form again."""
        return {k: str(v) for k, v in self.data.items() if k != "csrf_token"}

    def text(self, name: str, *, required: bool = False, max_len: int = MAX_TEXT) -> str:
        value = str(self.data.get(name) or "").strip()
        try:
            return fields.text(value, required=required, max_len=max_len)
        except fields.FieldError as exc:
            raise InvalidInputError(f"{name}: {exc}", field=name) from None

    def many(self, name: str) -> list[str]:
        """A repeated field (checkboxes, a multiple select), without blanks."""
        return [str(v).strip() for v in self.data.getlist(name) if str(v).strip()]

    def choice(self, name: str, options: Sequence[str], *, default: str | None = None) -> str:
        value = str(self.data.get(name) or "").strip()
        if not value and default is not None:
            return default
        if value not in options:
            shown = f"{value!r} is not" if value else "choose"
            raise InvalidInputError(f"{name}: {shown} one of {', '.join(options)}", field=name)
        return value

    def day(self, name: str, *, required: bool = True) -> dt.date | None:
        value = str(self.data.get(name) or "").strip()
        try:
            return fields.date(value, required=required)
        except fields.FieldError as exc:
            raise InvalidInputError(f"{name}: {exc}", field=name) from None

    def required_day(self, name: str) -> dt.date:
        found = self.day(name, required=True)
        assert found is not None
        return found

    def integer(self, name: str, *, low: int, high: int, required: bool = True) -> int | None:
        value = str(self.data.get(name) or "").strip()
        if not value and required:
            raise InvalidInputError(f"{name}: is required (a whole number)", field=name)
        try:
            return fields.integer(value, low=low, high=high)
        except fields.FieldError as exc:
            raise InvalidInputError(f"{name}: {exc}", field=name) from None

    def money(self, name: str, currency: str, *, required: bool = True) -> Money | None:
        value = str(self.data.get(name) or "").strip()
        if not value and not required:
            return None
        try:
            return fields.amount(value, currency)
        except fields.FieldError as exc:
            raise InvalidInputError(f"{name}: {exc}", field=name) from None

    def version(self) -> int:
        """The case version the form was made from (``services.versions``)."""
        value = self.integer("version", low=0, high=2**62)
        assert value is not None
        return value
