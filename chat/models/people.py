"""People: a user as every part reads them, and as site admins see them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    avatar_url: str | None
    is_admin: bool
    created_at: str = ""
    is_bot: bool = False  # a webhook's or a bot's account: it never logs in
    is_active: bool = True
    is_guest: bool = False  # sees only the rooms they were added to (core/people/guests.py)
    guest_until: str | None = None  # a guest's account is deactivated at this time

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class Account:
    """A user as site admins see them."""

    user: User
    last_login_at: str | None
    kind: str = "person"  # person | bot | webhook (a hook's account)
