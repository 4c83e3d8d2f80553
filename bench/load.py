#!/usr/bin/env python3
"""Broadcast load test: Teahouse against a minimal aiohttp broadcast server.

Starts `server.py` (fresh data dir) and bench/raw_server.py as subprocesses pinned to
one core, pins itself (the load generator) to another, opens N channels sockets on one
room and runs, --repeat times:

  phase 1  paced:  --rate messages/s in total from --senders sockets for --seconds
  phase 2  acked:  --ack-senders sockets each send their next message as soon as their
                   own previous one comes back (Teahouse only echoes after COMMIT)

By default (issue 27) Teahouse's users are newcomers, one socket each in `global`: each
socket's external token names a user the server has never seen, created (and joined to
`global`) by that socket's first request; the KiB per socket then include that first
contact. --accounts registered signs users up through /api/auth/register and joins them
to a new room `bench` before the sockets open (issue 11's figures).

Every message carries a client_id "<phase>.<sender>.<seq>.<send ns>": receivers check
that every socket gets every message exactly once, in per-sender order, and measure
send->receive latency. Server CPU comes from /proc/<pid>/stat, peak RSS from VmHWM (setup MB:
VmRSS once the sockets are open, before the phases).
Both servers stay up and their runs alternate, so machine noise hits them alike;
medians over the repeats are printed, then the Teahouse/raw ratios. Run by hand, not
in CI; 127.0.0.1 only; every wait is bounded and the run exits by itself.

  python bench/load.py                       100 sockets, 3 repeats
  python bench/load.py --sockets 1000 --rate 20
  python bench/load.py --database sqlite,postgres
                                             Teahouse on SQLite, on PostgreSQL (a
                                             throwaway cluster this bench starts, on the
                                             servers' core) and the raw ceiling, side by
                                             side in one invocation (issue 32)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from postgres_site import (
    add_database_argument,
    cluster_cpu_seconds,
    cluster_if,
    databases,
    server_env,
)
from provision import add_accounts_argument, raise_file_limit, tokens_for
from servers import Server, doc_parser, pin_generator

POSTGRES_TARGET = "teahouse-pg"  # Teahouse on the bench's PostgreSQL cluster
CLIENT_ID = re.compile(r'"client_id":"([^"]+)"')
PASSWORD = "bench-password-1"
encode = json.JSONEncoder(separators=(",", ":")).encode


def parse_args(argv=None) -> argparse.Namespace:
    p = doc_parser(__doc__)
    p.add_argument(
        "--sockets",
        type=int,
        nargs="+",
        default=[100],
        help="open sockets per run; several values run one after another (default 100)",
    )
    p.add_argument(
        "--users",
        type=int,
        default=None,
        help="distinct accounts; sockets are spread over them "
        "(default: one per socket for newcomers, 100 registered)",
    )
    add_accounts_argument(
        p, "registered", "signed up and joined to a room `bench` before the sockets open"
    )
    p.add_argument(
        "--rate", type=float, default=200.0, help="phase 1 messages/s in total (default 200)"
    )
    p.add_argument("--senders", type=int, default=10, help="phase 1 sending sockets (default 10)")
    p.add_argument("--seconds", type=float, default=5.0, help="length of each phase (default 5)")
    p.add_argument(
        "--ack-senders", type=int, default=10, help="phase 2 sending sockets (default 10)"
    )
    p.add_argument(
        "--in-flight",
        type=int,
        default=1,
        help="phase 2 messages each sender keeps awaiting their echo (default 1)",
    )
    p.add_argument(
        "--phases", default="paced,acked", help="comma list of paced,acked (default both)"
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="runs per target; medians are quoted (default 3)"
    )
    p.add_argument(
        "--targets", default="teahouse,raw", help="comma list of teahouse,raw (default both)"
    )
    add_database_argument(p)
    p.add_argument(
        "--server-cpu", type=int, default=0, help="core the servers are pinned to (default 0)"
    )
    p.add_argument(
        "--client-cpu", type=int, default=1, help="core this generator is pinned to (default 1)"
    )
    p.add_argument(
        "--drain",
        type=float,
        default=15.0,
        help="seconds to wait for stragglers after a phase before counting them lost",
    )
    p.add_argument("--timeout", type=float, default=1800.0, help="hard limit for the whole bench")
    p.add_argument("--keep", action="store_true", help="keep the data dirs and server logs")
    p.add_argument(
        "--py-spy",
        type=float,
        default=0,
        metavar="SECONDS",
        help="sample Teahouse with py-spy for SECONDS from the first phase on "
        "(collapsed stacks in its work dir; implies --keep)",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="run Teahouse under cProfile (main-thread CPU time) into its work dir; implies --keep",
    )
    return p.parse_args(argv)


# -- clients ---------------------------------------------------------------
@dataclass(eq=False)
class Peer:
    index: int
    ws: aiohttp.ClientWebSocketResponse
    seen: set = field(default_factory=set)
    last_seq: dict = field(default_factory=dict)
    dups: int = 0
    reorders: int = 0
    errors: int = 0


@dataclass
class Phase:
    tag: str
    sent: set = field(default_factory=set)
    acks: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    received: int = 0
    stray: int = 0
    timeouts: int = 0
    first_send: float = 0.0
    last_receive: float = 0.0


class Bench:
    def __init__(self):
        self.peers: list[Peer] = []
        self.phase = Phase("none")
        self.tasks: list[asyncio.Task] = []

    async def close(self) -> None:
        """Close every peer's socket and wait for its reader."""
        await asyncio.gather(*(p.ws.close() for p in self.peers), return_exceptions=True)
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()

    def on_frame(self, peer: Peer, data: str) -> None:
        if '"chat_message"' not in data:
            peer.errors += '"type":"error"' in data
            return
        match = CLIENT_ID.search(data)
        if match is None:  # system messages carry no client_id
            return
        cid = match.group(1)
        now = time.monotonic_ns()
        phase = self.phase
        tag, sender, seq, sent_ns = cid.split(".")
        if tag != phase.tag:
            phase.stray += 1
            return
        if cid in peer.seen:
            peer.dups += 1
            return
        peer.seen.add(cid)
        phase.received += 1
        phase.last_receive = now
        phase.latencies.append(now - int(sent_ns))
        seq = int(seq)
        if seq < peer.last_seq.get(sender, -1):
            peer.reorders += 1
        peer.last_seq[sender] = seq
        if int(sender) == peer.index and (waiter := phase.acks.pop(cid, None)):
            waiter.set_result(None)

    async def receive(self, peer: Peer) -> None:
        async for msg in peer.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.on_frame(peer, msg.data)

    async def send(self, peer: Peer, seq: int, waiter: asyncio.Future | None = None) -> None:
        cid = f"{self.phase.tag}.{peer.index}.{seq}.{time.monotonic_ns()}"
        self.phase.sent.add(cid)
        if waiter is not None:
            self.phase.acks[cid] = waiter
        await peer.ws.send_str(
            encode({"type": "chat_message", "content": f"bench {seq}", "client_id": cid})
        )


