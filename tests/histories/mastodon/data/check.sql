SELECT id, username, domain, note, display_name FROM accounts ORDER BY id
SELECT id, email, encrypted_password, sign_in_count, CASE WHEN admin THEN 'admin' ELSE 'user' END FROM users ORDER BY id
-- statuses were rebuilt on SQLite (drop not null, drop default, a foreign key on itself)
SELECT id, uri, account_id, text, in_reply_to_id, reblog_of_id, url, visibility FROM statuses ORDER BY id
