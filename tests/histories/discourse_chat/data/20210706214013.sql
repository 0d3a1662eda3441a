-- after the reset: new channels (ids 3 and 4: deleted ids are not reused) and messages
INSERT INTO chat_channels (chatable_id, chatable_type) VALUES (20, 'Topic'), (7, 'Category');
INSERT INTO chat_messages (chat_channel_id, post_id, user_id, created_at, updated_at, message)
  VALUES (3, 0, 1, '2021-07-07 09:00:00', '2021-07-07 09:00:00', 'first'),
         (4, 0, 2, '2021-07-07 09:30:00', '2021-07-07 09:30:00', 'second');
