"""A channel that sends nothing: it records the rendered message as the copy in the activity log.

It is the channel of ``recoup run`` until email and letters are configured,
and of every simulation: whatever it is given is written down, nothing
leaves the machine.
"""

from __future__ import annotations

from recoup.domain.ladder import OutboxItem
from recoup.services.messages import render_text
from recoup.services.ports import Receipt


class RecordingChannel:
    def __init__(self, name: str = "recorded") -> None:
        self.name = name

    def send(self, item: OutboxItem) -> Receipt:
        subject, body = render_text(item.payload)
        recipients = item.payload.get("recipients", [])
        copies = item.payload.get("copies", [])
        to = ", ".join(recipients) or "nobody"
        summary = f"{item.action} '{item.step}' ({self.name}) to {to}: {subject}"
        return Receipt(
            summary,
            document=f"outbox:{item.key}",
            data={
                "subject": subject,
                "body": body,
                "recipients": recipients,
                "copies": copies,
                "channel": self.name,
            },
        )
