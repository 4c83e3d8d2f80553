"""Prometheus metrics at /metrics: off unless CHAT_METRICS=1, and then only for
addresses in CHAT_METRICS_ALLOW (loopback by default); otherwise 404 / 403.

The hot path pays almost nothing: fan-out frames, queue overflows and refused logins
are plain ints the hub and throttle already keep, and open sockets are counted when
scraped; only HTTP requests (one labelled counter per response), commit batches (one
histogram sample per batch) and stored messages (a listener after commit) are
counted as they happen, and none of that is installed while metrics are off.
"""

from __future__ import annotations

from collections import Counter as Tally

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from chat.core import Core
from chat.events import Event, MessagePosted
from chat.keys import (
    bot_caller_key,
    core_key,
    mailer_key,
    outbound_counts_key,
    previewer_key,
    pusher_key,
    settings_key,
)
from chat.web.peers import client_address, in_networks

metrics_key = web.AppKey("metrics", object)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class LiveCollector:
    """Figures read from the running server at scrape time."""

    def __init__(self, app: web.Application):
        self.app = app

    def collect(self):
        core: Core = self.app[core_key]
        hub = core.hub
        sockets = GaugeMetricFamily(
            "teahouse_open_sockets", "Open WebSockets per dialect", labels=["dialect"]
        )
        per_dialect = Tally(conn.dialect.name for conns in hub.rooms.values() for conn in conns)
        for dialect in sorted(set(per_dialect) | {"channels", "v1"}):
            sockets.add_metric([dialect], per_dialect[dialect])
        yield sockets
        yield CounterMetricFamily(
            "teahouse_fanout_frames", "Frames queued to sockets by fan-out", value=hub.frames_sent
        )
        yield CounterMetricFamily(
            "teahouse_queue_overflows",
            "Sockets closed 1013 because their send queue overflowed",
            value=hub.overflows,
        )
        yield CounterMetricFamily(
            "teahouse_login_throttled",
            "Login attempts refused with 429",
            value=core.throttle.refused,
        )
        caller = self.app.get(bot_caller_key)
        yield CounterMetricFamily(
            "teahouse_bot_calls_dropped",
            "Outgoing bot calls dropped because the queue was full",
            value=caller.dropped if caller else 0,
        )
        outbound = CounterMetricFamily(
            "teahouse_outbound_requests",
            "Outbound requests through the door, per caller and outcome "
            "(fetched, failed, or the reason it was refused)",
            labels=["caller", "outcome"],
        )
        for (caller_name, outcome), count in sorted(self.app[outbound_counts_key].items()):
            outbound.add_metric([caller_name, outcome], count)
        yield outbound
        previewer = self.app.get(previewer_key)
        yield CounterMetricFamily(
            "teahouse_previews_skipped",
            "Link previews skipped: a full queue or a spent budget",
            value=previewer.skipped if previewer else 0,
        )
        yield from outcomes(
            "teahouse_pushes",
            self.app.get(pusher_key),
            "Web Pushes a push service accepted",
            "Web Pushes refused, unreachable or gone (404/410)",
            "Web Pushes dropped because the queue was full",
        )
        yield from outcomes(
            "teahouse_emails",
            self.app.get(mailer_key),
            "Emails about missed notifications the SMTP server accepted",
            "Email attempts the SMTP server refused or could not be reached for",
            "Emails put off to the next round because the queue was full",
        )


def outcomes(prefix: str, worker, *help_texts: str):
    """sent, failed and dropped of a delivery worker (0 while it is off)."""
    for outcome, help_text in zip(("sent", "failed", "dropped"), help_texts, strict=True):
        yield CounterMetricFamily(
            f"{prefix}_{outcome}", help_text, value=getattr(worker, outcome) if worker else 0
        )


class Metrics:
    def __init__(self, app: web.Application):
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "teahouse_messages_stored", "Messages stored (every kind)", registry=self.registry
        )
        self.requests = Counter(
            "teahouse_http_requests",
            "HTTP responses by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "teahouse_commit_batch_size",
            "Write jobs per commit",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.commit_seconds = Histogram(
            "teahouse_commit_seconds",
            "Seconds from BEGIN to COMMIT of a write batch",
            buckets=COMMIT_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(LiveCollector(app))

    def listen(self, event: Event) -> None:
        if isinstance(event, MessagePosted):
            self.messages.inc()

    def batch(self, size: int, seconds: float) -> None:
        self.batch_size.observe(size)
        self.commit_seconds.observe(seconds)


def route_name(request: web.Request) -> str:
    """The route's template (/api/chat/rooms/{room}/), never the path: bounded labels,
    and no hook key or token ever becomes a label."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def count_requests(request: web.Request, handler) -> web.StreamResponse:
    counter = request.app[metrics_key].requests
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        counter.labels(request.method, route_name(request), str(exc.status)).inc()
        raise
    counter.labels(request.method, route_name(request), str(response.status)).inc()
    return response


async def serve_metrics(request: web.Request) -> web.Response:
    address = client_address(request)
    if address is None or not in_networks(address, request.app[settings_key].metrics_allow):
        return web.Response(status=403, text="forbidden", content_type="text/plain")
    body = generate_latest(request.app[metrics_key].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def attach(app: web.Application):
    """cleanup_ctx (chat/app.py, with CHAT_METRICS=1): hook the counters into the core."""
    core, metrics = app[core_key], app[metrics_key]
    core.listeners.append(metrics.listen)
    core.db.on_batch = metrics.batch
    yield
    core.db.on_batch = None


def setup(app: web.Application) -> None:
    if not app[settings_key].metrics:
        return  # /metrics stays a 404 and nothing is counted
    app[metrics_key] = Metrics(app)
    app.middlewares.append(count_requests)
    app.router.add_get("/metrics", serve_metrics)
