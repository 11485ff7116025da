"""What the web tests share: the users of each role, their password, and loading the examples."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup.entrypoints.cli import app as cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = "2026-11-23T09:00:00+00:00"
PASSWORD = "correct horse battery"
USERS = {
    "admin": "ada@supplier.example",
    "collector": "carl@supplier.example",
    "sales": "anna.weber@supplier.example",  # owns ACME-DE in the examples
    "viewer": "vera@supplier.example",
}


class DeskClient(TestClient):
    """A client signed in with a session; ``csrf`` is the session's CSRF token."""

    csrf: str = ""


def load_examples(db: str) -> None:
    for kind in ("customers", "contacts", "invoices", "payments"):
        result = CliRunner().invoke(cli, ["import", kind, str(EXAMPLES / f"{kind}.csv"), "--db", db])
        assert result.exit_code == 0, result.output
