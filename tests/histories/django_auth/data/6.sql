-- last_login may be NULL now: a user who never logged in
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
  VALUES ('!', false, 'new.user@example.com', 'New', 'User', 'new.user@example.com', false, true, '2016-01-01T00:00:00Z');
