"""The wire dialects of the seed documents (../shared/seeds/): v1 (seed 000), channels
(seeds 001, 002, 004) and simple (seed 003).

Compatibility promise: every path, field name, status code, error shape and frame these
packages produce or accept is fixed by the seeds and ../shared/API.md; clients written
against those documents must keep working unchanged. Change them only to follow the
contract. Parse and serialize only: rules live in chat/core/, the socket loop in
chat/web/sockets.py. New features go to chat/api/ (our own API)."""
