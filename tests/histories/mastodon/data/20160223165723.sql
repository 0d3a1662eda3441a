-- uri may be NULL now (local statuses)
INSERT INTO statuses (account_id, text, url) VALUES (1, 'local', 'https://m.example/@gargron/5');
INSERT INTO statuses (account_id, text, reblog_of_id) VALUES (2, '', 5);
