SELECT id, app_label, model FROM django_content_type ORDER BY id
SELECT id, name, content_type_id, codename FROM auth_permission ORDER BY id
SELECT id, username, first_name, email, CASE WHEN last_login IS NULL THEN 'never' ELSE 'logged in' END FROM auth_user ORDER BY id
-- the join tables kept their rows through the SQLite rebuilds of auth_user, auth_group and auth_permission
SELECT user_id, group_id FROM auth_user_groups
SELECT user_id, permission_id FROM auth_user_user_permissions
SELECT group_id, permission_id FROM auth_group_permissions
