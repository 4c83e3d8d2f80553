"""The one door for requests the server makes to the world on a user's behalf (Web Push
today): which URLs may be dialled, and a session that dials only addresses checked here."""
