#!/usr/bin/env python3
"""Scale-out benchmark of issue 16, by hand (not CI): the same fan-out load against one
process without Redis, one process with Redis, and two processes sharing a data
directory over Redis, with server CPU per delivered frame as the scaling figure.

  python bench/scale_out.py fanout              100 sockets in one room, 10 senders at
                                                200 msg/s (paced), then 10 senders each
                                                waiting for its own echo (acked); every
                                                configuration stays up and their runs
                                                alternate, so machine noise hits them alike
  python bench/scale_out.py big --sockets 10000 N sockets in room `global`, 2 msg/s;
                                                one configuration after another
  --configs ref:1a48e1c,1p                      also run the tree at a git ref (one process,
                                                no Redis): what the backplane's existence
                                                costs the single process
  --configs 1p,raw                              raw (in the default list): the raw aiohttp
                                                ceiling, bench/raw_server.py, same load
  --database sqlite,postgres                    every Teahouse configuration on each engine
                                                (1p, 1p@pg, ...): PostgreSQL is a throwaway
                                                cluster this bench starts, pinned to
                                                --server-cpu, its CPU counted per frame;
                                                the processes of a configuration share one
                                                database of it and one files directory
  --py-spy 20 --configs 1p,2p+redis             where each process's CPU goes, by part:
                                                the bus's publish, receive and decode,
                                                fan-out, the database, HTTP/sockets
                                                (bench/spy_parts.py reads the samples)

Every server process and its redis-server are pinned to --server-cpu (one core: CPU per
frame is then comparable, whatever the number of processes), this generator to
--client-cpu. CPU per frame = utime+stime of all server processes and redis-server
(/proc/<pid>/stat) / frames delivered. Two processes listen on two ports of one data
directory (the same as --workers 2 on one port, where the kernel spreads connections;
two ports let sockets and senders be split exactly in half and frames be counted per
process). Rate limits are off (CHAT_RATE_*=0). Lost, duplicated and reordered frames are
counted per socket by client_id (bench/load.py). Redis memory: INFO used_memory, the
highest seen. Also printed per phase: the kernel's share of CPU per frame, each server
process's CPU per message sent, and system calls and context switches per message on
the servers' core (perf stat, when perf is there). --all-on-first puts every socket on
the first process (what the others cost by merely hearing the bus); --profile and
--py-spy profile every server process.
By default (issue 27) the users are newcomers, one socket each, in `global`: each
socket's external token names a user the servers have never seen, whom its first
request creates (on whichever process it reached); --accounts registered signs them up
and joins them to the room first (issue 16's figures).
127.0.0.1 only; every wait is bounded and the run exits by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import redis
import spy_parts
from load import (
    Bench,
    Peer,
    acked,
    connect_peer,
    create_room,
    join_all,
    paced,
    register_users,
    run_phase,
)
from postgres_site import (
    add_database_argument,
    cluster_cpu_seconds,
    cluster_if,
    databases,
    server_env,
)
from provision import add_accounts_argument, raise_file_limit, tokens_for
from servers import (
    BENCH_SECRET,
    ROOT,
    cpu_seconds,
    doc_parser,
    free_port,
    kernel_seconds,
    pin_generator,
    stop_process,
)

POSTGRES_SUFFIX = "@pg"  # a configuration on the bench's PostgreSQL cluster
RATES_OFF = {
    f"CHAT_RATE_{name}": "0" for name in ("MESSAGES", "TYPING", "REACTIONS", "UPLOADS", "WRITES")
}


def parse_args(argv=None) -> argparse.Namespace:
    p = doc_parser(__doc__)
    p.add_argument("load", choices=("fanout", "big"))
    p.add_argument("--sockets", type=int, default=None, help="fanout 100, big 10000")
    p.add_argument(
        "--users",
        type=int,
        default=None,
        help="accounts (newcomers: one per socket; registered: fanout 100, big 40)",
    )
    add_accounts_argument(p, "registered", "signed up and joined to the room before the run")
    p.add_argument(
        "--rate", type=float, default=None, help="paced msg/s in total (fanout 200, big 2)"
    )
    p.add_argument("--senders", type=int, default=10)
    p.add_argument("--ack-senders", type=int, default=10)
    p.add_argument(
        "--in-flight", type=int, default=1, help="acked: messages each sender keeps unacknowledged"
    )
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--phases", default="paced,acked", help="fanout: comma list of paced,acked")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--configs",
        default="1p,1p+redis,2p+redis,raw",
        help="comma list of 1p, 1p+redis, 2p+redis, raw (bench/raw_server.py, the ceiling), "
        "ref:GITREF (that tree, one process)",
    )
    add_database_argument(p)
    p.add_argument("--server-cpu", type=int, default=0)
    p.add_argument("--client-cpu", type=int, default=1)
    p.add_argument("--drain", type=float, default=15.0)
    p.add_argument("--timeout", type=float, default=3000.0, help="hard limit for the whole run")
    p.add_argument("--keep", action="store_true", help="keep the data dirs and server logs")
    p.add_argument(
        "--all-on-first",
        action="store_true",
        help="every socket and sender on the first process: what the others cost "
        "by merely hearing the bus",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="run every server process under cProfile (main-thread CPU time): "
        "server<N>.prof in the work dir; implies --keep",
    )
    p.add_argument(
        "--py-spy",
        type=float,
        default=0,
        metavar="SECONDS",
        help="sample every server process with py-spy (on --client-cpu) for SECONDS "
        "from the first phase on: collapsed stacks in the work dir; implies --keep",
    )
    args = p.parse_args(argv)
    big = args.load == "big"
    args.sockets = args.sockets or (10000 if big else 100)
    if args.accounts == "registered":
        args.users = args.users or (40 if big else 100)
    args.rate = args.rate or (2.0 if big else 200.0)
    return args


class Pinned:
    """A subprocess pinned to one core with taskset, stopped by its PID."""

    def __init__(self, argv: list[str], cpu: int, log: Path, cwd: Path = ROOT, env=None):
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(cpu), *argv],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        stop_process(self.proc, self.log, 15)


@dataclass
class Config:
    """One configuration under test: its server processes and maybe its redis-server."""

    name: str
    root: Path
    processes: int
    with_redis: bool
    workdir: Path
    servers: list = field(default_factory=list)  # (Pinned, base url)
    spies: list = field(default_factory=list)  # py-spy processes, until they have written
    redis: Pinned | None = None
    redis_port: int = 0
    redis_peak: int = 0
    raw: bool = False  # bench/raw_server.py: the ceiling, no users, no storage
    site: dict | None = None  # CHAT_* of a PostgreSQL site (bench/postgres_site.py)
    database_seconds: Callable[[], float] | None = None  # its cluster's CPU time

    def cpu_seconds(self) -> float:
        return sum(proc.cpu_seconds() for proc in self.members()) + self.database_cpu()

    def database_cpu(self) -> float:
        return self.database_seconds() if self.database_seconds else 0.0

    def members(self) -> list[Pinned]:
        return [server for server, _ in self.servers] + ([self.redis] if self.redis else [])

    def kernel_seconds(self) -> float:
        return sum(kernel_seconds(proc.proc.pid) for proc in self.members())

    def redis_memory(self) -> int:
        if not self.redis:
            return 0
        used = redis.Redis(port=self.redis_port).info("memory")["used_memory"]
        self.redis_peak = max(self.redis_peak, used)
        return used

    async def start(self, http: aiohttp.ClientSession, cpu: int, profile: bool = False) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
        env.update(
            CHAT_ALLOW_REGISTRATION="1",
            PYTHONUNBUFFERED="1",
            CHAT_SECRET=BENCH_SECRET,  # newcomers' external tokens are signed with it
            CHAT_REGISTER_PER_ADDRESS="0",  # the generator signs everyone up from one address
            CHAT_REGISTER_PER_MINUTE="0",
            **RATES_OFF,
            # one generator address, many sockets per user: those caps off too
            CHAT_MAX_SOCKETS_PER_USER="0",
            CHAT_MAX_CONNECTIONS_PER_ADDRESS="0",
        )
        env.update(self.site or {})
        if self.with_redis:
            self.redis_port = free_port()
            self.redis = Pinned(
                [
                    "redis-server",
                    "--port",
                    str(self.redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.workdir),
                ],
                cpu,
                self.workdir / "redis.log",
            )
            env["CHAT_REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
            await wait_for(lambda: _pings(self.redis_port), f"{self.name}: redis-server")
        for n in range(self.processes):  # one after another: the first migrates
            port = free_port()
            profiled = (
                [str(ROOT / "bench" / "profiled.py"), str(self.workdir / f"server{n}.prof")]
                if profile
                else []
            )
            program = ["bench/raw_server.py"] if self.raw else ["server.py"]
            if not self.raw:
                program += ["--data-dir", str(self.workdir / "data")]
            server = Pinned(
                [sys.executable, *profiled, *program, "--port", str(port)],
                cpu,
                self.workdir / f"server{n}.log",
                cwd=self.root,
                env=env,
            )
            base = f"http://127.0.0.1:{port}"
            self.servers.append((server, base))
            await wait_for(
                lambda base=base: _healthy(http, base), f"{self.name}: server {n}", server.proc
            )

    def sample(self, seconds: float, cpu: int) -> None:
        """py-spy every server process, off the servers' core."""
        for n, (server, _) in enumerate(self.servers):
            out = self.workdir / f"py-spy{n}.txt"
            spy = subprocess.Popen(
                [
                    "taskset",
                    "-c",
                    str(cpu),
                    "py-spy",
                    "record",
                    "--pid",
                    str(server.proc.pid),
                    "--rate",
                    str(spy_parts.SAMPLE_RATE),
                    "--gil",
                    "--duration",
                    str(int(seconds)),
                    "--format",
                    "raw",
                    "-o",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
            )
            self.spies.append((f"{self.name} process {n}", out, spy))
            print(f"  py-spy: {out}", flush=True)

    def stop(self) -> None:
        for server, _ in self.servers:
            server.stop()
        if self.redis:
            self.redis.stop()


class CoreCounters:
    """System calls and context switches on the servers' core during a phase (perf stat,
    if perf is there and allowed): what a second process and Redis cost the kernel."""

    EVENTS = ("raw_syscalls:sys_enter", "context-switches")

    def __init__(self, cpu: int, generator_cpu: int, workdir: Path):
        self.out = workdir / "perf-stat.csv"
        try:
            self.proc = subprocess.Popen(
                [
                    "taskset",
                    "-c",
                    str(generator_cpu),
                    "perf",
                    "stat",
                    "-x,",
                    "-o",
                    str(self.out),
                    "-C",
                    str(cpu),
                    "-e",
                    ",".join(self.EVENTS),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self.proc = None

    def read(self) -> dict[str, float]:
        if self.proc is None:
            return {}
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(10)
        counts = {}
        with contextlib.suppress(OSError):
            for line in self.out.read_text().splitlines():
                fields = line.split(",")
                if len(fields) > 2 and fields[2] in self.EVENTS and fields[0].isdigit():
                    counts[fields[2]] = float(fields[0])
        return counts


async def wait_for(check, what: str, proc: subprocess.Popen | None = None, limit: float = 60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited")
        if await check():
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {limit}s")


async def _pings(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


async def _healthy(http: aiohttp.ClientSession, base: str) -> bool:
    try:
        async with http.get(f"{base}/healthz") as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False


async def join_room(http: aiohttp.ClientSession, base: str, tokens: list[str], big: bool) -> str:
    """fanout: a new public room; big: `global` (its cap of 50 members: --users 40)."""
    room = "global" if big else await create_room(http, base, tokens[0])
    await join_all(http, base, room, tokens[1:])
    return room


async def open_sockets(
    bench: Bench,
    http: aiohttp.ClientSession,
    config: Config,
    room: str,
    tokens: list[str],
    count: int,
    all_on_first: bool = False,
) -> None:
    """Socket i on process i % N: sockets and (the first) senders split evenly; or
    all on the first process, the others only hearing the bus."""
    sem = asyncio.Semaphore(20)
    bases = [base.replace("http", "ws", 1) for _, base in config.servers]

    async def one(i: int) -> Peer:
        process = 0 if all_on_first else i % len(bases)
        async with sem:
            url = f"{bases[process]}/ws/chat/{room}/?token={tokens[i % len(tokens)]}"
            peer = await connect_peer(http, url, i, 30)
            peer.process = process
            return peer

    started = time.monotonic()
    bench.peers = list(await asyncio.gather(*(one(i) for i in range(count))))
    bench.tasks = [asyncio.create_task(bench.receive(p)) for p in bench.peers]
    print(f"  {config.name}: {count} sockets open in {time.monotonic() - started:.1f}s", flush=True)
    await asyncio.sleep(2.0 if count > 1000 else 1.0)  # presence frames settle


@contextlib.asynccontextmanager
async def live(config: Config, args):
    """A started configuration with its room and open sockets."""
    bench = Bench()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await config.start(http, args.server_cpu, args.profile)
            base = config.servers[0][1]
            if config.raw:
                tokens, room = ["none"], "global"
            elif args.accounts == "registered":
                tokens = await register_users(http, base, args.users)
                room = await join_room(http, base, tokens, args.load == "big")
            else:  # newcomers: each one's first socket creates them and joins `global`
                tokens, room = tokens_for(min(args.users or args.sockets, args.sockets)), "global"
            await open_sockets(bench, http, config, room, tokens, args.sockets, args.all_on_first)
            config.redis_memory()
            yield bench
            await bench.close()
    finally:
        bench.cancel()
        config.stop()


async def phase(config: Config, bench: Bench, tag: str, driver, args) -> dict:
    redis0 = config.redis.cpu_seconds() if config.redis else 0.0
    kernel0 = config.kernel_seconds()
    each0 = [server.cpu_seconds() for server, _ in config.servers]
    counters = CoreCounters(args.server_cpu, args.client_cpu, config.workdir)
    stats = await run_phase(bench, config, tag, driver, args)
    redis_cpu = (config.redis.cpu_seconds() if config.redis else 0.0) - redis0
    kernel = config.kernel_seconds() - kernel0
    on_core = counters.read()
    messages = max(stats["messages"], 1)
    each = [
        (server.cpu_seconds() - start) / messages * 1e6
        for (server, _), start in zip(config.servers, each0, strict=True)
    ]
    stats["redis_us_frame"] = redis_cpu / max(stats["frames"], 1) * 1e6
    database = f", PostgreSQL {stats['db_us_msg']:.0f} us/msg" if config.site else ""
    stats["kernel_us_frame"] = kernel / max(stats["frames"], 1) * 1e6
    stats["syscalls_msg"] = on_core.get("raw_syscalls:sys_enter", 0) / messages
    stats["switches_msg"] = on_core.get("context-switches", 0) / messages
    span = stats["frames"] / max(stats["frames_s"], 1e-9)
    per = [
        sum(len(p.seen) for p in bench.peers if p.process == k) / span
        for k in range(len(config.servers))
    ]
    closed = sum(p.ws.closed for p in bench.peers)
    stats.update(
        per_process=per, redis_mb=config.redis_memory() / 2**20, closed=closed, process_us_msg=each
    )
    print(
        f"  {config.name:11} {driver.__name__:6} {tag}: {stats['frames_s']:8.0f} frames/s "
        f"(per process {' / '.join(f'{f:.0f}' for f in per)})  "
        f"cpu {stats['cpu_us_frame']:6.1f} us/frame (redis-server {stats['redis_us_frame']:.1f}, "
        f"kernel {stats['kernel_us_frame']:.1f}{database}; "
        f"per message {' / '.join(f'{us:.0f}' for us in each)} us CPU per process, "
        f"{stats['syscalls_msg']:.0f} syscalls "
        f"{stats['switches_msg']:.1f} switches)  busy {stats['server_busy']:.0%}  "
        f"p50 {stats['p50_ms']:.1f} ms p99 {stats['p99_ms']:.1f} ms  "
        f"lost {stats['lost']} dup {stats['dup']} reorder {stats['reorder']} "
        f"timeouts {stats['timeouts']} closed {closed}  redis {stats['redis_mb']:.2f} MB  "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return stats


def make_configs(args, workroot: Path) -> list[Config]:
    known = {"1p": (1, False), "1p+redis": (1, True), "2p+redis": (2, True), "raw": (1, False)}
    configs = []
    listed = [n.strip() for n in args.configs.split(",") if n.strip()]
    for name in [
        given + POSTGRES_SUFFIX if database == "postgres" else given
        for given in listed
        for database in (databases(args) if given in known and given != "raw" else ["sqlite"])
    ]:
        if name.endswith(POSTGRES_SUFFIX):
            postgres_config(args, workroot, configs, name, known[name[: -len(POSTGRES_SUFFIX)]])
            continue
        root, shape = ROOT, known.get(name)
        if name.startswith("ref:"):  # an older tree, exported from git
            shape = (1, False)
            root = workroot / f"tree-{len(configs)}"
            root.mkdir()
            archive = subprocess.run(
                ["git", "archive", name[4:]], cwd=ROOT, check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        if shape is None:
            raise SystemExit(f"unknown configuration {name!r}")
        workdir = workroot / f"config-{len(configs)}"
        workdir.mkdir()
        configs.append(Config(name, root, *shape, workdir, raw=name == "raw"))
    return configs


def spied_parts(configs: list[Config], results: dict) -> None:
    """Where each server process's CPU went, by part (bench/spy_parts.py), once py-spy
    has written its samples (it stops with its process, or after --py-spy seconds): in
    shares, then in µs per message sent in the configuration's phases (right when
    --py-spy outlasts the phases; py-spy --gil counts the GIL's holder, not the kernel)."""
    for config in configs:
        for *_, spy in config.spies:
            try:
                spy.wait(30)
            except subprocess.TimeoutExpired:
                spy.kill()
    for title, per_message in (("share of busy samples", False), ("µs per message", True)):
        print(f"\n== where each process's CPU went (py-spy, {title}) ==")
        print(spy_parts.header())
        for config in configs:
            sent = sum(r["messages"] for runs in results[config.name].values() for r in runs)
            for label, out, _ in config.spies:
                if out.exists():
                    print(spy_parts.row(label, out, sent if per_message else 0))


def postgres_config(args, workroot: Path, configs: list, name: str, shape: tuple) -> None:
    """A configuration on a database of its own in the bench's PostgreSQL cluster."""
    workdir = workroot / f"config-{len(configs)}"
    workdir.mkdir()
    config = Config(name, ROOT, *shape, workdir, site=server_env(args.cluster, workdir))
    config.database_seconds = functools.partial(cluster_cpu_seconds, args.cluster)
    configs.append(config)


def summary(results: dict[str, dict[str, list[dict]]], configs: list[Config]) -> None:
    med = statistics.median
    print("\n== medians over runs (lost/dup/reorder: totals) ==")
    print(
        f"{'config':11} {'phase':6} {'frames/s':>9} {'per process':>15} {'cpu us/fr':>9} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'lost':>5} {'dup':>4} {'reord':>5} {'redis MB':>8}"
    )
    for config in configs:
        for name, runs in results[config.name].items():
            per = [med(r["per_process"][k] for r in runs) for k in range(config.processes)]
            print(
                f"{config.name:11} {name:6} {med(r['frames_s'] for r in runs):9.0f} "
                f"{' / '.join(f'{f:.0f}' for f in per):>15} "
                f"{med(r['cpu_us_frame'] for r in runs):9.1f} "
                f"{med(r['p50_ms'] for r in runs):7.1f} "
                f"{med(r['p99_ms'] for r in runs):7.1f} {sum(r['lost'] for r in runs):5} "
                f"{sum(r['dup'] for r in runs):4} {sum(r['reorder'] for r in runs):5} "
                f"{config.redis_peak / 2**20:8.2f}"
            )
    cpu = {
        c: {n: med(r["cpu_us_frame"] for r in runs) for n, runs in phases.items()}
        for c, phases in results.items()
    }
    fps = {
        c: {n: med(r["frames_s"] for r in runs) for n, runs in phases.items()}
        for c, phases in results.items()
    }
    refs = [name for name in cpu if name.startswith("ref:")]
    pg = POSTGRES_SUFFIX
    pairs = [
        ("2p+redis", "1p"),
        ("2p+redis", "1p+redis"),
        ("1p+redis", "1p"),
        ("1p", "raw"),
        ("2p+redis", "raw"),
        *((a + pg, b + pg) for a, b in (("2p+redis", "1p"), ("2p+redis", "1p+redis"))),
        *((a + pg, a) for a in ("1p", "1p+redis", "2p+redis")),
        ("1p" + pg, "raw"),
        *(("1p", ref) for ref in refs),
        *zip(refs[1:], refs, strict=False),  # each with the one before it
    ]
    for a, b in pairs:
        if a in cpu and b in cpu:
            for name in cpu[a]:
                print(
                    f"{a}/{b} {name}: cpu per frame x{cpu[a][name] / cpu[b][name]:.3f}, "
                    f"frames/s x{fps[a][name] / fps[b][name]:.3f}"
                )


async def main(args) -> int:
    with cluster_if("postgres" in databases(args), args.server_cpu) as args.cluster:
        return await run_configs(args)


async def run_configs(args) -> int:
    workroot = Path(tempfile.mkdtemp(prefix="teahouse-scale-out-"))
    print(f"work dir {workroot}", flush=True)
    configs = make_configs(args, workroot)
    drivers = (
        [paced]
        if args.load == "big"
        else [driver for driver in (paced, acked) if driver.__name__ in args.phases.split(",")]
    )
    results = {c.name: {d.__name__: [] for d in drivers} for c in configs}
    failed = False
    try:
        if args.load == "fanout":  # all up at once, runs alternating
            async with contextlib.AsyncExitStack() as stack:
                benches = [await stack.enter_async_context(live(c, args)) for c in configs]
                for config in configs if args.py_spy else ():
                    config.sample(args.py_spy, args.client_cpu)
                for r in range(args.repeat):
                    for driver in drivers:
                        for config, bench in zip(configs, benches, strict=True):
                            stats = await phase(
                                config, bench, f"r{r}{driver.__name__[0]}", driver, args
                            )
                            results[config.name][driver.__name__].append(stats)
        else:  # 10,000 sockets each: one configuration at a time
            for config in configs:
                async with live(config, args) as bench:
                    if args.py_spy:
                        config.sample(args.py_spy, args.client_cpu)
                    for r in range(args.repeat):
                        stats = await phase(config, bench, f"r{r}p", paced, args)
                        results[config.name]["paced"].append(stats)
        summary(results, configs)
        if args.py_spy:
            spied_parts(configs, results)
        failed = any(
            r["lost"] or r["dup"] or r["reorder"]
            for phases in results.values()
            for runs in phases.values()
            for r in runs
        )
    finally:
        if not (args.keep or args.py_spy or args.profile):
            shutil.rmtree(workroot, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    arguments = parse_args()
    pin_generator(arguments, "servers and redis-server")
    raise_file_limit(arguments.sockets)
    sys.exit(asyncio.run(asyncio.wait_for(main(arguments), arguments.timeout)))
