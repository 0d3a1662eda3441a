-- rows an application wrote at schema version 1 (ids are generated: 1, 2, 3)
INSERT INTO users (username, password, is_admin, theme) VALUES ('alice', 'pw', true, 'default');
INSERT INTO users (username, theme) VALUES ('bob', 'black');
INSERT INTO users (username, theme, language) VALUES ('carol', 'sansserif', 'fr_FR');
INSERT INTO sessions (user_id, token, user_agent, ip) VALUES (1, 'tok-a', 'curl', '127.0.0.1');
INSERT INTO categories (user_id, title) VALUES (1, 'All'), (2, 'All'), (3, 'News');
INSERT INTO feeds (user_id, category_id, title, feed_url, site_url) VALUES
  (1, 1, 'Go blog', 'https://go.dev/blog/feed.atom', 'https://go.dev/blog'),
  (3, 3, 'LWN', 'https://lwn.net/headlines/rss', 'https://lwn.net');
INSERT INTO entries (user_id, feed_id, hash, published_at, title, url, content, status) VALUES
  (1, 1, 'h1', '2020-01-02T03:04:05Z', 'Go 1.14', 'https://go.dev/1', 'text', 'unread'),
  (1, 1, 'h2', '2020-02-03T04:05:06Z', 'Go 1.15', 'https://go.dev/2', NULL, 'read'),
  (3, 2, 'h3', '2020-03-04T05:06:07Z', 'Kernel', 'https://lwn.net/3', 'news', 'removed');
INSERT INTO enclosures (user_id, entry_id, url, size, mime_type) VALUES
  (1, 1, 'https://go.dev/a.mp3', 2147483647, 'audio/mpeg'),
  (3, 3, 'https://lwn.net/b.png', 1024, 'image/png');
