#!/usr/bin/env python3
"""Where a server process's CPU goes, by part, from py-spy's raw samples (issue 32: the
Redis bus's cost per process): bench/scale_out.py --py-spy writes py-spy<N>.txt per
server process; this reads them.

  python bench/spy_parts.py /tmp/teahouse-scale-out-*/config-*/py-spy*.txt

A sample counts once, for the first part its stack shows, in this order (so the fan-out
of an event heard on the bus is fan-out, and the event log's insert is the bus's):

  fan-out     the hub: rendering an event per dialect, queueing and writing frames
  bus decode  turning a bus item back into an event (chat/scale/codec.py decode)
  bus publish numbering and logging events in the commit, encoding, the PUBLISH writes
  shared limits  rate limits and sign-in throttles kept in Redis (chat/scale/stores.py)
  bus receive reading the bus: Redis pub/sub, splitting items, the sequencer
  database    the writer and reads (chat/db/, aiosqlite, asyncpg)
  http+ws     aiohttp: requests, socket frames in, handlers
  core        the rules (chat/core/ and the rest of chat/ not named above)
  event loop  asyncio itself: epoll, callbacks, transports' reads and writes
  other       the rest (threads' own frames, logging)

Idle samples (the loop waiting in epoll) are left out: py-spy records only busy ones
unless --idle. Prints one Markdown row per file, in percent of its busy samples.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# (part, pattern on one frame "function (path:line)"), in the order of precedence.
PARTS = (
    ("fan-out", r"\((?:chat/hub\.py|chat/live/|chat/web/sockets\.py|chat/web/wsframes\.py)"),
    ("bus decode", r"^(?:decode|_built|_dataclass|_tupled) \(chat/scale/codec\.py"),
    (
        "bus publish",
        r"^(?:Backplane\.(?:record|committed|_post|_post_command|_send_loop|_framed)"
        r"|encode|_plain|_fields) \(chat/scale/",
    ),
    ("shared limits", r"\(chat/scale/stores\.py"),  # rate limits kept in Redis
    ("bus receive", r"\(chat/scale/(?:backplane|roster|sequencer|shared)\.py|\(redis/"),
    ("database", r"\((?:chat/db/|aiosqlite/|asyncpg/|sqlite3/)"),
    ("http+ws", r"\(aiohttp/|\(chat/(?:web|api|wire)/"),
    ("core", r"\(chat/"),
    ("event loop", r"\(asyncio/|\(selectors\.py"),
)
ORDER = [name for name, _ in PARTS] + ["other"]
SAMPLE_RATE = 250  # samples a second: bench/scale_out.py's py-spy --rate
MATCHERS = [(name, re.compile(pattern)) for name, pattern in PARTS]


def part_of(stack: str) -> str:
    frames = stack.split(";")
    for name, pattern in MATCHERS:
        if any(pattern.search(frame) for frame in frames):
            return name
    return "other"


def parts(path: Path) -> tuple[Counter, int]:
    """Samples per part in one py-spy raw file ("frame;frame;... count" a line)."""
    counts: Counter = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[part_of(stack)] += int(count)
    return counts, sum(counts.values())


def header() -> str:
    return (
        "| process | busy samples | " + " | ".join(ORDER) + " |\n|---|---:|" + "---:|" * len(ORDER)
    )


def row(label: str, path: Path, messages: int = 0) -> str:
    """Shares of the busy samples; with `messages` (sent while py-spy sampled at
    SAMPLE_RATE), µs of CPU per message instead."""
    counts, total = parts(path)
    if messages:
        cells = (f"{counts[name] / SAMPLE_RATE / messages * 1e6:.0f} µs" for name in ORDER)
    else:
        cells = (f"{100 * counts[name] / max(total, 1):.1f} %" for name in ORDER)
    return f"| {label} | {total} | {' | '.join(cells)} |"


def main(paths: list[str]) -> None:
    print(header())
    for name in paths:
        print(row(name, Path(name)))


if __name__ == "__main__":
    main(sys.argv[1:])
