"""The one door for outbound email: one SMTP conversation per email, through the
company's server named by the settings (never an address a user supplied), with
STARTTLS, implicit TLS or (on a trusted local relay) neither."""

from __future__ import annotations

import ssl
from email.message import EmailMessage

import aiosmtplib

SmtpError = aiosmtplib.SMTPException


def tls_context(settings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.smtp_ca_file)


async def send(settings, message: EmailMessage) -> None:
    """Returns once the server accepted the email; raises SmtpError or OSError."""
    security = settings.smtp_security
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
        use_tls=security == "tls",
        start_tls=security == "starttls",
        tls_context=tls_context(settings) if security != "none" else None,
        timeout=settings.smtp_timeout_seconds,
    )
