INSERT INTO topic_chats (topic_id, featured_in_category_id) VALUES (10, 1), (11, NULL);
INSERT INTO topic_chat_messages (topic_id, post_id, user_id, created_at, updated_at, message, action_code)
  VALUES (10, 100, 1, '2021-04-01 10:00:00', '2021-04-01 10:00:00', 'hello', NULL);
