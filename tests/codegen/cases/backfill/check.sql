-- batched backfills reached every row, in every batch, once
SELECT count(*) = 8 FROM items
SELECT count(*) = 7 FROM items WHERE id <= 7 AND score = length(coalesce(name, '')) * 2
SELECT count(*) = 2 FROM items WHERE display = 'none'
SELECT count(*) = 0 FROM items WHERE display IS NULL
SELECT count(*) = 5 FROM pairs WHERE v = a * 10
-- the insert moved the identity generator past the inserted ids
SELECT min(id) > 7 FROM items WHERE name = 'auto'
