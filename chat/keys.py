"""Every key the application and its requests carry."""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from chat.core import Core
from chat.settings import Settings

settings_key = web.AppKey("settings", Settings)
core_key = web.AppKey("core", Core)
user_key = web.RequestKey("user", object)
credential_key = web.RequestKey("credential", object)
language_key = web.RequestKey("language", str)
socket_close_key = web.RequestKey("socket_close", int)  # the code a socket ended with
oidc_clients_key = web.AppKey("oidc_clients", dict)  # provider name -> web.oidc.ProviderClient
replays_key = web.AppKey("signin_replays", object)  # core.oidc.Replays of this process
bot_caller_key = web.AppKey("bot_caller", object)  # chat.web.outgoing.BotCaller
route_table_key = web.AppKey("route_table", list)  # (ErrorStyle, Route) as registered
pusher_key = web.AppKey("pusher", object)  # chat.web.pusher.Pusher
outbound_counts_key = web.AppKey("outbound_counts", Counter)  # (caller, outcome) -> n
previewer_key = web.AppKey("previewer", object)  # chat.web.previewer.Previewer
mailer_key = web.AppKey("mailer", object)  # chat.web.mailer.Mailer (only with CHAT_SMTP_HOST)
