"""Tell the service manager how the server is doing (systemd's sd_notify protocol).

Under `Type=notify` systemd passes NOTIFY_SOCKET, an AF_UNIX datagram socket (a path,
or an abstract name written with a leading "@"); each datagram is newline-separated
KEY=VALUE lines. Only the standard library: no libsystemd binding to install. Outside
systemd the variable is absent and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(*states: str) -> bool:
    """Send states such as "READY=1"; True if a service manager was told."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(states).encode())
    except OSError as exc:  # a broken manager socket must not stop the chat server
        log.warning("cannot notify the service manager: %s", exc)
        return False
    return True
