-- Issue 29: search's from:NAME reads one person's newest messages (a bounded window of
-- them when every term is too short for the trigram index) instead of everyone's.
CREATE INDEX messages_sender ON messages(sender_id, id);
