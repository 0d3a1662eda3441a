INSERT INTO integrations (user_id, fever_enabled, fever_username, fever_password) VALUES (1, true, 'alice', 'secret');
