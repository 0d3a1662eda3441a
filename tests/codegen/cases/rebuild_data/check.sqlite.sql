-- rows and values survived every rebuild of the parent (children cascade on delete)
SELECT count(*) = 3 FROM parents
SELECT count(*) = 0 FROM parents WHERE created_at IS NULL
SELECT count(*) = 4 FROM children
SELECT group_concat(id || ':' || parent_id || ':' || label, ',') = '1:1:a,2:1:b,3:2:c,4:3:d' FROM (SELECT * FROM children ORDER BY id)
SELECT group_concat(id || ':' || coalesce(name, '-') || ':' || rank, ',') = '1:one:1,2:two:2,3:-:3' FROM (SELECT * FROM parents ORDER BY id)
-- indexes, triggers and the view are back
SELECT count(*) = 2 FROM sqlite_schema WHERE type = 'index' AND name IN ('children_parent', 'parents_name')
SELECT count(*) = 2 FROM sqlite_schema WHERE type = 'trigger'
SELECT count(*) = 4 FROM parent_names
-- foreign keys are enforced again, and still cascade
!INSERT INTO children (id, parent_id, label) VALUES (99, 12345, 'orphan')
+DELETE FROM parents WHERE id = 3
SELECT count(*) = 3 FROM children
-- sqlite_sequence was carried: id 10 was used (and deleted) before the rebuilds
+INSERT INTO parents (name, rank, created_at) VALUES ('new', 5, '2020-01-01 00:00:00')
SELECT min(id) = 11 FROM parents WHERE name = 'new'
SELECT count(*) = 1 FROM audit WHERE ref = 11 AND what = 'parent'
+INSERT INTO children (id, parent_id, label) VALUES (7, 11, 'z')
SELECT count(*) = 1 FROM audit WHERE ref = 7 AND what = 'child'
SELECT count(*) = 0 FROM pragma_foreign_key_check
