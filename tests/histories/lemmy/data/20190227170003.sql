-- after the seed rows: the generators must have moved past them
INSERT INTO user_ (name, fedi_name, password_encrypted, email) VALUES ('dessalines', 'lemmy.ml', 'x', 'd@example.com');
INSERT INTO category (name) VALUES ('Extra');
INSERT INTO community (name, title, category_id, creator_id) VALUES ('rust', 'Rust', 27, 2);
