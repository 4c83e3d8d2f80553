"""A job the server runs in the background, run here as its own process on a power-cut
disk, so that a cut can land in its middle: `python -m tests.powerjobs retention DATA_DIR`
runs the real retention purge (chat/core/site/retention.py) as its daily run would, two days
from now, on a server app started without a listening socket."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from aiohttp import web

from chat.app import create_app
from chat.core.site import retention
from chat.keys import core_key
from chat.settings import Settings


async def purge(data_dir: Path) -> None:
    runner = web.AppRunner(create_app(Settings(data_dir=data_dir)))
    await runner.setup()
    try:
        purged = await retention.purge_expired(
            runner.app[core_key], at=datetime.now(UTC) + timedelta(days=2)
        )
    finally:
        await runner.cleanup()
    print(f"purged {purged.messages} messages and {purged.files} files")


if __name__ == "__main__":
    if sys.argv[1:2] != ["retention"] or len(sys.argv) != 3:
        sys.exit("usage: python -m tests.powerjobs retention DATA_DIR")
    asyncio.run(purge(Path(sys.argv[2])))
