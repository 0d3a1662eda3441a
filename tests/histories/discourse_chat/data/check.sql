-- the rows written before the reset are gone; the later ones survived the
-- SQLite rebuilds of chat_channels (drop default, set not null)
SELECT id, chatable_id, chatable_type, name, CASE WHEN closed THEN 'closed' ELSE 'open' END, user_count FROM chat_channels ORDER BY id
SELECT count(*) FROM chat_channels WHERE created_at IS NULL OR updated_at IS NULL OR last_message_sent_at IS NULL
SELECT id, chat_channel_id, user_id, message, action_code FROM chat_messages ORDER BY id
SELECT user_id, chat_channel_id, desktop_notification_level, join_reason FROM user_chat_channel_memberships