async def register_users(http: aiohttp.ClientSession, base: str, count: int) -> list[str]:
    async def one(i: int) -> str:
        async with (
            sem,
            http.post(
                f"{base}/api/auth/register", json={"username": f"bench{i}", "password": PASSWORD}
            ) as resp,
        ):
            body = await resp.json()
            if resp.status != 201:
                raise RuntimeError(f"register bench{i}: {resp.status} {body}")
            return body["access_token"]

    sem = asyncio.Semaphore(2)  # each scrypt hash takes 16 MB
    first = await one(0)  # the site admin creates the room
    return [first, *await asyncio.gather(*(one(i) for i in range(1, count)))]


async def prepare_room(http: aiohttp.ClientSession, base: str, tokens: list[str]) -> str:
    room = await create_room(http, base, tokens[0])
    await join_all(http, base, room, tokens[1:])
    return room


async def create_room(http: aiohttp.ClientSession, base: str, token: str) -> str:
    """A new public room `bench` without a member cap worth the name; its id."""
    async with http.post(
        f"{base}/api/chat/rooms/",
        headers={"Authorization": f"Bearer {token}"},
        json={"name": "bench", "room_name": "bench", "max_members": 10000},
    ) as resp:
        body = await resp.json()
        if resp.status != 201:
            raise RuntimeError(f"create room: {resp.status} {body}")
    return str(body["id"])


