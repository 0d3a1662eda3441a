SELECT count(*) = 2 FROM vals WHERE b = 0 AND c = 9 AND d = 4
SELECT count(*) = 1 FROM vals WHERE id = 1 AND e = -5 AND s = 'xfive+'
SELECT count(*) = 1 FROM vals WHERE id = 2 AND e = 3 AND s = 'x-3-'
SELECT count(*) = 1 FROM vals WHERE f = true AND id = 1
SELECT count(*) = 1 FROM vals WHERE f = false AND id = 2
+INSERT INTO vals (id) VALUES (3)
SELECT a = 1 FROM vals WHERE id = 3
