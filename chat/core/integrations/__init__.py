"""Integrations: incoming webhooks, bots, personal API tokens, and Slack-shaped payloads."""
