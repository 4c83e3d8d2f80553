"""The API dialects: each parses its requests and frames into core calls and
serializes core results in its own shape. No rules and no SQL here."""
