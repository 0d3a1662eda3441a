INSERT INTO icons (hash, mime_type, content) VALUES ('ih1', 'image/png', X'89504e47');
INSERT INTO feed_icons (feed_id, icon_id) VALUES (1, 1), (2, 1);
