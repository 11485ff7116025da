"""PDF from HTML with WeasyPrint, and which fonts the machine has for a language (fontconfig).

Both touch the outside world (fonts, files), so they live here rather than in the
services: ``services.letters`` renders the HTML and hands it to ``html_to_pdf``.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

# The font each script needs, and where a Debian machine gets it.
NEEDED_FONTS = {
    "ko": ("Noto Sans CJK KR", "fonts-noto-cjk"),
}


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """The PDF of ``html``; relative links (the style sheet) are resolved from ``base_url``."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(base_url)).write_pdf(hinting=True)
    assert pdf is not None
    return bytes(pdf)


@cache
def _families(language: str) -> frozenset[str]:
    """Font families fontconfig knows that cover ``language`` (empty when fc-list is absent)."""
    tool = shutil.which("fc-list")
    if tool is None:
        return frozenset()
    try:
        done = subprocess.run(
            [tool, f":lang={language}", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = {name.strip() for line in done.stdout.splitlines() for name in line.split(",")}
    return frozenset(n for n in names if n)


def missing_font(language: str) -> str:
    """A sentence naming the font a letter in ``language`` needs and the machine lacks, '' if none."""
    needed = NEEDED_FONTS.get(language)
    if needed is None:
        return ""
    family, package = needed
    found = _families(language)
    if family in found or any("CJK" in name and "Sans" in name for name in found):
        return ""
    return f"Font missing: {family} (Debian package {package}); Korean text may not print correctly."
