"""The live path in small parts: connections and their room seats, the registry of who
is connected where, presence, typing and activity. chat/hub.py composes them."""
