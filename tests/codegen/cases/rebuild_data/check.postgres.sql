SELECT count(*) = 3 FROM parents
SELECT count(*) = 4 FROM children
!INSERT INTO children (id, parent_id, label) VALUES (99, 12345, 'orphan')
+DELETE FROM parents WHERE id = 3
SELECT count(*) = 3 FROM children
+INSERT INTO parents (name, rank) VALUES ('new', 5)
SELECT min(id) = 11 FROM parents WHERE name = 'new'
