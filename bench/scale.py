#!/usr/bin/env python3
"""Scale benchmarks of issues 11 and 27, by hand (not CI): thousands of sockets in room
`global`, a reconnect storm, and the read paths over a million messages.

  python bench/scale.py sockets --sockets 10000     N sockets in `global`: time until all
                                                     are connected, RSS, p99 of a message
                                                     reaching all of them, SIGTERM exit time;
                                                     the raw server side by side
  python bench/scale.py sockets --socket user       the same over the user-level socket
                                                     (/ws/user/) the web client uses
  python bench/scale.py sockets --sockets 50000     idle sockets in one process: more than
                                                     --per-address sockets are spread over
                                                     the source addresses 127.0.0.2, .3, ...
  python bench/scale.py sockets --database postgres the same on PostgreSQL (a throwaway
                                                     cluster; sockets and storm, newcomers)
  python bench/scale.py storm --sockets 2000        all sockets dropped at once reconnect with
                                                     since + jitter while messages flow; lost,
                                                     duplicated, time to resync, REST p99
  python bench/scale.py million --messages 1000000  room list, unread counts, a history page
                                                     and search (a 2-character Chinese term
                                                     too) at 1,000 and at N messages
  python bench/scale.py search_ops --messages 1000000
                                                     search with operators (from:, in:,
                                                     has:, dates, -word) beside plain search

By default the users are newcomers (issue 27): nobody is provisioned, and each socket's
external token (signed with the server's CHAT_SECRET) names a user the server has never
seen, whom the socket's first request creates and joins to `global`, as on a company's
rollout day. --accounts provisioned writes them into the database while the server is
stopped instead (rows in users and memberships of `global`): issue 11's figures.
Teahouse is pinned to core 0, this generator to core 1 (taskset); 127.0.0.x only;
every loop is bounded in count and time. The open-file limit is raised to fit the
sockets (the servers inherit it).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from million import million_bench
from postgres_site import DATABASES, cluster_if, site_for
from provision import (
    add_accounts_argument,
    fresh_teahouse,
    provision_users,
    raise_file_limit,
    tokens_for,
)
from search_ops import search_ops_bench
from servers import Server, doc_parser, pin_generator
from wsclient import Closed, WebSocket


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


# -- sockets --------------------------------------------------------------------------
class Receiver:
    """One socket: every chat message's id and the time it arrived."""

    def __init__(self, ws):
        self.ws = ws
        self.arrived: dict[int, float] = {}
        self.dups = 0
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.read())

    async def read(self) -> None:
        try:
            while True:
                self.frame(await self.ws.recv())
        except (Closed, ConnectionError, asyncio.IncompleteReadError):
            pass

    def frame(self, data: str) -> None:
        if '"chat_message"' in data:
            frame = json.loads(data)
            message = frame.get("message") or {}
            key = message.get("client_id") or message.get("id")
            if key in self.arrived:
                self.dups += 1
            else:
                self.arrived[key] = time.monotonic()


