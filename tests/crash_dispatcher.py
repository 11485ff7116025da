"""A dispatcher process for the crash test: sends through a channel that writes to a file.

    python tests/crash_dispatcher.py DB_URL WORLD_FILE

The file is "the world": each line is one message that left the machine
(flushed and fsynced before the channel returns). The test kills this
process with SIGKILL at random moments and checks the world afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

from recoup.adapters.db.engine import make_engine
from recoup.adapters.db.uow import SqlUnitOfWorkFactory
from recoup.domain.ladder import OutboxItem
from recoup.services.dispatch import dispatch
from recoup.services.ports import Receipt


class WorldChannel:
    def __init__(self, world: Path) -> None:
        self.world = world

    def send(self, item: OutboxItem) -> Receipt:
        time.sleep(random.uniform(0, 0.02))
        with self.world.open("a", encoding="utf-8") as f:
            f.write(item.key + "\n")
            f.flush()
            os.fsync(f.fileno())
        time.sleep(random.uniform(0, 0.02))
        return Receipt(f"sent {item.key}")


def main() -> None:
    url, world = sys.argv[1], Path(sys.argv[2])
    engine = make_engine(url)
    channel = WorldChannel(world)
    print("ready", flush=True)
    dispatch(
        SqlUnitOfWorkFactory(engine),
        {"email": channel, "letter": channel, "notify_sales": channel},
        now=lambda: dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC),
    )
    print("done", flush=True)


if __name__ == "__main__":
    main()
