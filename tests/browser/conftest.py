"""A real server for the browser: uvicorn in a thread on a free loopback port, over a temporary SQLite
database holding the examples, one user per role, and the day's run done (so the worklist has tasks).

Debian's Chromium (``/usr/bin/chromium``, installed by ``make test``) is driven by Playwright. Without
it the browser tests are skipped with a note; when ``CI`` is set, that skip fails the run instead.
Screenshots go to ``test-output/desk`` (ignored by git).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from browser_world import Live
from web_world import NOW, PASSWORD, USERS, load_examples

from recoup import bootstrap
from recoup.adapters.channels.recording import RecordingChannel
from recoup.adapters.documents import DocumentStore
from recoup.domain.calendar import BusinessCalendar
from recoup.services import users
from recoup.services.dispatch import dispatch
from recoup.services.policies import load_book
from recoup.services.run import plan_run

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (make test does, as root)"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the browser tests must run)")
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_the_day(built: bootstrap.App) -> None:
    plan_run(
        built.uow,
        book=load_book(None),
        calendar=BusinessCalendar(),
        as_of=built.today(),
        at=built.now(),
    )
    recording = RecordingChannel(documents=DocumentStore(built.settings.documents))
    dispatch(built.uow, {"email": recording, "letter": recording, "notify_sales": recording}, now=built.now)


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chromium: Path) -> Iterator[Live]:
    import uvicorn

    from recoup.entrypoints.web.app import create_app

    monkeypatch.setenv("RECOUP_NOW", NOW)
    monkeypatch.setenv("RECOUP_DOCUMENTS", str(tmp_path / "documents"))
    db = str(tmp_path / "desk.db")
    load_examples(db)
    built = bootstrap.build(db)
    with built.uow() as uow:
        for role, email in USERS.items():
            users.add_user(uow, email, role, password=PASSWORD, name=role.title(), at=built.now())
        uow.commit()
    _run_the_day(built)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(built), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the desk server did not start")
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", built)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        built.engine.dispose()


@pytest.fixture
def browser(chromium: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            yield launched
        finally:
            launched.close()
