"""Teahouse: a self-hosted chat server for small teams."""
