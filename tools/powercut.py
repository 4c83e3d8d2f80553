#!/usr/bin/env python3
"""Hundreds of simulated power cuts of a real Teahouse server, by hand (docs/durability.md).

The server's data directory is on tests/powerfs.py, a FUSE file system that forgets
whatever was not fsync'd when the power goes. Each cut falls at a random moment of one
write path, in turn: live traffic over every dialect (sends, edits, reactions, read
marks, uploads), start-up and the search index's catch-up batch, a live backup, a
restore, vacuum, the retention purge, and, each on an empty disk of its own, the
first start (data directory and secret) and a migration from a random older schema.
After each cut the server starts again on what is left and everything it ever
acknowledged is checked (tests/powercheck.py). Prints the figures; exits 1 if any cut
lost or broke something, 2 if FUSE cannot be mounted here.

Needs root (or a user allowed to mount FUSE), /dev/fuse and Debian's fuse3.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.powercut import CUT_POINTS, FRESH_CUT_POINTS, Site  # noqa: E402
from tests.powerdisk import fuse_unavailable  # noqa: E402

EXAMPLE = """example:
  python tools/powercut.py --cuts 200            # about 15 minutes on a quiet machine
  python tools/powercut.py --cuts 30 --mode torn --seed 7"""
FRESH_EVERY = 8  # one cut in this many is a first start or a migration, on a new disk
SITE_CUTS = 40  # a site's data grows with every cut: start a new one after this many


async def run(args, root: Path) -> tuple[collections.Counter, list[Site]]:
    tried: collections.Counter = collections.Counter()
    sites: list[Site] = []
    started = time.monotonic()
    try:
        for n in range(args.cuts):
            if time.monotonic() - started > args.minutes * 60:
                print(f"stopping after {args.minutes:g} minutes", flush=True)
                break
            fresh = n % FRESH_EVERY == FRESH_EVERY - 1
            site = sites[-1] if sites else None
            if site is None or fresh or site.cuts >= SITE_CUTS or site.fresh:
                if site is not None:
                    site.disk.close()
                mode = args.mode if args.mode != "mixed" else ("lose", "torn", "reorder")[n % 3]
                site = Site(root / f"site-{n}", mode=mode, seed=args.seed + n, fresh=fresh)
                sites.append(site)
                site.disk.mount()
            points = FRESH_CUT_POINTS if fresh else CUT_POINTS
            index = n // FRESH_EVERY if fresh else n
            name = list(points)[index % len(points)]
            before = len(site.problems)
            await points[name](site)
            tried[name] += 1
            print(
                f"cut {n + 1}: {name} ({site.mode}) "
                f"{'ok' if len(site.problems) == before else 'PROBLEMS'}",
                flush=True,
            )
            for problem in site.problems[before : before + 5]:
                print(f"  {problem}", flush=True)
    finally:
        if sites:
            sites[-1].disk.close()
    return tried, sites


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--cuts", type=int, default=200, help="how many power cuts (default 200)")
    parser.add_argument(
        "--mode",
        choices=("lose", "torn", "reorder", "mixed"),
        default="mixed",
        help="what of the unsynced writes survives a cut (default: each in turn)",
    )
    parser.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(3), "big"))
    parser.add_argument("--minutes", type=float, default=30.0, help="stop after this long")
    args = parser.parse_args()
    reason = fuse_unavailable()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="teahouse-powercut-") as root:
        tried, sites = asyncio.run(run(args, Path(root)))
    checked = sum(site.checked for site in sites)
    problems = [problem for site in sites for problem in site.problems]
    print(
        f"\nseed {args.seed}, {sum(tried.values())} cuts in {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{name} {count}" for name, count in tried.items())
    )
    acknowledged = sum(site.ledger.count() for site in sites)
    print(
        f"acknowledged items: {acknowledged}, each checked after every later cut of its site "
        f"({checked} checks); problems: {len(problems)}"
    )
    for problem in problems[:50]:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
