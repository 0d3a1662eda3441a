SELECT id, name, fedi_name FROM user_ ORDER BY id
SELECT count(*), min(id), max(id) FROM category
SELECT id, name FROM category WHERE id >= 25 ORDER BY id
SELECT id, name, category_id, creator_id FROM community ORDER BY id
-- post was rebuilt on SQLite (name widened to varchar(200)); its children stay
SELECT id, name, creator_id, community_id, CASE WHEN deleted THEN 'deleted' ELSE 'live' END, CASE WHEN stickied THEN 'sticky' ELSE 'plain' END FROM post ORDER BY id
SELECT post_id, user_id, score FROM post_like ORDER BY post_id, user_id
SELECT id, post_id, parent_id, content FROM comment ORDER BY id
SELECT user_id, comment_id, score FROM comment_like
