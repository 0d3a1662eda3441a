SELECT count(*) = 2 FROM "Weird Name" WHERE "group" = upper(substr("select", 1, 5))
SELECT count(*) = 1 FROM "Weird Name" WHERE "select" = 'it''s' AND "key" = 'k'
SELECT count(*) = 1 FROM "Weird Name" WHERE "key" = 'none'
!INSERT INTO "Orders" (id, weird) VALUES (-1, 1)
