INSERT INTO tokens (id, value) VALUES ('csrf', 'abc');
