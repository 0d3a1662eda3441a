INSERT INTO accounts (username, domain, created_at, updated_at) VALUES
  ('gargron', NULL, '2016-02-24 10:00:00', '2016-02-24 10:00:00'),
  ('alice', 'example.com', '2016-02-24 11:00:00', '2016-02-24 11:00:00');
INSERT INTO users (email, account_id, created_at, updated_at) VALUES ('g@example.com', 1, '2016-02-24 10:00:00', '2016-02-24 10:00:00');
INSERT INTO statuses (uri, account_id, text) VALUES ('tag:s1', 1, 'hello world'), ('tag:s2', 2, 'hi');
INSERT INTO statuses (uri, account_id, text, in_reply_to_id) VALUES ('tag:s3', 2, '@gargron hi', 1);
INSERT INTO statuses (uri, account_id, text, reblog_of_id) VALUES ('tag:s4', 1, '', 2);
