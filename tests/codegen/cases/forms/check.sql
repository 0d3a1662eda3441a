-- expressions evaluate alike on both databases
SELECT count(*) = 2 FROM events WHERE org_id = 1
SELECT count(*) = 1 FROM events WHERE kind = 'alert' AND score = 10
SELECT count(*) = 1 FROM events WHERE kind = 'note' AND score = 5
SELECT count(*) = 1 FROM events WHERE body = 'id 2'
SELECT count(*) = 1 FROM events WHERE amount = 10
SELECT count(*) = 1 FROM events WHERE amount = -3
SELECT count(*) = 2 FROM events WHERE tries = -1
SELECT count(*) = 2 FROM events WHERE happened_at > '2020-01-01 00:00:00' AND day > '2020-01-01'
SELECT count(*) = 2 FROM tags WHERE note = upper(tag) || 'a+bhe'
-- a deleted parent cascades to tags
+DELETE FROM events WHERE id = 2
SELECT count(*) = 1 FROM tags
!INSERT INTO tags (event_id, tag, note) VALUES (1, 'x', 'dup')
