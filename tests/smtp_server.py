"""A real SMTP server on loopback for the tests (aiosmtpd), that keeps what it receives.

    with smtp_server() as server:
        server.fail("421 4.3.2 try again later", stage="DATA", times=1)   # transient, once
        server.fail("550 5.1.1 mailbox unavailable", rcpt="ap@c1.example")  # permanent, always
        ... send to ("127.0.0.1", server.port) without TLS ...
        (message,) = server.received

No TLS and no login: the channel under test is configured with tls='none'.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server got it: the envelope and the DATA bytes (dot-unstuffed)."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Rule:
    reply: str
    stage: Literal["RCPT", "DATA", "MAIL"]
    rcpt: str | None = None
    times: int | None = None  # None: always


@dataclass
class Collector:
    """The handler: answers as told, and collects the messages it accepts."""

    received: list[Received] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    attempts: int = 0

    def fail(
        self,
        reply: str,
        *,
        stage: Literal["RCPT", "DATA", "MAIL"] = "RCPT",
        rcpt: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer ``reply`` (e.g. '550 5.1.1 no such user') at ``stage`` (for ``rcpt`` only when given),
        ``times`` times or always."""
        self.rules.append(Rule(reply, stage, rcpt, times))

    def _rule(self, stage: str, rcpt: str | None = None) -> str | None:
        for rule in self.rules:
            if rule.stage != stage or (rule.rcpt is not None and rule.rcpt != rcpt):
                continue
            if rule.times is not None:
                if rule.times <= 0:
                    continue
                rule.times -= 1
            return rule.reply
        return None

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.attempts += 1
        reply = self._rule("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        reply = self._rule("RCPT", address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._rule("DATA")
        if reply:
            return reply
        data = envelope.original_content
        assert isinstance(data, bytes)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self, controller: Controller, handler: Collector) -> None:
        self.controller, self.handler = controller, handler
        self.host = "127.0.0.1"
        self.port = int(controller.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def fail(self, reply: str, **kw: Any) -> None:
        self.handler.fail(reply, **kw)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """A server on a free loopback port, stopped afterwards."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller, handler)
    finally:
        controller.stop()
