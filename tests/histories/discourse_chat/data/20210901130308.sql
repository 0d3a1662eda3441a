INSERT INTO user_chat_channel_memberships (user_id, chat_channel_id, following, created_at, updated_at)
  VALUES (1, 3, true, '2021-09-02 00:00:00', '2021-09-02 00:00:00');