async def join_all(http: aiohttp.ClientSession, base: str, room: str, tokens: list[str]) -> None:
    sem = asyncio.Semaphore(8)

    async def join(token: str) -> None:
        async with (
            sem,
            http.post(
                f"{base}/api/chat/rooms/{room}/join/", headers={"Authorization": f"Bearer {token}"}
            ) as resp,
        ):
            if resp.status not in (200, 201):
                raise RuntimeError(f"join: {resp.status} {await resp.text()}")

    await asyncio.gather(*(join(t) for t in tokens))


async def connect_peer(http: aiohttp.ClientSession, url: str, i: int, wait: float) -> Peer:
    """Socket i, once the server's greeting has arrived (within `wait` seconds)."""
    ws = await http.ws_connect(url, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=5))
    greeting = await ws.receive(timeout=wait)
    if "connection_established" not in str(greeting.data):
        raise RuntimeError(f"socket {i}: {greeting}")
    return Peer(i, ws)


async def open_sockets(
    bench: Bench,
    http: aiohttp.ClientSession,
    server: Server,
    room: str,
    tokens: list[str],
    count: int,
) -> None:
    sem = asyncio.Semaphore(20)
    ws_base = server.base.replace("http", "ws", 1)

    async def one(i: int) -> Peer:
        async with sem:
            return await connect_peer(
                http, f"{ws_base}/ws/chat/{room}/?token={tokens[i % len(tokens)]}", i, 10
            )

    bench.peers = list(await asyncio.gather(*(one(i) for i in range(count))))
    bench.tasks = [asyncio.create_task(bench.receive(p)) for p in bench.peers]
    await asyncio.sleep(1.0)  # presence frames settle before measuring


# -- phases ----------------------------------------------------------------
async def paced(bench: Bench, args) -> None:
    senders = bench.peers[: min(args.senders, len(bench.peers))]
    interval = len(senders) / args.rate
    start = time.monotonic() + 0.05
    deadline = start + args.seconds

    async def run(k: int, peer: Peer) -> None:
        seq = 0
        while (at := start + (seq + k / len(senders)) * interval) < deadline:
            if (delay := at - time.monotonic()) > 0:
                await asyncio.sleep(delay)
            await bench.send(peer, seq)
            seq += 1

    await asyncio.gather(*(run(k, p) for k, p in enumerate(senders)))


async def acked(bench: Bench, args) -> None:
    senders = bench.peers[: min(args.ack_senders, len(bench.peers))]
    deadline = time.monotonic() + args.seconds
    loop = asyncio.get_running_loop()

    counters = {peer.index: itertools.count() for peer in senders}

    async def run(peer: Peer) -> None:
        while time.monotonic() < deadline:
            waiter = loop.create_future()
            await bench.send(peer, next(counters[peer.index]), waiter)
            try:
                await asyncio.wait_for(waiter, args.drain)
            except TimeoutError:
                bench.phase.timeouts += 1
                return

    await asyncio.gather(*(run(p) for p in senders for _ in range(args.in_flight)))


