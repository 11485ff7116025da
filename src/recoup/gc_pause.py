"""Python's cyclic garbage collector paused while a batch makes many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_gc() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while: a large batch makes millions of small
    objects (an item per open invoice, candidates, rows, amounts) that hold no cycles, and
    collecting scanned them again and again, more often the more there were (a quarter of the
    time of 100,000 statement lines, a third of building a 1M ledger's aging). Objects are
    still freed as usual by reference counting; cycles wait until the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
