INSERT INTO post (name, url, creator_id, community_id) VALUES ('Hello', 'https://example.com', 2, 1), ('Second', NULL, 1, 2);
INSERT INTO post_like (post_id, user_id, score) VALUES (1, 1, 1), (1, 2, -1);
INSERT INTO comment (creator_id, post_id, content) VALUES (1, 1, 'first');
INSERT INTO comment (creator_id, post_id, parent_id, content) VALUES (2, 1, 1, 'reply');
INSERT INTO comment_like (user_id, comment_id, post_id, score) VALUES (2, 1, 1, 1);