async def run_phase(bench: Bench, server: Server, tag: str, driver, args) -> dict:
    for peer in bench.peers:
        peer.seen, peer.last_seq = set(), {}
    bench.phase = phase = Phase(tag)
    cpu0, client0, db0 = server.cpu_seconds(), time.process_time(), server.database_cpu()
    phase.first_send = time.monotonic_ns()
    await driver(bench, args)
    expected = len(phase.sent) * len(bench.peers)
    quiet_since, last = time.monotonic(), -1
    while phase.received < expected and time.monotonic() - quiet_since < args.drain:
        if phase.received != last:
            quiet_since, last = time.monotonic(), phase.received
        await asyncio.sleep(0.05)
    cpu = server.cpu_seconds() - cpu0
    database = server.database_cpu() - db0
    span = max(phase.last_receive - phase.first_send, 1) / 1e9
    lat = sorted(phase.latencies) or [0]
    frames = phase.received
    return {
        "messages": len(phase.sent),
        "frames": frames,
        "frames_s": frames / span,
        "messages_s": len(phase.sent) / span,
        "p50_ms": lat[len(lat) // 2] / 1e6,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1e6,
        "lost": expected - frames,
        "dup": sum(p.dups for p in bench.peers),
        "reorder": sum(p.reorders for p in bench.peers),
        "errors": sum(p.errors for p in bench.peers),
        "stray": phase.stray,
        "timeouts": phase.timeouts,
        "cpu_us_frame": cpu / max(frames, 1) * 1e6,
        "db_us_msg": database / max(len(phase.sent), 1) * 1e6,
        "server_busy": cpu / span,
        "client_busy": (time.process_time() - client0) / span,
    }


@contextlib.asynccontextmanager
async def target(kind: str, sockets: int, args):
    """A started server with its room and open sockets: (server, bench, setup RSS in MB)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"teahouse-bench-{kind}-"))
    print(f"{kind}: {sockets} sockets (logs in {workdir})", flush=True)
    site = server_env(args.cluster, workdir) if kind == POSTGRES_TARGET else None
    server = Server(kind, args.server_cpu, workdir, args.profile, site)
    if site:  # CPU per frame counts PostgreSQL's work too
        server.database_seconds = functools.partial(cluster_cpu_seconds, args.cluster)
    bench = Bench()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await server.wait_ready(http)
            if kind != "raw" and args.accounts == "registered":
                users = max(1, min(args.users or 100, sockets))
                tokens = await register_users(http, server.base, users)
                room = await prepare_room(http, server.base, tokens)
            elif kind != "raw":  # newcomers: each one's first socket creates them
                tokens, room = tokens_for(max(1, min(args.users or sockets, sockets))), "global"
            else:
                tokens, room = ["none"], "bench"
            before = server.memory_mb("VmRSS")
            await open_sockets(bench, http, server, room, tokens, sockets)
            after = server.memory_mb("VmRSS")
            print(
                f"  {kind}: RSS {before:.1f} MB before the sockets, {after:.1f} MB with them: "
                f"{(after - before) * 1024 / sockets:.1f} KiB per socket",
                flush=True,
            )
            yield server, bench, after
            await bench.close()
    finally:
        bench.cancel()
        server.stop()
        if not (args.keep or args.profile or args.py_spy):
            shutil.rmtree(workdir, ignore_errors=True)


async def bench_sockets(sockets: int, kinds: list[str], args) -> dict:
    """Both servers stay up; their runs alternate, so machine noise hits them alike."""
    results = {kind: ([], [], None) for kind in kinds}
    async with contextlib.AsyncExitStack() as stack:
        live = {
            kind: await stack.enter_async_context(target(kind, sockets, args)) for kind in kinds
        }
        phases = [
            p for p in ((0, "paced", paced), (1, "acked", acked)) if p[1] in args.phases.split(",")
        ]
        for server, _, _ in [v for k, v in live.items() if k != "raw"] if args.py_spy else ():
            server.sample(args.py_spy)
        for r in range(args.repeat):
            for slot, name, driver in phases:
                for kind, (server, bench, _) in live.items():
                    stats = await run_phase(bench, server, f"p{r}{name[0]}", driver, args)
                    results[kind][slot].append(stats)
                    report(kind, sockets, name, r, stats)
        for kind, (server, _, setup_rss) in live.items():
            results[kind] = (*results[kind][:2], (server.memory_mb("VmHWM"), setup_rss))
    return results


# -- output ----------------------------------------------------------------
def report(kind: str, sockets: int, name: str, r: int, s: dict) -> None:
    database = f" (PostgreSQL {s['db_us_msg']:.0f} us/msg)" if kind == POSTGRES_TARGET else ""
    print(
        f"  {kind:11} {sockets:5} sockets {name:5} run {r}: {s['messages']:6} msgs "
        f"{s['frames_s']:9.0f} frames/s  p50 {s['p50_ms']:7.1f} ms  p99 {s['p99_ms']:7.1f} ms  "
        f"lost {s['lost']} dup {s['dup']} reorder {s['reorder']} err {s['errors']} "
        f"timeouts {s['timeouts']}  cpu {s['cpu_us_frame']:.1f} us/frame"
        f"{database}  "
        f"server busy {s['server_busy']:.0%} client busy {s['client_busy']:.0%}  "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def summary(sockets: int, results: dict) -> None:
    print(f"\n== {sockets} sockets: medians over runs (lost/dup/reorder: totals) ==")
    print(
        f"{'target':11} {'phase':6} {'msgs/s':>8} {'frames/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'lost':>5} {'dup':>4} {'reord':>5} {'cpu us/fr':>9} {'peak MB':>8} {'setup MB':>8}"
    )
    for kind, (p1, p2, rss) in results.items():
        for name, runs in (("paced", p1), ("acked", p2)):
            if not runs:
                continue
            print(
                f"{kind:11} {name:6} {median(runs, 'messages_s'):8.0f} "
                f"{median(runs, 'frames_s'):9.0f} "
                f"{median(runs, 'p50_ms'):8.1f} {median(runs, 'p99_ms'):8.1f} "
                f"{sum(r['lost'] for r in runs):5} {sum(r['dup'] for r in runs):4} "
                f"{sum(r['reorder'] for r in runs):5} {median(runs, 'cpu_us_frame'):9.1f} "
                f"{rss[0]:8.1f} {rss[1]:8.1f}"
            )
    pairs = (("tea/raw", "teahouse", "raw"), ("pg/raw", POSTGRES_TARGET, "raw"))
    for label, a, b in (*pairs, ("pg/tea", POSTGRES_TARGET, "teahouse")):
        if {a, b} <= results.keys():
            ratios(label, results[a], results[b])


def ratios(label: str, tea: tuple, raw: tuple) -> None:
    """One target's medians over another's, phase by phase."""
    for i, name in ((0, "paced"), (1, "acked")):
        if not tea[i] or not raw[i]:
            continue
        ratio = {
            k: median(tea[i], k) / max(median(raw[i], k), 1e-9)
            for k in ("messages_s", "frames_s", "p50_ms", "p99_ms", "cpu_us_frame")
        }
        print(
            f"{label:11} {name:6} {ratio['messages_s']:8.2f} {ratio['frames_s']:9.2f} "
            f"{ratio['p50_ms']:8.2f} {ratio['p99_ms']:8.2f} {'':5} {'':4} {'':5} "
            f"{ratio['cpu_us_frame']:9.2f} {tea[2][0] / raw[2][0]:8.2f} "
            f"{tea[2][1] / raw[2][1]:8.2f}"
        )


def target_kinds(args) -> list[str]:
    """--targets with `teahouse` once per --database: teahouse (SQLite), teahouse-pg."""
    kinds = []
    for kind in [k.strip() for k in args.targets.split(",") if k.strip()]:
        if kind == "teahouse":
            kinds += [POSTGRES_TARGET if db == "postgres" else kind for db in databases(args)]
        else:
            kinds.append(kind)
    return kinds


async def main(args) -> int:
    kinds = target_kinds(args)
    failed = False
    with cluster_if(POSTGRES_TARGET in kinds, args.server_cpu) as args.cluster:
        for sockets in args.sockets:
            results = await bench_sockets(sockets, kinds, args)
            summary(sockets, results)
            failed |= any(
                r["lost"] or r["dup"] or r["reorder"]
                for p1, p2, _ in results.values()
                for r in p1 + p2
            )
    return 1 if failed else 0


if __name__ == "__main__":
    arguments = parse_args()
    pin_generator(arguments, "servers")
    raise_file_limit(2 * max(arguments.sockets))  # both servers' sockets stay open
    sys.exit(asyncio.run(asyncio.wait_for(main(arguments), arguments.timeout)))
