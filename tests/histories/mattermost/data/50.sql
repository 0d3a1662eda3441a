INSERT INTO teams (id, name, displayname, type) VALUES ('t1aaaaaaaaaaaaaaaaaaaaaaaa', 'eng', 'Engineering', 'O');
INSERT INTO channels (id, teamid, type, name, displayname) VALUES ('c1aaaaaaaaaaaaaaaaaaaaaaaa', 't1aaaaaaaaaaaaaaaaaaaaaaaa', 'O', 'town-square', 'Town Square');
INSERT INTO channelmembers (channelid, userid, notifyprops, msgcount) VALUES
  ('c1aaaaaaaaaaaaaaaaaaaaaaaa', 'u1aaaaaaaaaaaaaaaaaaaaaaaa', '{"desktop":"default","mark_unread":"all"}', 3),
  ('c1aaaaaaaaaaaaaaaaaaaaaaaa', 'u2bbbbbbbbbbbbbbbbbbbbbbbb', '{"desktop":"all"}', 0);
