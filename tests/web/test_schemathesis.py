"""Schemathesis against the app's OpenAPI description: no operation answers with a server error.

Every operation under /api gets generated requests, signed in as the admin with a Bearer token, on
the examples' database; the only check is ``not_a_server_error``. The requests are drawn from four
sources: valid ones (positive), invalid ones (negative), and both again with the path naming
records that exist (ACME-DE, INV-1001, id 1), so the writes reach the services instead of stopping
at a 404. The examples are few and derandomized (a fixed seed): the run is the same each time and
takes well under a minute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from web_world import NOW, PASSWORD, USERS, load_examples

from recoup import bootstrap
from recoup.entrypoints.web.app import create_app
from recoup.services import users

EXAMPLES_PER_OPERATION = 25
KNOWN = {
    "customer_id": "ACME-DE",
    "number": "INV-1001",
    "contact_id": 1,
    "dispute_id": 1,
    "hold_id": 1,
    "settlement_id": 1,
    "task_id": 1,
}


def requests(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    known = {k: v for k, v in KNOWN.items() if "{" + k + "}" in operation.path} or None
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known),
    )


@pytest.mark.slow
def test_no_api_operation_answers_with_a_server_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOUP_NOW", NOW)
    db = str(tmp_path / "fuzz.db")
    load_examples(db)
    built = bootstrap.build(db)
    with built.uow() as uow:
        users.add_user(uow, USERS["admin"], "admin", password=PASSWORD, at=built.now())
        _, token = users.issue_token(uow, USERS["admin"], "schemathesis", at=built.now())
        uow.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(built))
    auth = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/") or operation.path.startswith(
            ("/api/session", "/api/tokens")
        ):
            continue  # signing out or revoking the token would end the run's own session
        operations += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=requests(operation))
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, then fail once
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 40
    assert not failures, "\n\n".join(failures)
