"""CPU cost of one hub.publish to N sockets, without the network: how much the fan-out
itself costs, to compare two trees (e.g. before and after adding a counter).

    python bench/fanout.py [--sockets 1000] [--repeats 15]
    PYTHONPATH=/path/to/other/tree python bench/fanout.py   # the other tree's hub

Prints the median and the best of the repeats, in microseconds per publish. Run both
trees alternately a few times: on a shared machine single runs vary by tens of percent.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

# Last on the path: a tree named in PYTHONPATH comes first and is the one measured.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from chat.events import MessagePosted  # noqa: E402
from chat.hub import Hub  # noqa: E402
from chat.live.client import Connection, Seat  # noqa: E402
from chat.models import Message, Room, User  # noqa: E402

PUBLISHES = 200


class Channels:
    name = "channels"

    def render(self, event) -> str:
        return '{"type":"chat_message"}'


class Keeping:
    """A client that keeps up: every frame is written at once, to nowhere."""

    def ready(self) -> bool:
        return True

    def behind_for(self) -> float:
        return 0.0

    def write(self, batch: list[str]) -> None:
        pass


async def measure(sockets: int, repeats: int) -> list[float]:
    hub = Hub()
    room = Room(1, "r", "r", "", "public", False, 10**6, True, None, "", "")
    for uid in range(sockets):
        conn = Connection(User(uid, f"u{uid}", "", None, False), Channels(), 10**9, lambda c: None)
        conn.seats[room.id] = Seat(room)
        hub.attach(conn)
        conn.sink = Keeping()
    sender = User(0, "u0", "", None, False)
    event = MessagePosted(
        room.id,
        Message(
            1,
            room.id,
            "r",
            "r",
            sender,
            "text",
            "hi",
            None,
            None,
            None,
            None,
            None,
            None,
            False,
            False,
            "",
            "",
        ),
    )
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(PUBLISHES):
            hub.publish(event)
            hub._flush()
        timings.append((time.perf_counter() - started) / PUBLISHES * 1e6)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    timings = asyncio.run(measure(args.sockets, args.repeats))
    import chat

    print(
        f"{Path(chat.__file__).parents[1]}: {args.sockets} sockets: "
        f"median {statistics.median(timings):.0f} us, "
        f"best {min(timings):.0f} us per publish"
    )


if __name__ == "__main__":
    main()
