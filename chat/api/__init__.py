"""Teahouse's own API, by feature: REST and the user socket that the web page, scripts,
bots and integrations use. Ours to change (with the OpenAPI document and docs/API.md); the
seeds' compatibility promise lives in chat/wire/, not here."""
