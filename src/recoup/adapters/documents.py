"""Copies of what was sent, stored by content: the evidence of every message and letter.

A document is stored once under ``folder/<first two hex digits>/<sha256>.<suffix>``
and referred to as ``sha256:<hex>.<suffix>``. Nothing is ever rewritten: the
same bytes put twice are stored once, and reading a copy checks its hash, so
a file changed after the fact is reported, never returned.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_REF = re.compile(r"^sha256:(?P<hex>[0-9a-f]{64})\.(?P<suffix>[A-Za-z0-9]{1,16})$")


class DocumentError(Exception):
    """A reference that is malformed, missing, or whose content no longer matches its hash."""


class DocumentStore:
    """Content-addressed files in ``folder`` (created when the first document is stored)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def put(self, data: bytes, *, suffix: str) -> str:
        """Store ``data`` (once) and return its reference ``sha256:<hex>.<suffix>``."""
        suffix = suffix.lstrip(".")
        digest = hashlib.sha256(data).hexdigest()
        ref = f"sha256:{digest}.{suffix}"
        target = self.path(ref)
        if target.exists():
            return ref
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=f".{suffix}")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return ref

    def get(self, ref: str) -> bytes:
        """The stored bytes of ``ref``; DocumentError if missing or if they no longer match the hash."""
        target = self.path(ref)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"no stored document {ref} (looked in {target})") from None
        found = hashlib.sha256(data).hexdigest()
        if found != _parse(ref)[0]:
            raise DocumentError(f"the stored copy {target} was changed: its SHA-256 is now {found}")
        return data

    def path(self, ref: str) -> Path:
        """Where the document ``ref`` is (or would be) stored."""
        digest, suffix = _parse(ref)
        return self.folder / digest[:2] / f"{digest}.{suffix}"


def _parse(ref: str) -> tuple[str, str]:
    match = _REF.match(ref)
    if match is None:
        raise DocumentError(f"not a document reference: {ref!r} (expected sha256:<hex>.<suffix>)")
    return match["hex"], match["suffix"]


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
