"""Running Teahouse for real: the data directory, backups, retention, export and import,
service-manager notifications and log formats. Command-line and background work; the
rules for who may do what stay in chat/core."""