async def open_socket(http, url: str, attempts: int = 3, source: str | None = None) -> WebSocket:
    for attempt in range(attempts):
        try:
            ws = await WebSocket.connect(url, source=source)
            await asyncio.wait_for(ws.recv(), 30)  # the greeting
            return ws
        except (TimeoutError, Closed, asyncio.IncompleteReadError, OSError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


async def open_many(
    http, urls: list[str], parallel: int, per_address: int = 20_000
) -> tuple[list[Receiver], float]:
    """Every socket open, its greeting read; more than per_address sockets are spread
    over the source addresses 127.0.0.2, .3, ... (one address runs out of ports)."""
    sem = asyncio.Semaphore(parallel)
    start = time.monotonic()
    sources = [None]
    if len(urls) > per_address:
        sources = [f"127.0.0.{2 + k}" for k in range(-(-len(urls) // per_address))]

    async def one(k: int, url: str) -> Receiver:
        async with sem:
            receiver = Receiver(await open_socket(http, url, source=sources[k % len(sources)]))
            receiver.start()
            return receiver

    receivers = await asyncio.gather(*(one(k, u) for k, u in enumerate(urls)))
    return list(receivers), time.monotonic() - start


def socket_url(ws_base: str, kind: str, user_token: str | None) -> str:
    """A socket on `global`: the channels dialect's room socket, or the user socket."""
    path = "/ws/user/" if kind == "user" else "/ws/chat/global/"
    return ws_base + path + (f"?token={user_token}" if user_token else "")


async def global_id(http, base: str, user_token: str) -> int:
    async with http.get(
        f"{base}/api/chat/rooms/global/", headers={"Authorization": f"Bearer {user_token}"}
    ) as resp:
        return (await resp.json())["id"]


async def fan_out(
    receivers: list[Receiver],
    sender,
    messages: int,
    gap: float,
    wait: float = 30.0,
    room_id: int | None = None,
) -> list[float]:
    """Each message's delivery latency to every socket (ms); room_id names the room on
    a user socket (the raw server ignores it)."""
    latencies = []
    for n in range(messages):
        cid = f"fan.{n}.{time.monotonic_ns()}"
        sent = time.monotonic()
        frame = {"type": "chat_message", "content": f"to all {n}", "client_id": cid}
        sender.send(json.dumps({**frame, "room_id": room_id} if room_id else frame))
        deadline = sent + wait
        while time.monotonic() < deadline and any(cid not in r.arrived for r in receivers):
            await asyncio.sleep(0.02)
        latencies += [(r.arrived[cid] - sent) * 1000 for r in receivers if cid in r.arrived]
        missing = sum(cid not in r.arrived for r in receivers)
        print(
            f"    message {n}: reached {len(receivers) - missing}/{len(receivers)}, "
            f"p50 {percentile(latencies[-len(receivers) :], 0.5):.0f} ms "
            f"p99 {percentile(latencies[-len(receivers) :], 0.99):.0f} ms",
            flush=True,
        )
        await asyncio.sleep(gap)
    return latencies


async def terminate_seconds(server: Server, limit: float = 30.0) -> float:
    """SIGTERM to exit, while the sockets keep reading (and answer the close)."""
    start = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    while server.proc.poll() is None:
        if time.monotonic() - start > limit:
            server.proc.kill()
            server.proc.wait(5)
            return float("inf")
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def sockets_bench(args) -> None:
    results = {}
    for kind in args.targets.split(","):
        workdir = Path(tempfile.mkdtemp(prefix=f"teahouse-scale-{kind}-"))
        try:
            tokens: list[str | None] = [None] * args.sockets  # raw: no users
            if kind == "teahouse" and args.accounts == "provisioned":
                server = await fresh_teahouse(
                    workdir, args.server_cpu, lambda db: provision_users(db, args.sockets)
                )
                tokens = tokens_for(args.sockets)
            elif kind == "teahouse":  # newcomers: their first socket creates them
                server = Server("teahouse", args.server_cpu, workdir, site=site_for(args, workdir))
                tokens = tokens_for(args.sockets)
            else:
                server = Server("raw", args.server_cpu, workdir)
            ws_base = server.base.replace("http", "ws", 1)
            urls = [socket_url(ws_base, args.socket, t) for t in tokens]
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as http:
                await server.wait_ready(http)
                before = server.memory_mb("VmRSS")
                receivers, took = await open_many(http, urls, args.parallel, args.per_address)
                print(f"  {kind}: {len(receivers)} sockets connected in {took:.1f} s", flush=True)
                await asyncio.sleep(args.settle)
                rss = server.memory_mb("VmRSS")
                room_id = None
                if args.socket == "user" and kind == "teahouse":
                    room_id = await global_id(http, server.base, tokens[0])
                latencies = await fan_out(
                    receivers, receivers[0].ws, args.messages, args.gap, room_id=room_id
                )
                peak = server.memory_mb("VmHWM")
                term = await terminate_seconds(server)
                results[kind] = {
                    "connect_s": took,
                    "rss_mb": rss,
                    "peak_mb": peak,
                    "kib_per_socket": (rss - before) * 1024 / len(receivers),
                    "p50_ms": percentile(latencies, 0.5),
                    "p99_ms": percentile(latencies, 0.99),
                    "reached": len(latencies),
                    "expected": len(receivers) * args.messages,
                    "sigterm_s": term,
                }
                print(f"  {kind}: {results[kind]}", flush=True)
                for r in receivers:
                    r.task.cancel()
        finally:
            if server.proc.poll() is None:
                server.stop()
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\n== {args.sockets} sockets in one room ({args.socket} sockets, Teahouse's users: "
        f"{args.accounts}) =="
    )
    for kind, r in results.items():
        print(
            f"{kind:9} connect {r['connect_s']:5.1f} s  RSS {r['rss_mb']:6.1f} MB "
            f"(peak {r['peak_mb']:6.1f}, {r['kib_per_socket']:.1f} KiB/socket)  "
            f"delivery p50 {r['p50_ms']:6.0f} ms p99 {r['p99_ms']:6.0f} ms  "
            f"reached {r['reached']}/{r['expected']}  SIGTERM exit {r['sigterm_s']:.2f} s"
        )


# -- reconnect storm ----------------------------------------------------------------------
async def storm_bench(args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="teahouse-storm-"))
    if args.accounts == "provisioned":
        server = await fresh_teahouse(
            workdir, args.server_cpu, lambda db: provision_users(db, args.sockets + 1)
        )
    else:  # newcomers: the first connect below is everyone's first contact
        server = Server("teahouse", args.server_cpu, workdir, site=site_for(args, workdir))
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            await server.wait_ready(http)
            base = server.base
            ws_base = base.replace("http", "ws", 1)
            sender_token, *tokens = tokens_for(args.sockets + 1)
            urls = [socket_url(ws_base, "channels", t) for t in tokens]
            receivers, took = await open_many(http, urls, args.parallel, args.per_address)
            print(f"  {len(receivers)} sockets connected in {took:.1f} s", flush=True)
            await asyncio.sleep(args.settle)
            headers = {"Authorization": f"Bearer {sender_token}"}
            sent: list[int] = []
            stop = asyncio.Event()

            async def send_loop():
                n = 0
                while not stop.is_set() and n < 10_000:
                    async with http.post(
                        f"{base}/api/chat/rooms/global/messages/",
                        json={"content": f"storm {n}"},
                        headers=headers,
                    ) as resp:
                        sent.append((await resp.json())["id"])
                    n += 1
                    await asyncio.sleep(1 / args.rate)

            # The REST caller is a process of its own, as a user's browser would be: timed
            # inside this generator, a call would also wait for 2,000 reconnects' turns here.
            probe = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                REST_PROBE,
                str(server.port),
                sender_token,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                preexec_fn=lambda: os.sched_setaffinity(0, {args.client_cpu}),
            )
            sender_task = asyncio.create_task(send_loop())
            await asyncio.sleep(2.0)
            first_live = sent[0] if sent else 0
            if args.py_spy:
                server.sample(args.py_spy)
            # Drop every socket at once (no close handshake: a network blip).
            drop, cpu_before = time.monotonic(), server.cpu_seconds()
            for r in receivers:
                r.task.cancel()
                r.ws.abort()
            last_before = {
                k: max((m for m in r.arrived if isinstance(m, int)), default=0)
                for k, r in enumerate(receivers)
            }

            async def reconnect(k: int, old: Receiver) -> tuple[Receiver, float]:
                await asyncio.sleep(random.uniform(0, args.jitter))
                since = last_before[k] or first_live - 1
                source = old.ws.writer.get_extra_info("sockname")[0]
                new = Receiver(
                    await open_socket(http, f"{urls[k]}&since={since}", attempts=6, source=source)
                )
                new.arrived = dict(old.arrived)  # what it had: duplicates would show
                new.start()
                return new, time.monotonic()

            pairs = await asyncio.gather(*(reconnect(k, r) for k, r in enumerate(receivers)))
            receivers = [p[0] for p in pairs]
            reconnected = max(p[1] for p in pairs) - drop
            target = sent[-1]  # everything sent until all had reconnected
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(target not in r.arrived for r in receivers):
                await asyncio.sleep(0.02)
            resynced, storm_cpu = time.monotonic() - drop, server.cpu_seconds() - cpu_before
            await asyncio.sleep(1.0)
            stop.set()
            await sender_task
            out, _ = await probe.communicate(b"stop\n")
            rest = [tuple(map(float, line.split())) for line in out.decode().splitlines()]
            await asyncio.sleep(2.0)
            every = [m for m in sent if m >= first_live]
            lost = sum(m not in r.arrived for r in receivers for m in every)
            dups = sum(r.dups for r in receivers)
            during = [ms for when, ms in rest if drop <= when <= drop + resynced]
            calm = [ms for when, ms in rest if when < drop]
            print(
                f"\n== reconnect storm: {len(receivers)} sockets dropped at once, "
                f"jitter {args.jitter} s, {args.rate} msg/s, users: {args.accounts} "
                f"(first connect {took:.1f} s) =="
            )
            print(
                f"all reconnected {reconnected:.2f} s, all resynced {resynced:.2f} s after the "
                f"drop; messages {len(every)}, lost {lost}, duplicated {dups}; server CPU "
                f"{storm_cpu:.2f} s from the drop to resynced"
            )
            print(
                f"REST GET /api/chat/rooms/: before p50 {percentile(calm, 0.5):.1f} ms "
                f"p99 {percentile(calm, 0.99):.1f} ms; during the storm p50 "
                f"{percentile(during, 0.5):.1f} ms p99 {percentile(during, 0.99):.1f} ms "
                f"({len(during)} calls)"
            )
            for r in receivers:
                r.task.cancel()
    finally:
        server.stop()
        if args.keep or args.py_spy:
            print(f"  work dir and server log kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


REST_PROBE = """
import http.client, select, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
headers = {"Authorization": "Bearer " + sys.argv[2]}
for _ in range(10_000):   # (when, ms) per call until told to stop; at most ~4 minutes
    if select.select([sys.stdin], [], [], 0.02)[0]:
        break
    t0 = time.monotonic()
    conn.request("GET", "/api/chat/rooms/", headers=headers)
    conn.getresponse().read()
    print(t0, (time.monotonic() - t0) * 1000, flush=True)
"""


def main() -> None:
    p = doc_parser(__doc__)
    p.add_argument("scenario", choices=("sockets", "storm", "million", "search_ops"))
    p.add_argument("--sockets", type=int, default=1000)
    p.add_argument("--parallel", type=int, default=200, help="connects in progress at once")
    p.add_argument("--targets", default="teahouse,raw", help="sockets: teahouse,raw")
    p.add_argument(
        "--socket",
        choices=("channels", "user"),
        default="channels",
        help="sockets: the channels room socket or the user socket /ws/user/",
    )
    p.add_argument(
        "--per-address",
        type=int,
        default=20_000,
        help="sockets from one source address; more use 127.0.0.2, .3, ...",
    )
    add_accounts_argument(
        p, "provisioned", "written into the database before the server starts (issue 11)"
    )
    p.add_argument(
        "--messages",
        type=int,
        default=5,
        help="sockets: messages fanned out; million, search_ops: messages stored",
    )
    p.add_argument("--gap", type=float, default=1.0, help="sockets: seconds between messages")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after connecting")
    p.add_argument("--rate", type=float, default=20.0, help="storm: messages/s sent throughout")
    p.add_argument("--jitter", type=float, default=1.0, help="storm: reconnect delay 0..jitter s")
    p.add_argument("--rooms", type=int, default=20, help="million: rooms")
    p.add_argument("--calls", type=int, default=30, help="million: calls per figure")
    p.add_argument(
        "--keep", action="store_true", help="sockets, storm: keep the work dirs and logs"
    )
    p.add_argument(
        "--database",
        choices=DATABASES,
        default="sqlite",
        help="sockets, storm (newcomers): postgres runs Teahouse on a throwaway cluster "
        "this bench starts, pinned to --server-cpu",
    )
    p.add_argument(
        "--py-spy",
        type=float,
        default=0,
        metavar="SECONDS",
        help="storm: sample Teahouse with py-spy for SECONDS from the drop on (collapsed "
        "stacks in its work dir, which is kept)",
    )
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--timeout", type=float, default=1200.0)
    args = p.parse_args()
    postgres = args.database == "postgres"
    if postgres and (args.scenario not in ("sockets", "storm") or args.accounts != "newcomers"):
        p.error(
            "--database postgres: sockets and storm with newcomers only (provisioning "
            "writes a SQLite file; search on PostgreSQL: bench/search_postgres.py)"
        )
    pin_generator(args, "server")
    if args.scenario not in ("million", "search_ops"):
        raise_file_limit(args.sockets + 10)
    run = {
        "sockets": sockets_bench,
        "storm": storm_bench,
        "million": million_bench,
        "search_ops": search_ops_bench,
    }[args.scenario]
    with cluster_if(postgres, args.server_cpu) as args.cluster:
        asyncio.run(asyncio.wait_for(run(args), args.timeout))


if __name__ == "__main__":
    main()
