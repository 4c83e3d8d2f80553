"""The channels dialect (seeds 001, 002, 004): /api/chat/.../ and /ws/chat/{room}/."""
