"""Where the request or socket being served comes from: its client address and user
agent (set by the web layer, chat/web/routing.py) and its request id (chat/web/
requestid.py), for the task that serves it. Core reads them for the budgets every
account behind one address shares (ratelimit.py) and for the audit log (audit.py).
None for the server's own work (scheduled messages, bots, the command line).

A write job runs in the database's writer task, not the caller's, so Core.commit
carries the caller's Origin over (`serving`) for the job's audit entries, and keeps the
entries the job recorded so they reach the log stream only after COMMIT.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

# Set by the web layer (chat/web/requestid.py); every log line carries it (chat/ops/logs.py).
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
sender_address: ContextVar[str | None] = ContextVar("sender_address", default=None)
sender_agent: ContextVar[str | None] = ContextVar("sender_agent", default=None)


@dataclass
class Origin:
    address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    recorded: list = field(default_factory=list)  # AuditEntry rows the job wrote


def current_origin() -> Origin:
    return Origin(sender_address.get(), sender_agent.get(), request_id_var.get())


# The Origin of the write job being run (in the writer task); None outside one.
serving: ContextVar[Origin | None] = ContextVar("serving", default=None)
