-- the themes were renamed by version 25's backfills
SELECT id, username, theme, language FROM users ORDER BY id
-- child rows of users, entries and feeds survived every table rebuild
SELECT count(*) FROM user_sessions
SELECT count(*) FROM categories
SELECT id, user_id, category_id, title FROM feeds ORDER BY id
SELECT id, user_id, feed_id, hash, status, CASE WHEN changed_at = published_at THEN 'same' ELSE 'differs' END, CASE WHEN created_at = published_at THEN 'same' ELSE 'differs' END, share_code, reading_time FROM entries ORDER BY id
SELECT id, entry_id, size, mime_type FROM enclosures ORDER BY id
SELECT feed_id, icon_id FROM feed_icons ORDER BY feed_id
SELECT user_id, fever_username, wallabag_url, pocket_consumer_key FROM integrations
SELECT id, data FROM sessions
SELECT user_id, token, description FROM api_keys ORDER BY token
SELECT username, stylesheet, google_id, openid_connect_id FROM users ORDER BY id
