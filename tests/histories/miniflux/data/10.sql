INSERT INTO sessions (id, data) VALUES ('s1', '{"csrf":"abc"}');
