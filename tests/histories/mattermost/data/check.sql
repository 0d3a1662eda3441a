-- the text columns became json with their values kept
SELECT id, username, props, notifyprops, timezone FROM users ORDER BY id
SELECT channelid, userid, notifyprops, msgcount FROM channelmembers ORDER BY userid
SELECT id, name, displayname FROM teams
