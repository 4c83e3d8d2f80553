"""The one door for requests the server makes to the world on a user's behalf (Web Push,
bots' outgoing calls, link previews): which URLs may be dialled (address.py), a session
that dials only checked addresses (session.py), and one request under a caller's policy
with redirects, deadline, caps and counters (door.py)."""
