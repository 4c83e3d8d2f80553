-- Link previews: the daily sweep of stored preview pictures no card names any more
-- reads the messages that carry cards, not every message.
CREATE INDEX messages_with_previews ON messages(id) WHERE previews IS NOT NULL;
