"""Several Teahouse processes as one server: events, presence, typing and limits shared
over Redis, with the database as the source of truth (docs/scale-out.md)."""
