-- casts evaluate alike on both databases
SELECT count(*) = 1 FROM t WHERE n = 3 AND n_int = 3 AND d_int = 3
SELECT count(*) = 1 FROM t WHERE n = -3 AND n_int = -3 AND d_int = -3
SELECT count(*) = 1 FROM t WHERE f = 'true' AND f_text = 'true' AND x_bool AND i_bool
SELECT count(*) = 1 FROM t WHERE f = 'false' AND f_text = 'false' AND NOT x_bool AND NOT i_bool
SELECT count(*) = 1 FROM t WHERE id = 1 AND x AND i = '3'
SELECT count(*) = 1 FROM t WHERE id = 2 AND NOT x AND i = '0'
SELECT count(*) = 1 FROM t WHERE n IS NULL AND f IS NULL AND x IS NULL AND f_text IS NULL AND x_bool IS NULL
