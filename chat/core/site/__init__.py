"""The site as a whole: administration, the audit log, exports, retention, health, and the
scheduler that runs timed work."""
