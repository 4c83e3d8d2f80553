"""Conversation: rooms and their members, messages and everything done to them (edits,
reactions, pins, search, mentions, scheduled sends), and the notices rooms show."""
