SELECT count(*) = 3 FROM parents
SELECT count(*) = 0 FROM parents WHERE created_at IS NULL
SELECT count(*) = 4 FROM children
!INSERT INTO children (id, parent_id, label) VALUES (99, 12345, 'orphan')
+DELETE FROM parents WHERE id = 3
SELECT count(*) = 3 FROM children
+INSERT INTO parents (name, rank, created_at) VALUES ('new', 5, '2020-01-01 00:00:00')
SELECT min(id) = 11 FROM parents WHERE name = 'new'
