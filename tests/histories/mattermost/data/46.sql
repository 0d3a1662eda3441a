INSERT INTO users (id, createat, username, email, props, notifyprops) VALUES
  ('u1aaaaaaaaaaaaaaaaaaaaaaaa', 1600000000000, 'sysadmin', 'admin@example.com', '{"theme":"dark"}', '{"email":"true","push":"mention"}'),
  ('u2bbbbbbbbbbbbbbbbbbbbbbbb', 1600000001000, 'user-1', 'user1@example.com', '{}', '{"email":"false"}');
INSERT INTO users (id, username, email, timezone) VALUES ('u3cccccccccccccccccccccccc', 'bot', 'bot@example.com', NULL);
