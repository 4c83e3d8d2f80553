"""Web Push crypto: the server's VAPID identity (RFC 8292) and message encryption
(RFC 8291). Pure functions over bytes; no I/O besides the key file."""
