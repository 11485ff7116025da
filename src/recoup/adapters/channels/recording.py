"""A channel that sends nothing: it records the rendered message as the copy in the activity log.

It is the channel of ``recoup run`` until email and letters are configured,
and of every simulation: whatever it is given is written down, nothing
leaves the machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from recoup.domain.ladder import OutboxItem
from recoup.services.messages import render_text
from recoup.services.ports import Documents, Receipt


class RecordingChannel:
    """Records each item; with a document store, its rendered copy is stored there too (the evidence)."""

    def __init__(
        self,
        name: str = "recorded",
        *,
        documents: Documents | None = None,
        render: Callable[[dict[str, Any]], tuple[str, str]] | None = None,
    ) -> None:
        """``render`` gives the subject and text of a payload; default: the shipped templates, with no
        link to the customer page (the installation's renderer has it: run_cli.channels)."""
        self.name = name
        self.documents = documents
        self.render = render or render_text

    def send(self, item: OutboxItem) -> Receipt:
        subject, body = self.render(item.payload)
        recipients = item.payload.get("recipients", [])
        copies = item.payload.get("copies", [])
        to = ", ".join(recipients) or "nobody"
        summary = f"{item.action} '{item.step}' ({self.name}) to {to}: {subject}"
        data: dict[str, object] = {
            "subject": subject,
            "body": body,
            "recipients": recipients,
            "copies": copies,
            "channel": self.name,
        }
        document = f"outbox:{item.key}"
        if self.documents is not None:
            copy = _copy(item, subject, body)
            document = self.documents.put(copy, suffix="txt")
            data["sha256"] = hashlib.sha256(copy).hexdigest()
        return Receipt(summary, document=document, data=data)


def _copy(item: OutboxItem, subject: str, body: str) -> bytes:
    """The recorded message as a UTF-8 text document: who it was for, the subject, the words."""
    head = [
        f"Outbox-Key: {item.key}",
        f"Action: {item.action}",
        f"To: {', '.join(item.payload.get('recipients', []))}",
    ]
    if item.payload.get("copies"):
        head.append(f"Cc: {', '.join(item.payload['copies'])}")
    head.append(f"Subject: {subject}")
    return ("\n".join([*head, "", body]) + "\n").encode("utf-8")
