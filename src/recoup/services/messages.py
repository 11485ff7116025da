"""The words of a message, from an outbox item's payload: plain text that states everything.

Practice 2: every message says the amount due per invoice and in total, the
due dates, what is disputed or promised (shown as such), the terms that
apply, how to pay, how to dispute or promise, and what happens next and when.
The words come from the templates (``services.rendering``), in the customer's
language; this is what the recording channel keeps as the copy.
"""

from __future__ import annotations

from typing import Any

from recoup.services import rendering


def render_text(payload: dict[str, Any]) -> tuple[str, str]:
    """The subject and body of the message an outbox payload describes."""
    return rendering.render_text(payload)
