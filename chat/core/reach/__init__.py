"""Reach: telling people about what concerns them (notifications, and Web Push while they
are away from every tab)."""
