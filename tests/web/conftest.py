"""The server on a real SQLite file holding the examples, with one user of each role.

``api(role)`` is a client signed in with an API token of that role's user;
``desk(role)`` one signed in with a session cookie (``.csrf`` holds its token).
The clock is fixed at 2026-11-23 09:00 UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_world import NOW, PASSWORD, USERS, DeskClient, load_examples

from recoup import bootstrap
from recoup.entrypoints.web.app import create_app
from recoup.services import users


@pytest.fixture
def web_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RECOUP_NOW", NOW)
    path = str(tmp_path / "web.db")
    load_examples(path)
    return path


@pytest.fixture
def built(web_db: str) -> bootstrap.App:
    app = bootstrap.build(web_db)
    with app.uow() as uow:
        for role, email in USERS.items():
            users.add_user(uow, email, role, password=PASSWORD, name=role.title(), at=app.now())
        uow.commit()
    return app


@pytest.fixture
def server(built: bootstrap.App) -> Iterator[TestClient]:
    with TestClient(create_app(built)) as client:
        yield client


@pytest.fixture
def api(built: bootstrap.App, server: TestClient) -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(role: str) -> TestClient:
        with built.uow() as uow:
            _, token = users.issue_token(uow, USERS[role], "tests", at=built.now())
            uow.commit()
        client = TestClient(server.app, headers={"Authorization": f"Bearer {token}"})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def desk(server: TestClient) -> Iterator[Callable[[str], DeskClient]]:
    clients: list[DeskClient] = []

    def make(role: str) -> DeskClient:
        client = DeskClient(server.app)
        answer = client.post("/api/session", json={"email": USERS[role], "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.csrf = answer.json()["csrf_token"]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
