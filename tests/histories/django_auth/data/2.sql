INSERT INTO django_content_type (name, app_label, model) VALUES ('permission', 'auth', 'permission'), ('user', 'auth', 'user');
INSERT INTO auth_permission (name, content_type_id, codename) VALUES ('Can add user', 2, 'add_user'), ('Can change user', 2, 'change_user');
INSERT INTO auth_group (name) VALUES ('editors');
INSERT INTO auth_group_permissions (group_id, permission_id) VALUES (1, 2);
INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
  VALUES ('pbkdf2_sha256$x', '2015-04-01T10:00:00Z', true, 'admin', '', '', 'admin@example.com', true, true, '2015-04-01T09:00:00Z');
INSERT INTO auth_user_groups (user_id, group_id) VALUES (1, 1);
INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES (1, 1);
