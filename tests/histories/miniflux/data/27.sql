INSERT INTO api_keys (user_id, token, description) VALUES (1, 'k1', 'reader app'), (3, 'k2', 'cli');
