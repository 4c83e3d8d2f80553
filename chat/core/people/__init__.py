"""People: accounts and how they sign in (passwords, sessions, JWTs, directory and
OpenID Connect identities), their statuses and who is online."""
