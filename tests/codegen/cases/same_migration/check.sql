SELECT count(*) = 1 FROM pets WHERE id = 1 AND kind IS NULL
SELECT count(*) = 2 FROM persons
SELECT count(*) = 1 FROM persons WHERE full_name = 'anon'
+INSERT INTO pets (owner) VALUES (1)
!INSERT INTO pets (owner) VALUES (99)
!INSERT INTO persons (id, full_name) VALUES (0, 'zero')
