"""What the browser tests share: the viewports, the live server's address, and the screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recoup import bootstrap

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "desk"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Live:
    """The running desk: its base URL and the application (for looking at what it stored)."""

    url: str
    built: bootstrap.App


def shoot(page: Any, name: str) -> Path:
    """A full-page screenshot in test-output/desk; the path is printed for the record."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
