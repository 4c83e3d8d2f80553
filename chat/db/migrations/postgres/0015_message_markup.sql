-- Slack's own markup (mrkdwn) of a message that came in Slack's format (an incoming
-- webhook, a Slack import), kept beside the plain text every client reads, so the page
-- can show it as Slack would. NULL: the message is Teahouse's Markdown.
ALTER TABLE messages ADD COLUMN mrkdwn TEXT;

-- An edit rewrites the text of the notifications about the message (a mention that was
-- corrected reads as corrected): found by message, not by user.
CREATE INDEX notifications_message ON notifications(message_id) WHERE message_id IS NOT NULL;
