"""The two servers bench/load.py drives: subprocesses pinned to a core with taskset,
their CPU time read from /proc/<pid>/stat and their peak RSS from VmHWM."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
BENCH_SECRET = "bench-secret-not-for-production-use"  # external tokens are signed with it


def cpu_model() -> str:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown cpu"


def doc_parser(doc: str) -> argparse.ArgumentParser:
    """--help of a bench: its docstring's first paragraph, then the rest as the epilog."""
    return argparse.ArgumentParser(
        description=doc.split("\n\n")[0],
        epilog=doc.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime


def kernel_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[12]) / CLOCK_TICK  # stime


def stop_process(proc: subprocess.Popen, log, grace: float) -> None:
    """SIGINT, then kill after `grace` seconds; closes the process's log file."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    log.close()


def pin_generator(args, servers: str) -> None:
    """Pin this load generator to --client-cpu; print the machine, where what runs, and the
    command line, so a pasted result says how it was made."""
    os.sched_setaffinity(0, {args.client_cpu})
    print(
        f"{cpu_model()}, {os.cpu_count()} cpus, python {sys.version.split()[0]}, "
        f"aiohttp {aiohttp.__version__}; {servers} on cpu {args.server_cpu}, "
        f"load generator on cpu {args.client_cpu}; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    print("command: python " + " ".join(sys.argv), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server subprocess pinned with taskset; CPU and memory read from /proc."""

    def __init__(
        self, kind: str, cpu: int, workdir: Path, profile: bool = False, site: dict | None = None
    ):
        """kind: "raw", or a Teahouse ("teahouse", "teahouse-pg"); site: CHAT_* it adds
        (a PostgreSQL site's, bench/postgres_site.py)."""
        self.kind, self.workdir, self.port = kind, workdir, free_port()
        self.database_seconds = None  # the CPU time of a PostgreSQL cluster it runs on
        if kind != "raw":
            cmd = ["server.py", "--port", str(self.port), "--data-dir", str(workdir / "data")]
            if profile:
                cmd = ["bench/profiled.py", str(workdir / "teahouse.prof"), *cmd]
        else:
            cmd = ["bench/raw_server.py", "--port", str(self.port)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
        env.update(CHAT_ALLOW_REGISTRATION="1", PYTHONUNBUFFERED="1", CHAT_SECRET=BENCH_SECRET)
        # Flat out: the per-user rate limits would stop the load generator first.
        env.update(
            {
                f"CHAT_RATE_{a}": "0"
                for a in ("MESSAGES", "TYPING", "REACTIONS", "UPLOADS", "WRITES")
            }
        )
        # One generator address opens thousands of sockets, few users many each.
        env.update(CHAT_MAX_CONNECTIONS_PER_ADDRESS="0", CHAT_MAX_SOCKETS_PER_USER="0")
        env.update(CHAT_REGISTER_PER_ADDRESS="0", CHAT_REGISTER_PER_MINUTE="0")
        env.update(site or {})
        self.log = open(workdir / f"{kind}.log", "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(cpu), sys.executable, *cmd],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self, http: aiohttp.ClientSession, limit: float = 30.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: see {self.log.name}")
            try:
                async with http.get(f"{self.base}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.kind} not ready after {limit}s")

    def cpu_seconds(self) -> float:
        """The server's CPU time, and its database server's when it has one of its own."""
        return cpu_seconds(self.proc.pid) + self.database_cpu()

    def database_cpu(self) -> float:
        return self.database_seconds() if self.database_seconds else 0.0

    def memory_mb(self, field: str = "VmHWM") -> float:
        """VmHWM: peak resident set; VmRSS: resident now."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def sample(self, seconds: float) -> Path:
        """py-spy samples this server for `seconds` from now on, in the background; the
        collapsed stacks land in its work dir (the path returned)."""
        out = self.workdir / "py-spy.txt"
        subprocess.Popen(
            ["py-spy", "record", "--pid", str(self.proc.pid), "--rate", "250"]
            + ["--duration", str(int(seconds)), "--format", "raw", "-o", str(out)]
            + ["--nonblocking"],
            stdout=subprocess.DEVNULL,
        )
        print(f"  py-spy: {out}", flush=True)
        return out

    def stop(self) -> None:
        stop_process(self.proc, self.log, 10)
