"""What the OpenAPI document says about each route: a summary, the request body, the
success answers and the query parameters, keyed by (method, path) exactly as the
dialects register them. The routes themselves come from the server's own route
table (web/routing.py), and a test fails when a route has no entry here or an entry
names no route, so the description cannot drift from what is served.

The entries are written by face in the *_operations.py modules; this one puts them
together in the order the document lists them.
"""

from __future__ import annotations

from chat.web.admin_operations import ADMIN_OPERATIONS
from chat.web.identity_operations import IDENTITY_OPERATIONS
from chat.web.integration_operations import INTEGRATION_OPERATIONS
from chat.web.native_operations import NATIVE_OPERATIONS
from chat.web.operation_parts import Operation
from chat.web.room_operations import ROOM_OPERATIONS
from chat.web.seed_operations import SEED_OPERATIONS
from chat.web.team_operations import TEAM_OPERATIONS

OPERATIONS: dict[tuple[str, str], Operation] = {
    **IDENTITY_OPERATIONS,
    **ROOM_OPERATIONS,
    **NATIVE_OPERATIONS,
    **ADMIN_OPERATIONS,
    **TEAM_OPERATIONS,
    **SEED_OPERATIONS,
    **INTEGRATION_OPERATIONS,
}
